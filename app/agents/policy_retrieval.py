"""The retrieval engine as the Policy worker's `PolicySearch`, opened on first use.

Every deployment builds the same `WorkerDeps` (app/agents/compose.py), but only the Policy
worker searches. Milvus Lite (a local file, the default) allows one process per file, so the
collection and the encoder are opened by the first search, in the process that serves it, and
never by the ingress or the other workers. With `MILVUS_URI` pointing at a Milvus server (or a
`milvus-lite server`), any number of replicas share it.

`MILVUS_URI=off` turns retrieval off (like `OSA_LLM_BASE_URL=off` for the models). The
readiness probe `milvus` reports on the same settings without opening a Lite file that another
process owns.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from app.retrieval.search import HybridPolicySearch
from app.retrieval.settings import DEFAULT_LITE_PATH, RetrievalSettings
from app.retrieval.store import is_lite_uri
from app.tools.spec import PolicyChunk


class OnDemandPolicySearch:
    """`HybridPolicySearch.from_settings`, built by the first search (off the event loop)."""

    def __init__(self, settings: RetrievalSettings | None = None) -> None:
        self.settings = settings or RetrievalSettings.load()
        self._engine: HybridPolicySearch | None = None
        self._lock = asyncio.Lock()

    @property
    def opened(self) -> HybridPolicySearch | None:
        return self._engine

    async def engine(self) -> HybridPolicySearch:
        async with self._lock:
            if self._engine is None:
                self._engine = await asyncio.to_thread(
                    HybridPolicySearch.from_settings, self.settings
                )
        return self._engine

    async def search(
        self, query: str, *, client_id: str, region: str, top_k: int
    ) -> list[PolicyChunk]:
        engine = await self.engine()
        return await engine.search(query, client_id=client_id, region=region, top_k=top_k)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.store.close()
            self._engine = None


def policy_search_from_env() -> OnDemandPolicySearch | None:
    """The engine the environment configures (MILVUS_URI, ...); None when MILVUS_URI is
    `off`: policy answers then say the documents cannot be searched."""
    if os.environ.get("MILVUS_URI", "").strip().lower() in ("off", "none"):
        return None
    return OnDemandPolicySearch(RetrievalSettings.load())


async def milvus_readiness(search: OnDemandPolicySearch | None) -> str:
    """ok when the policy collection can serve searches; never opens a Lite file itself.
    not_configured when retrieval is off, or the default Lite file was never ingested."""
    if search is None:
        return "not_configured"
    if search.opened is not None:
        count = await asyncio.to_thread(search.opened.store.count)
        return "ok" if count > 0 else "error: the policy collection is empty (ingest the KB)"
    settings = search.settings
    check = _lite_file_exists if is_lite_uri(settings.milvus_uri) else _server_has_collection
    return await asyncio.wait_for(asyncio.to_thread(check, settings), 3.0)


def _lite_file_exists(settings: RetrievalSettings) -> str:
    # The file belongs to the process that searches it (the Policy worker): never opened here.
    if Path(settings.milvus_uri).expanduser().exists():
        return "ok"
    if settings.milvus_uri == DEFAULT_LITE_PATH:
        return "not_configured"
    return f"error: no policy index at {settings.milvus_uri} (ingest the KB)"


def _server_has_collection(settings: RetrievalSettings) -> str:
    from pymilvus import MilvusClient

    client = MilvusClient(uri=settings.milvus_uri, token=settings.milvus_token or "", timeout=2.0)
    try:
        if not client.has_collection(settings.collection):
            return f"error: no collection {settings.collection!r} (ingest the KB)"
        return "ok"
    finally:
        client.close()
