"""Knowledge-base management for one tenant: the documents, a dry-run diff of an edited
document, the re-index, and a trial query with ranked chunks and scores.

It runs where the retrieval engine lives: Milvus Lite allows one process per file, so under
`serve run` that is the Policy worker's process (the ingress reaches it through the worker's
`kb` method); in tests and local tooling it is the one process. Every operation takes the
tenant from the verified token, and a document whose front matter names another tenant is
refused. Edits go through the same ingest path as `python -m app.kb ingest` (plan, then apply),
scoped to the one document, and the Markdown is written to the KB directory so that the next
full ingest keeps it.

`KbAdmin.call(op, args)` is the one entry point; it returns plain JSON (errors as
`{"error": {...}}`), so the same answers cross a Ray handle unchanged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from app.retrieval.chunking import KbChunk, chunk_documents
from app.retrieval.ingest import IngestPlan, apply_plan, plan_ingest
from app.retrieval.kb_format import KbFormatError, parse_document
from app.retrieval.query import QueryContext
from app.retrieval.scope import TenantScope
from app.retrieval.search import HybridPolicySearch, SearchMode
from app.retrieval.store import StoredChunk

DOC_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}\.md$")
MAX_DOC_CHARS = 200_000
MAX_QUERY_CHARS = 500


class KbRequestError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def as_json(self) -> dict[str, Any]:
        return {"error": {"status": self.status, "code": self.code, "message": self.message}}


class KbAdmin:
    def __init__(self, engine: HybridPolicySearch, kb_dir: Path | None) -> None:
        self.engine = engine
        self.kb_dir = kb_dir

    def call(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        handlers = {
            "documents": self.documents,
            "source": self.source,
            "plan": self.plan,
            "apply": self.apply,
            "query": self.query,
        }
        if op not in handlers:
            return KbRequestError(404, "unknown_operation", f"no KB operation {op!r}").as_json()
        try:
            return handlers[op](**args)
        except KbRequestError as exc:
            return exc.as_json()
        except TypeError as exc:
            return KbRequestError(422, "invalid_request", str(exc)).as_json()

    # ------------------------------------------------------------ reads

    def documents(self, client_id: str) -> dict[str, Any]:
        by_doc: dict[str, list[StoredChunk]] = defaultdict(list)
        for chunk in self.engine.store.stored_chunks([_scope(client_id).client_id]):
            by_doc[chunk.source_doc].append(chunk)
        docs = []
        for source_doc, chunks in sorted(by_doc.items()):
            first = chunks[0]
            docs.append(
                {
                    "source_doc": source_doc,
                    "title": first.title,
                    "region": first.region,
                    "product_category": first.product_category,
                    "policy_version": ", ".join(sorted({c.policy_version for c in chunks})),
                    "effective_date": first.effective_date,
                    "chunks": len(chunks),
                    "editable": self._path(client_id, source_doc, must_exist=False) is not None,
                }
            )
        return {"client_id": client_id, "documents": docs}

    def source(self, client_id: str, source_doc: str) -> dict[str, Any]:
        path = self._path(client_id, source_doc, must_exist=True)
        if path is None:
            raise KbRequestError(404, "unknown_document", "no editable source for this document")
        return {"source_doc": source_doc, "markdown": path.read_text(encoding="utf-8")}

    def query(
        self,
        client_id: str,
        query: str,
        region: str | None = None,
        top_k: int = 5,
        mode: str | None = None,
    ) -> dict[str, Any]:
        if not query.strip() or len(query) > MAX_QUERY_CHARS:
            raise KbRequestError(422, "invalid_query", f"1 to {MAX_QUERY_CHARS} characters")
        if not 1 <= int(top_k) <= 20:
            raise KbRequestError(422, "invalid_top_k", "top_k is 1 to 20")
        try:
            search_mode = SearchMode(mode) if mode else None
            scope = TenantScope(client_id=client_id, region=region or None)
        except ValueError as exc:
            raise KbRequestError(422, "invalid_request", str(exc)) from None
        hits = self.engine.retrieve(
            query,
            scope,
            top_k=int(top_k),
            context=QueryContext(region=region or None),
            mode=search_mode,
        )
        return {
            "mode": (search_mode or self.engine.default_mode).value,
            "hits": [
                {
                    "rank": rank,
                    "score": round(hit.score, 4),
                    "chunk_id": hit.chunk_id,
                    "source_doc": hit.source_doc,
                    "section": hit.section,
                    "policy_version": hit.policy_version,
                    "text": hit.text,
                }
                for rank, hit in enumerate(hits, start=1)
            ],
        }

    # ------------------------------------------------------------ edits

    def plan(self, client_id: str, name: str, markdown: str) -> dict[str, Any]:
        plan, _ = self._plan(client_id, name, markdown)
        return {"dry_run": True, **_plan_json(plan)}

    def apply(self, client_id: str, name: str, markdown: str) -> dict[str, Any]:
        plan, source_doc = self._plan(client_id, name, markdown)
        report = apply_plan(plan, self.engine.store, self.engine.encoder)  # type: ignore[arg-type]
        saved = False
        path = self._path(client_id, source_doc, must_exist=False)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(markdown, encoding="utf-8")
            saved = True
        return {
            "dry_run": False,
            **_plan_json(plan),
            "embedded": len(report.embedded_chunk_ids),
            "deleted": len(report.deleted_chunk_ids),
            "seconds": report.seconds,
            "saved_to_kb_dir": saved,
        }

    def _plan(self, client_id: str, name: str, markdown: str) -> tuple[IngestPlan, str]:
        _scope(client_id)
        if not DOC_NAME.fullmatch(name or ""):
            raise KbRequestError(
                422, "invalid_name", "name: lower-case letters, digits and dashes, ending in .md"
            )
        if len(markdown) > MAX_DOC_CHARS:
            raise KbRequestError(413, "document_too_large", f"at most {MAX_DOC_CHARS} characters")
        source_doc = f"{client_id}/{name}"
        try:
            document = parse_document(markdown, source_doc)
        except KbFormatError as exc:
            raise KbRequestError(422, "kb_format", str(exc)) from None
        if document.meta.client_id != client_id:
            raise KbRequestError(
                403,
                "wrong_tenant",
                f"front matter names client_id {document.meta.client_id!r}; "
                f"you manage {client_id!r}",
            )
        chunks = chunk_documents([document])
        if not chunks:
            raise KbRequestError(422, "kb_format", f"{source_doc}: no sections with text")
        stored = [
            s for s in self.engine.store.stored_chunks([client_id]) if s.source_doc == source_doc
        ]
        return plan_ingest(chunks, stored), source_doc

    def _path(self, client_id: str, source_doc: str, *, must_exist: bool) -> Path | None:
        if self.kb_dir is None:
            return None
        client, _, name = source_doc.partition("/")
        if client != client_id or not DOC_NAME.fullmatch(name):
            return None
        path = self.kb_dir / client_id / name
        return path if path.exists() or not must_exist else None


def _scope(client_id: str) -> TenantScope:
    try:
        return TenantScope(client_id=client_id)
    except ValueError as exc:
        raise KbRequestError(422, "invalid_client", str(exc)) from None


def _chunk_json(chunk: KbChunk) -> dict[str, Any]:
    return {
        "chunk_id": chunk.chunk_id,
        "section": chunk.section,
        "ordinal": chunk.ordinal,
        "policy_version": chunk.policy_version,
        "region": chunk.region,
        "text": chunk.text,
    }


def _plan_json(plan: IngestPlan) -> dict[str, Any]:
    return {
        "counts": plan.counts(),
        "noop": plan.is_noop,
        "version_changes": [c.model_dump() for c in plan.version_changes],
        "added": [_chunk_json(c) for c in plan.added],
        "changed": [_chunk_json(c) for c in plan.changed],
        "retagged": [_chunk_json(c) for c in plan.retagged],
        "removed": [
            {"chunk_id": s.chunk_id, "section": s.section, "policy_version": s.policy_version}
            for s in plan.removed
        ],
    }
