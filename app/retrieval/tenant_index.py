"""Per-tenant in-process search index over rows read from Milvus (the embedded default's path).

Milvus Lite 3.2 is pure Python: every search leg walks every row of every segment in Python
bookkeeping, whatever the tenant filter (partition keys do not prune), so at 100k chunks one
hybrid query costs 300-450 ms. Milvus stays the store and the source of truth; what is served
here is a copy of one tenant's rows, read from Milvus on the tenant's first query:

- dense: exact inner products over the tenant's vectors (unit vectors: cosine), region-masked;
- BM25 over the text and over the identifier field, with `bm25s` (Lucene IDF, k1 1.5, b 0.75:
  Milvus Lite's formula and defaults; its IDF is per segment, over every tenant, this one per
  tenant). Text is tokenised as Milvus's standard analyzer does (words, lower-cased,
  one-character tokens kept, so `SKU-9942-B` gives `sku 9942 b` in both); the identifier field
  is already one token per identifier (`sku9942b`), split on spaces, never re-tokenised.
  `rank-bm25` is not used: it took 31 ms per query on a 5k-chunk tenant, `bm25s` 0.06 ms;
- the same reciprocal rank fusion as Milvus's `RRFRanker` (1 / (k + rank), ranks from 1).

Freshness: the copy records the tenant's version token (`PolicyStore.tenant_version`, read
before the rows) and compares it with the stored one on every query (~0.5 ms); any write
through `PolicyStore` replaces the token, so an ingest or KB edit made by another process or
replica is seen by the next query here.

Isolation is as strict as the server path: the index of a client is built from a query with
that client's filter and refuses rows of any other; each query takes a `TenantScope`, the
region filter is a mask over the tenant's rows, and every hit's client id is checked again.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np

from app.retrieval.kb_format import ALL_REGIONS
from app.retrieval.scope import TenantScope
from app.retrieval.store import CrossTenantHit, PolicyStore, SearchHit

BM25_K1 = 1.5  # Milvus Lite's BM25 defaults (what the store's own BM25 leg uses)
BM25_B = 0.75
DEFAULT_MAX_CHUNKS = 200_000  # all tenants together, per process (~1.5 GiB, see README)
_WORD = re.compile(r"\w+")  # Milvus's standard analyzer


def text_tokens(text: str) -> list[str]:
    """Lower-cased words, one-character tokens kept (bm25s's own tokenizer drops them, which
    would make "SKU-9942-A" and "SKU-9942-B" the same query)."""
    return _WORD.findall(text.lower())


class _Bm25Field:
    """One BM25 index over one field of a tenant's rows; None-safe for an empty vocabulary."""

    def __init__(self, documents: Sequence[list[str]]) -> None:
        self._model: bm25s.BM25 | None = None
        if any(documents):
            model = bm25s.BM25(k1=BM25_K1, b=BM25_B)
            model.index(list(documents), show_progress=False)
            self._model = model

    def scores(self, tokens: Sequence[str]) -> np.ndarray | None:
        """BM25 of every row for these query tokens; None when no token is in the vocabulary."""
        if self._model is None:
            return None
        ids = self._model.get_tokens_ids(list(tokens))
        if not ids:
            return None
        # bm25s leaves out Lucene's constant (k1 + 1) factor; Milvus keeps it: same scores shown.
        return self._model.get_scores_from_ids(ids) * (BM25_K1 + 1.0)


@dataclass
class TenantIndex:
    """One tenant's rows at one version: hit metadata, vectors, regions, two BM25 fields."""

    client_id: str
    version: str
    hits: list[SearchHit]
    vectors: np.ndarray  # (rows, dim) float32, unit rows
    regions: np.ndarray  # (rows,) str
    text: _Bm25Field
    identifiers: _Bm25Field
    _masks: dict[str | None, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, client_id: str, version: str, rows: Sequence[dict[str, Any]]) -> TenantIndex:
        hits = []
        for row in rows:
            if row["client_id"] != client_id:
                raise CrossTenantHit(f"row {row['chunk_id']} is outside client {client_id}")
            hits.append(
                SearchHit(
                    chunk_id=str(row["chunk_id"]),
                    client_id=row["client_id"],
                    source_doc=row["source_doc"],
                    section=row["section"],
                    text=row["text"],
                    identifiers=row["identifiers"],
                    policy_version=row["policy_version"],
                    content_hash=row["content_hash"],
                    score=0.0,
                )
            )
        dim = len(rows[0]["dense"]) if rows else 0
        vectors = np.asarray([row["dense"] for row in rows], dtype=np.float32).reshape(
            len(rows), dim
        )
        return cls(
            client_id=client_id,
            version=version,
            hits=hits,
            vectors=np.ascontiguousarray(vectors),
            regions=np.asarray([row["region"] for row in rows], dtype=object),
            text=_Bm25Field([text_tokens(h.text) for h in hits]),
            identifiers=_Bm25Field([h.identifiers.split() for h in hits]),
        )

    def __len__(self) -> int:
        return len(self.hits)

    def mask(self, region: str | None) -> np.ndarray:
        """Rows visible in the region: its own documents and those for ALL regions."""
        if region not in self._masks:
            if region is None:
                self._masks[region] = np.ones(len(self.hits), dtype=bool)
            else:
                self._masks[region] = (self.regions == ALL_REGIONS) | (self.regions == region)
        return self._masks[region]

    # ------------------------------------------------------------ legs: (row, score) best first

    def dense(self, vector: np.ndarray, region: str | None, limit: int) -> list[tuple[int, float]]:
        if not self.hits:
            return []
        scores = _inner_products(self.vectors, np.asarray(vector, dtype=np.float32))
        return _top(scores, self.mask(region), limit, positive_only=False)

    def bm25(
        self, tokens: Sequence[str], region: str | None, limit: int
    ) -> list[tuple[int, float]]:
        return self._sparse(self.text, tokens, region, limit)

    def identifier(
        self, identifiers: Sequence[str], region: str | None, limit: int
    ) -> list[tuple[int, float]]:
        return self._sparse(self.identifiers, identifiers, region, limit)

    def _sparse(
        self, index: _Bm25Field, tokens: Sequence[str], region: str | None, limit: int
    ) -> list[tuple[int, float]]:
        scores = index.scores(tokens)
        if scores is None:
            return []
        # Like Milvus's sparse search: only rows sharing a term with the query are candidates.
        return _top(scores, self.mask(region), limit, positive_only=True)

    def hit(self, row: int, score: float) -> SearchHit:
        return self.hits[row].model_copy(update={"score": score})


class InProcessIndex:
    """The search legs of `PolicyStore`, served from per-tenant copies of its rows.

    Same methods and arguments as the store's legs, so `HybridPolicySearch` takes either.
    Copies are built lazily (one build per tenant at a time), checked against the tenant's
    version token on every query, and evicted least-recently-used beyond `max_chunks`.
    """

    def __init__(self, store: PolicyStore, *, max_chunks: int = DEFAULT_MAX_CHUNKS) -> None:
        self.store = store
        self.max_chunks = max_chunks
        self._indexes: OrderedDict[str, TenantIndex] = OrderedDict()
        self._lock = threading.Lock()
        self._build_locks: dict[str, threading.Lock] = {}
        self.builds = 0  # how many copies were read from Milvus (tests and benchmarks read it)

    # ------------------------------------------------------------ the store's search legs

    def search_dense(self, scope: TenantScope, vector: np.ndarray, limit: int) -> list[SearchHit]:
        index = self.tenant(scope)
        return _checked(scope, index, index.dense(vector, scope.region, limit))

    def search_bm25(self, scope: TenantScope, text: str, limit: int) -> list[SearchHit]:
        index = self.tenant(scope)
        return _checked(scope, index, index.bm25(text_tokens(text), scope.region, limit))

    def search_identifiers(
        self, scope: TenantScope, identifiers: Sequence[str], limit: int
    ) -> list[SearchHit]:
        index = self.tenant(scope)
        return _checked(scope, index, index.identifier(identifiers, scope.region, limit))

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
        """BM25 + dense (+ identifiers, when the query has any), fused as Milvus's RRFRanker
        fuses them (legs in the same order, ties kept in first-seen order)."""
        index = self.tenant(scope)
        legs = [
            index.bm25(text_tokens(text), scope.region, leg_limit),
            index.dense(vector, scope.region, leg_limit),
        ]
        if identifiers:
            legs.append(index.identifier(identifiers, scope.region, leg_limit))
        fused: dict[int, float] = {}
        for leg in legs:
            for rank, (row, _) in enumerate(leg, start=1):
                fused[row] = fused.get(row, 0.0) + 1.0 / (rrf_k + rank)
        best = sorted(fused.items(), key=lambda item: item[1], reverse=True)[:limit]
        return _checked(scope, index, best)

    # ------------------------------------------------------------ the per-tenant copies

    def tenant(self, scope: TenantScope) -> TenantIndex:
        """The scope's tenant copy, current with the store (rebuilt when its token moved)."""
        if not isinstance(scope, TenantScope):
            raise TypeError(f"searches take a TenantScope, not {type(scope).__name__}")
        client_id = scope.client_id
        version = self.store.tenant_version(client_id)
        with self._lock:
            index = self._indexes.get(client_id)
            if index is not None and index.version == version:
                self._indexes.move_to_end(client_id)
                return index
            build_lock = self._build_locks.setdefault(client_id, threading.Lock())
        with build_lock:
            with self._lock:  # another thread may have built it while this one waited
                index = self._indexes.get(client_id)
                if index is not None and index.version == version:
                    return index
            # The token is read before the rows: a write landing in between leaves this copy
            # at the older token, and the next query's check rebuilds it.
            version = self.store.tenant_version(client_id)
            index = TenantIndex.build(
                client_id, version, self.store.tenant_rows(TenantScope(client_id=client_id))
            )
            with self._lock:
                self.builds += 1
                self._indexes[client_id] = index
                self._indexes.move_to_end(client_id)
                self._evict(keep=client_id)
        return index

    def invalidate(self, client_id: str | None = None) -> None:
        """Drop one tenant's copy (or all): the next query reads it again."""
        with self._lock:
            if client_id is None:
                self._indexes.clear()
            else:
                self._indexes.pop(client_id, None)

    def cached_tenants(self) -> list[str]:
        with self._lock:
            return list(self._indexes)

    def _evict(self, *, keep: str) -> None:
        total = sum(len(i) for i in self._indexes.values())
        for client_id in list(self._indexes):
            if total <= self.max_chunks:
                break
            if client_id != keep:
                total -= len(self._indexes.pop(client_id))


def _checked(
    scope: TenantScope, index: TenantIndex, ranked: Sequence[tuple[int, float]]
) -> list[SearchHit]:
    hits = []
    for row, score in ranked:
        hit = index.hit(row, float(score))
        if hit.client_id != scope.client_id or index.client_id != scope.client_id:
            # The copy was built from this client's filter; if this ever happens, never leak.
            raise CrossTenantHit(f"hit {hit.chunk_id} is outside client {scope.client_id}")
        hits.append(hit)
    return hits


def _top(
    scores: np.ndarray, mask: np.ndarray, limit: int, *, positive_only: bool
) -> list[tuple[int, float]]:
    """The best `limit` rows under the mask, best first (ties: lower row first)."""
    allowed = mask & (scores > 0) if positive_only else mask
    candidates = np.flatnonzero(allowed)
    if len(candidates) == 0 or limit < 1:
        return []
    values = scores[candidates]
    if len(candidates) > limit:
        keep = np.argpartition(-values, limit - 1)[:limit]
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))
    return [(int(candidates[i]), float(values[i])) for i in order]


def _inner_products(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector in torch, on the one intra-op thread the shared encoder sets: numpy's
    OpenBLAS would start threads of its own on a busy 2-core machine (see rerank.py)."""
    import torch

    with torch.no_grad():
        return torch.mv(torch.from_numpy(matrix), torch.from_numpy(vector)).numpy()
