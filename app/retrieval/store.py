"""The Milvus collection of policy chunks: schema, writes, and tenant-scoped search legs.

One collection holds every client's chunks:

- `dense`: the MiniLM embedding of the chunk text (HNSW, inner product on unit vectors);
- `text_sparse`: Milvus's built-in BM25 over `text` (a Function: Milvus tokenises and scores);
- `id_sparse`: BM25 over `identifiers`, the chunk's identifiers as single tokens (`sku9942b`),
  the leg where only an exact SKU, AWB or policy code matches;
- scalar metadata, `client_id` as the partition key (and an inverted index on it and `region`).

Reads exist only as methods that take a `TenantScope`: the filter is built here, from the
scope, and every hit's client id is checked again before it leaves the store.

A second, tiny collection (`<collection>_versions`) holds one version token per tenant. Every
write through this class (upsert, delete) replaces the token of each tenant it touched, after
the write: an in-process copy of a tenant's rows (`tenant_index.py`) records the token it was
built at and compares it on each query, so an ingest or a KB edit made by any process or
replica invalidates every copy without a message bus.

Milvus Lite (a local file, the default) allows one process per file; several processes share a
`milvus-lite server` or a Milvus server through `MILVUS_URI`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from app.retrieval.chunking import KbChunk
from app.retrieval.scope import TenantScope, id_list_expression

log = logging.getLogger("app.retrieval")

DEFAULT_COLLECTION = "policy_chunks"
EMBEDDING_DIM = 384
MAX_TEXT_CHARS = 16_384
HNSW_BUILD = {"M": 16, "efConstruction": 200}
HNSW_EF = 96
# (field, max_length) of the plain scalar fields.
_SCALARS: tuple[tuple[str, int], ...] = (
    ("region", 8),
    ("product_category", 32),
    ("policy_version", 64),
    ("effective_date", 10),
    ("title", 256),
    ("source_doc", 256),
    ("section", 256),
    ("content_hash", 32),
)
STATE_FIELDS = ["chunk_id", "client_id", *(name for name, _ in _SCALARS)]
# An existing collection with other fields was made by other code: re-create it, never half-use it.
FIELD_NAMES = (*STATE_FIELDS, "text", "identifiers", "dense", "text_sparse", "id_sparse")
HIT_FIELDS = [
    "client_id",
    "source_doc",
    "section",
    "text",
    "identifiers",
    "policy_version",
    "content_hash",
]
# What an in-process tenant index reads: every hit field, the region filter's field, the vector.
INDEX_FIELDS = ["chunk_id", *HIT_FIELDS, "region", "dense"]
VERSIONS_SUFFIX = "_versions"
QUERY_WINDOW = 16_384  # Milvus's largest offset + limit of one query


class StoredChunk(BaseModel):
    """What ingestion compares against: a chunk's identity, content hash and metadata."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    client_id: str
    region: str
    product_category: str
    policy_version: str
    effective_date: str
    title: str
    source_doc: str
    section: str
    content_hash: str


class SearchHit(BaseModel):
    model_config = ConfigDict(frozen=True)

    chunk_id: str
    client_id: str
    source_doc: str
    section: str
    text: str
    identifiers: str
    policy_version: str
    content_hash: str
    score: float


class CrossTenantHit(RuntimeError):
    """A hit outside the scope it was searched in: never returned, always reported."""


class SchemaMismatch(RuntimeError):
    """The collection exists with other fields; re-create it (ingest --recreate)."""


def is_lite_uri(uri: str) -> bool:
    return "://" not in uri


class PolicyStore:
    def __init__(
        self,
        uri: str,
        collection: str = DEFAULT_COLLECTION,
        *,
        token: str | None = None,
        dense_index: str = "HNSW",
        hnsw_ef: int = HNSW_EF,
    ) -> None:
        from pymilvus import MilvusClient

        self.uri = uri
        self.collection = collection
        # HNSW (faiss in Milvus Lite); FLAT/BRUTE_FORCE is exact, for comparisons at scale.
        self.dense_index = dense_index
        self.hnsw_ef = hnsw_ef
        options: dict[str, Any] = {}
        if is_lite_uri(uri):
            if not uri.endswith(".db"):
                raise ValueError(f"a Milvus Lite path must end in .db (pymilvus's rule): {uri}")
            Path(uri).resolve().parent.mkdir(parents=True, exist_ok=True)
            _quiet_lite_iterator_warning()
            # The embedded server refuses pymilvus's 10 s keepalive pings with GOAWAY
            # "too_many_pings" (logged to stderr) whenever the client idles, e.g. while embedding.
            options["grpc_options"] = {"grpc.keepalive_time_ms": 3_600_000}
        self._client = MilvusClient(uri=uri, token=token or "", **options)
        self.versions_collection = f"{collection}{VERSIONS_SUFFIX}"

    # ------------------------------------------------------------ lifecycle

    def ensure_collection(self, *, recreate: bool = False) -> None:
        if recreate and self._client.has_collection(self.collection):
            self._client.drop_collection(self.collection)
        self._ensure_versions(recreate=recreate)
        if self._client.has_collection(self.collection):
            described = self._client.describe_collection(self.collection)
            found = {f["name"] for f in described.get("fields", [])}
            if found != set(FIELD_NAMES):
                raise SchemaMismatch(
                    f"collection {self.collection!r} has fields {sorted(found)}, this code "
                    f"expects {sorted(FIELD_NAMES)}: re-create it (ingest --recreate)"
                )
            self._client.load_collection(self.collection)
            return
        self._create()

    def drop(self) -> None:
        for name in (self.collection, self.versions_collection):
            if self._client.has_collection(name):
                self._client.drop_collection(name)

    def close(self) -> None:
        self._client.close()
        if is_lite_uri(self.uri):
            # The embedded server would otherwise keep its threads and file lock until exit.
            from milvus_lite import server_manager_instance

            server_manager_instance.release_server(self.uri)

    def __enter__(self) -> PolicyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count(self) -> int:
        stats = self._client.get_collection_stats(self.collection)
        return int(stats.get("row_count", 0))

    # ------------------------------------------------------------ writes

    def upsert(self, chunks: Sequence[KbChunk], vectors: np.ndarray) -> None:
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        if not chunks:
            return
        rows = [_row(chunk, vector) for chunk, vector in zip(chunks, vectors, strict=True)]
        self._client.upsert(self.collection, rows)
        self.bump_versions(c.client_id for c in chunks)

    def upsert_rows(self, rows: list[dict[str, Any]]) -> None:
        """Raw rows, for the scale benchmark's generated data (same fields as `upsert`)."""
        self._client.insert(self.collection, rows)
        self.bump_versions(row["client_id"] for row in rows)

    def delete(self, chunk_ids: Sequence[str]) -> None:
        if not chunk_ids:
            return
        # The tenants whose copies go stale: read before the rows are gone.
        owners = self._client.get(self.collection, ids=list(chunk_ids), output_fields=["client_id"])
        self._client.delete(self.collection, ids=list(chunk_ids))
        self.bump_versions(row["client_id"] for row in owners)

    # ------------------------------------------------------------ per-tenant versions

    def bump_versions(self, client_ids: Iterable[str]) -> None:
        """A fresh token for each tenant: called after its rows were written, so a reader that
        sees the new token reads the new rows (it reads the token first, then the rows)."""
        tenants = sorted(set(client_ids))
        if tenants:
            self._client.upsert(
                self.versions_collection,
                [{"client_id": c, "version": uuid.uuid4().hex, "pad": [0.0, 0.0]} for c in tenants],
            )

    def tenant_version(self, client_id: str) -> str:
        """The tenant's version token ("" when nothing was ever written through this class):
        one primary-key read of a collection with one row per tenant (~0.5 ms on Lite)."""
        TenantScope(client_id=client_id)  # validates the id
        rows = self._client.get(
            self.versions_collection,
            ids=[client_id],
            output_fields=["version"],
            consistency_level="Strong",
        )
        return str(rows[0]["version"]) if rows else ""

    def flush(self) -> None:
        self._client.flush(self.collection)

    # ------------------------------------------------------------ reads for ingestion

    def stored_chunks(self, client_ids: Sequence[str]) -> list[StoredChunk]:
        """Every stored chunk of these clients (what a re-ingest compares against)."""
        if not client_ids:
            return []
        for client_id in client_ids:
            TenantScope(client_id=client_id)  # validates the id before it enters a filter
        iterator = self._client.query_iterator(
            self.collection,
            batch_size=1000,
            filter=id_list_expression("client_id", list(client_ids)),
            output_fields=STATE_FIELDS,
        )
        rows: list[StoredChunk] = []
        try:
            while batch := iterator.next():
                rows.extend(StoredChunk.model_validate(row) for row in batch)
        finally:
            iterator.close()
        return rows

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored dense vectors, to rewrite a chunk's metadata without embedding it again."""
        if not chunk_ids:
            return {}
        rows = self._client.get(self.collection, ids=list(chunk_ids), output_fields=["dense"])
        return {row["chunk_id"]: np.asarray(row["dense"], dtype=np.float32) for row in rows}

    def tenant_rows(self, scope: TenantScope) -> list[dict[str, Any]]:
        """Every row of the scope's client (its region filter is ignored: an index serves every
        region), with its vector: what an in-process tenant index is built from. Each row's
        client id is checked before it is returned."""
        _require_scope(scope)
        tenant = TenantScope(client_id=scope.client_id).filter_expression()
        # One query is enough for most tenants (and, on Lite, half the cost of an iterator,
        # which walks the whole collection once per batch); a larger tenant is paged by key.
        rows = self._client.query(
            self.collection,
            filter=tenant,
            output_fields=INDEX_FIELDS,
            limit=QUERY_WINDOW,
            consistency_level="Strong",
        )
        if len(rows) >= QUERY_WINDOW:
            rows = []
            iterator = self._client.query_iterator(
                self.collection,
                batch_size=QUERY_WINDOW,
                filter=tenant,
                output_fields=INDEX_FIELDS,
                consistency_level="Strong",
            )
            try:
                while batch := iterator.next():
                    rows.extend(batch)
            finally:
                iterator.close()
        for row in rows:
            if row.get("client_id") != scope.client_id:
                raise CrossTenantHit(
                    f"row {row.get('chunk_id')} is outside client {scope.client_id}"
                )
        return rows

    # ------------------------------------------------------------ tenant-scoped search legs

    def search_dense(self, scope: TenantScope, vector: np.ndarray, limit: int) -> list[SearchHit]:
        return self._search(scope, self._dense_request(scope, vector, limit), bm25=False)

    def search_bm25(self, scope: TenantScope, text: str, limit: int) -> list[SearchHit]:
        return self._search(scope, self._bm25_request(scope, text, limit), bm25=True)

    def search_identifiers(
        self, scope: TenantScope, identifiers: Sequence[str], limit: int
    ) -> list[SearchHit]:
        if not identifiers:
            return []
        return self._search(scope, self._identifier_request(scope, identifiers, limit), bm25=True)

    def search_hybrid(
        self,
        scope: TenantScope,
        *,
        text: str,
        vector: np.ndarray,
        identifiers: Sequence[str],
        limit: int,
        leg_limit: int,
        rrf_k: int = 60,
    ) -> list[SearchHit]:
        """BM25 + dense (+ identifiers, when the query has any) fused by Milvus's RRF ranker;
        each leg pre-filtered by the scope."""
        from pymilvus import RRFRanker

        _require_scope(scope)
        requests = [
            self._bm25_request(scope, text, leg_limit),
            self._dense_request(scope, vector, leg_limit),
        ]
        if identifiers:
            requests.append(self._identifier_request(scope, identifiers, leg_limit))
        results = self._client.hybrid_search(
            self.collection, requests, RRFRanker(rrf_k), limit=limit, output_fields=HIT_FIELDS
        )
        return _hits(scope, results, bm25=False)

    def _search(self, scope: TenantScope, request: Any, *, bm25: bool) -> list[SearchHit]:
        _require_scope(scope)
        results = self._client.search(
            self.collection,
            data=request.data,
            anns_field=request.anns_field,
            search_params=request.param,
            limit=request.limit,
            filter=request.expr,
            output_fields=HIT_FIELDS,
        )
        return _hits(scope, results, bm25=bm25)

    def _dense_request(self, scope: TenantScope, vector: np.ndarray, limit: int) -> Any:
        _require_scope(scope)
        from pymilvus import AnnSearchRequest

        return AnnSearchRequest(
            data=[np.asarray(vector, dtype=np.float32).tolist()],
            anns_field="dense",
            param={"metric_type": "IP", "params": {"ef": max(self.hnsw_ef, limit)}},
            limit=limit,
            expr=scope.filter_expression(),
        )

    def _bm25_request(self, scope: TenantScope, text: str, limit: int) -> Any:
        _require_scope(scope)
        from pymilvus import AnnSearchRequest

        return AnnSearchRequest(
            data=[text],
            anns_field="text_sparse",
            param={"metric_type": "BM25"},
            limit=limit,
            expr=scope.filter_expression(),
        )

    def _identifier_request(
        self, scope: TenantScope, identifiers: Sequence[str], limit: int
    ) -> Any:
        from pymilvus import AnnSearchRequest

        _require_scope(scope)
        return AnnSearchRequest(
            data=[" ".join(identifiers)],
            anns_field="id_sparse",
            param={"metric_type": "BM25"},
            limit=limit,
            expr=scope.filter_expression(),
        )

    def _ensure_versions(self, *, recreate: bool) -> None:
        from pymilvus import DataType

        name = self.versions_collection
        if recreate and self._client.has_collection(name):
            self._client.drop_collection(name)
        if self._client.has_collection(name):
            self._client.load_collection(name)
            return
        schema = self._client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("client_id", DataType.VARCHAR, is_primary=True, max_length=32)
        schema.add_field("version", DataType.VARCHAR, max_length=64)
        # Milvus requires a vector field in every collection; this one is never searched.
        schema.add_field("pad", DataType.FLOAT_VECTOR, dim=2)
        index = self._client.prepare_index_params()
        index.add_index("pad", index_type="FLAT", metric_type="L2")
        self._client.create_collection(name, schema=schema)
        self._client.create_index(name, index, sync=False)  # see _create
        self._client.load_collection(name)

    def _create(self) -> None:
        from pymilvus import DataType, Function, FunctionType

        schema = self._client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("client_id", DataType.VARCHAR, max_length=32, is_partition_key=True)
        for name, length in _SCALARS:
            schema.add_field(name, DataType.VARCHAR, max_length=length)
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT_CHARS, enable_analyzer=True)
        schema.add_field("identifiers", DataType.VARCHAR, max_length=4096, enable_analyzer=True)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=EMBEDDING_DIM)
        schema.add_field("text_sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("id_sparse", DataType.SPARSE_FLOAT_VECTOR)
        for source, target in (("text", "text_sparse"), ("identifiers", "id_sparse")):
            schema.add_function(
                Function(
                    name=f"bm25_{source}",
                    function_type=FunctionType.BM25,
                    input_field_names=[source],
                    output_field_names=[target],
                )
            )
        index = self._client.prepare_index_params()
        dense_params = HNSW_BUILD if self.dense_index == "HNSW" else {}
        index.add_index("dense", index_type=self.dense_index, metric_type="IP", params=dense_params)
        index.add_index("text_sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        index.add_index("id_sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        index.add_index("client_id", index_type="INVERTED")
        index.add_index("region", index_type="INVERTED")
        self._client.create_collection(self.collection, schema=schema)
        # sync=False: waiting for an index build asks for a server timestamp, which Milvus Lite
        # does not implement (it logs an error); loading the collection waits for the build.
        self._client.create_index(self.collection, index, sync=False)
        self._client.load_collection(self.collection)


class _LiteSessionTsNoise(logging.Filter):
    """Milvus Lite has no MVCC timestamps; pymilvus warns about that on every query iterator."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "mvccTs" not in record.getMessage()


def _quiet_lite_iterator_warning() -> None:
    logger = logging.getLogger("pymilvus.client.iterator.query_iterator")
    if not any(isinstance(f, _LiteSessionTsNoise) for f in logger.filters):
        logger.addFilter(_LiteSessionTsNoise())


def _require_scope(scope: object) -> None:
    # A raw string would be a filter of the caller's making: only a TenantScope writes one.
    if not isinstance(scope, TenantScope):
        raise TypeError(f"searches take a TenantScope, not {type(scope).__name__}")


def _row(chunk: KbChunk, vector: np.ndarray) -> dict[str, Any]:
    if len(chunk.text) > MAX_TEXT_CHARS:
        raise ValueError(f"chunk {chunk.chunk_id} of {chunk.source_doc} is too long to store")
    return {
        "chunk_id": chunk.chunk_id,
        "client_id": chunk.client_id,
        "region": chunk.region,
        "product_category": chunk.product_category,
        "policy_version": chunk.policy_version,
        "effective_date": chunk.effective_date.isoformat(),
        "title": chunk.title,
        "source_doc": chunk.source_doc,
        "section": chunk.section,
        "content_hash": chunk.content_hash,
        "text": chunk.text,
        "identifiers": chunk.identifiers,
        "dense": np.asarray(vector, dtype=np.float32).tolist(),
    }


def _hits(scope: TenantScope, results: Any, *, bm25: bool) -> list[SearchHit]:
    hits = []
    for result in results[0] if results else []:
        entity = result["entity"]
        if entity.get("client_id") != scope.client_id:
            # The filter makes this impossible; if it ever happens, fail loudly, never leak.
            raise CrossTenantHit(f"hit {result['chunk_id']} is outside client {scope.client_id}")
        score = float(result["distance"])
        # Milvus Lite reports BM25 scores negated, a Milvus server does not: BM25 is never < 0.
        hits.append(
            SearchHit(
                chunk_id=str(result["chunk_id"]), score=abs(score) if bm25 else score, **entity
            )
        )
    return hits
