"""Policy search for one tenant: rewrite, hybrid legs, reciprocal rank fusion, rerank.

`HybridPolicySearch` is the `PolicySearch` behind the `search_policy_kb` tool. The client id and
region are required arguments and become a `TenantScope`, from which the store writes the
filter: no code path searches without one.

The legs run where the settings say (`RetrievalSettings.serves_in_process`): on Milvus Lite in
per-tenant in-process copies of the store's rows (`tenant_index.InProcessIndex`), on a Milvus
server in its own `hybrid_search`. Both take the same `TenantScope` and return the same hits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

import numpy as np

from app.retrieval.embedder import EncodedQuery, MiniLmEmbedder
from app.retrieval.query import QueryContext, rewrite_query
from app.retrieval.rerank import MaxSimReranker
from app.retrieval.scope import TenantScope
from app.retrieval.settings import RetrievalSettings
from app.retrieval.store import PolicyStore, SearchHit
from app.retrieval.tenant_index import InProcessIndex
from app.retrieval.token_cache import TokenEmbeddingCache
from app.routing.exemplar_index import default_model_id
from app.tools.spec import PolicyChunk


class SearchMode(StrEnum):
    HYBRID_RERANK = "hybrid_rerank"
    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"


class QueryEncoder(Protocol):
    def encode_query(
        self, text: str, *, with_tokens: bool, token_prefix: str | None = None
    ) -> EncodedQuery: ...


class Reranker(Protocol):
    """Scores query and chunk text together and reorders the fused candidates."""

    needs_query_tokens: bool

    def rerank(
        self,
        query: EncodedQuery,
        identifiers: Sequence[str],
        hits: Sequence[SearchHit],
        top_k: int,
    ) -> list[SearchHit]: ...


class SearchLegs(Protocol):
    """The tenant-scoped legs: `PolicyStore` (the server's hybrid_search) or `InProcessIndex`."""

    def search_dense(
        self, scope: TenantScope, vector: np.ndarray, limit: int
    ) -> list[SearchHit]: ...

    def search_bm25(self, scope: TenantScope, text: str, limit: int) -> list[SearchHit]: ...

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
    ) -> list[SearchHit]: ...


class HybridPolicySearch:
    def __init__(
        self,
        store: PolicyStore,
        encoder: QueryEncoder,
        reranker: Reranker | None = None,
        *,
        legs: SearchLegs | None = None,
        candidates: int = 20,
        leg_limit: int = 30,
        rrf_k: int = 60,
    ) -> None:
        self.store = store
        # Writes and ingestion always go to the store; searches to the legs (the store itself
        # unless told otherwise).
        self.legs: SearchLegs = legs if legs is not None else store
        self.encoder = encoder
        self.reranker = reranker
        self.candidates = candidates
        self.leg_limit = leg_limit
        self.rrf_k = rrf_k

    @classmethod
    def from_settings(
        cls, settings: RetrievalSettings, *, store: PolicyStore | None = None
    ) -> HybridPolicySearch:
        """The production wiring: the settings' Milvus collection (opened, and created when
        missing), the legs the settings select (in-process copies on Milvus Lite, the server's
        hybrid_search on a Milvus server), the shared MiniLM encoder, the reranker when
        enabled."""
        if store is None:
            store = PolicyStore(
                settings.milvus_uri, settings.collection, token=settings.milvus_token
            )
            store.ensure_collection()
        cache = TokenEmbeddingCache(settings.cache_dir, default_model_id())
        embedder = MiniLmEmbedder(token_cache=cache)
        return cls(
            store,
            embedder,
            MaxSimReranker(embedder, cache) if settings.reranker else None,
            legs=(
                InProcessIndex(store, max_chunks=settings.index_max_chunks)
                if settings.serves_in_process
                else store
            ),
            candidates=settings.candidates,
            leg_limit=settings.leg_limit,
            rrf_k=settings.rrf_k,
        )

    def close(self) -> None:
        self.store.close()

    @property
    def default_mode(self) -> SearchMode:
        return SearchMode.HYBRID if self.reranker is None else SearchMode.HYBRID_RERANK

    async def search(
        self,
        query: str,
        *,
        client_id: str,
        region: str,
        top_k: int,
        tier: str | None = None,
        category: str | None = None,
    ) -> list[PolicyChunk]:
        """The PolicySearch protocol. Milvus and the encoder are blocking: run in a thread."""
        scope = TenantScope(client_id=client_id, region=region)
        context = QueryContext(tier=tier, region=region, category=category)
        hits = await asyncio.to_thread(self.retrieve, query, scope, top_k=top_k, context=context)
        return [
            PolicyChunk(
                chunk_id=h.chunk_id,
                source_doc=h.source_doc,
                section=h.section,
                text=h.text,
                score=h.score,
                policy_version=h.policy_version,
            )
            for h in hits
        ]

    def retrieve(
        self,
        query: str,
        scope: TenantScope,
        *,
        top_k: int,
        context: QueryContext | None = None,
        mode: SearchMode | None = None,
    ) -> list[SearchHit]:
        if not isinstance(scope, TenantScope):
            raise TypeError("retrieve takes a TenantScope built from the verified identity")
        mode = mode or self.default_mode
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        rewritten = rewrite_query(query, context)
        if mode is SearchMode.BM25:
            return self.legs.search_bm25(scope, rewritten.text, top_k)
        rerank = mode is SearchMode.HYBRID_RERANK
        if rerank and self.reranker is None:
            raise ValueError("no reranker configured")
        with_tokens = rerank and self.reranker is not None and self.reranker.needs_query_tokens
        encoded = self.encoder.encode_query(
            rewritten.text, with_tokens=with_tokens, token_prefix=rewritten.original
        )
        if mode is SearchMode.DENSE:
            return self.legs.search_dense(scope, encoded.vector, top_k)
        fused = self.legs.search_hybrid(
            scope,
            text=rewritten.text,
            vector=encoded.vector,
            identifiers=rewritten.identifiers,
            limit=max(top_k, self.candidates) if rerank else top_k,
            leg_limit=max(self.leg_limit, top_k),
            rrf_k=self.rrf_k,
        )
        if rerank and self.reranker is not None:
            return self.reranker.rerank(encoded, rewritten.identifiers, fused, top_k)
        return fused
