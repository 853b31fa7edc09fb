"""Late-interaction (MaxSim) reranking over MiniLM's token embeddings: no training, no weights.

Each query word piece is matched with its most similar word piece of the chunk, and the
similarities are averaged (ColBERT's MaxSim): the score sees query and chunk together, token by
token, instead of comparing two pooled vectors, and covers the whole chunk, past the 254 word
pieces the dense vector reads. No PyPI package ships cross-encoder weights, and a cross-encoder
pass per candidate would cost ~90 ms each on a CPU core; MaxSim costs one query pass (shared
with the dense leg) and a few small matrix products over cached chunk tokens.

Final order: MaxSim, plus a small prior from the fused rank (a near-tie keeps the hybrid order)
and a bonus for naming the query's exact identifier; a chunk that names only a look-alike of it
(SKU-9942-A when SKU-9942-B was asked) never outranks one that does not, so the identifier leg's
exactness survives the rerank. The weights were chosen on the KB's query set
(evals/retrieval.py) from small grids (prior 0-0.12, exact 0-0.1) and checked on a second set
over the external policies (evals/data/retrieval_external.jsonl).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.observability.metrics import observe_rerank_top_score
from app.retrieval.embedder import EncodedQuery, MiniLmEmbedder
from app.retrieval.store import SearchHit
from app.retrieval.token_cache import TokenEmbeddingCache

PRIOR_WEIGHT = 0.05
EXACT_WEIGHT = 0.05


class MaxSimReranker:
    needs_query_tokens = True

    def __init__(
        self,
        embedder: MiniLmEmbedder,
        cache: TokenEmbeddingCache,
        *,
        prior_weight: float = PRIOR_WEIGHT,
        exact_weight: float = EXACT_WEIGHT,
    ) -> None:
        self.embedder = embedder
        self.cache = cache
        self.prior_weight = prior_weight
        self.exact_weight = exact_weight

    def rerank(
        self,
        query: EncodedQuery,
        identifiers: Sequence[str],
        hits: Sequence[SearchHit],
        top_k: int,
    ) -> list[SearchHit]:
        if not hits:
            return []
        if query.tokens is None or len(query.tokens) == 0:
            return list(hits[:top_k])
        similarities = maxsim_scores(query.tokens, self._chunk_tokens(hits))
        wanted = set(identifiers)
        scored = []
        for rank, (hit, similarity) in enumerate(zip(hits, similarities, strict=True), start=1):
            score = float(similarity) + self.prior_weight / rank**0.5
            held = set(hit.identifiers.split())
            if wanted & held:
                score += self.exact_weight  # the chunk names the identifier that was asked
            # A chunk that names only a look-alike (SKU-9942-A for SKU-9942-B) never outranks
            # one that does not: the identifier leg's exactness survives the rerank.
            lookalike = not wanted & held and any(_near(w, h) for w in wanted for h in held)
            scored.append((not lookalike, score, -rank, hit))
        scored.sort(key=lambda item: item[:3], reverse=True)
        # The top score's distribution is the drift signal: a KB or query mix that stops
        # matching shows up as a shift down before grounding failures do.
        observe_rerank_top_score(scored[0][1])
        return [hit.model_copy(update={"score": round(s, 6)}) for _, s, _, hit in scored[:top_k]]

    def _chunk_tokens(self, hits: Sequence[SearchHit]) -> list[np.ndarray]:
        found = {h.content_hash: self.cache.get(h.content_hash) for h in hits}
        missing = [h for h in hits if found[h.content_hash] is None]
        if missing:
            # Chunks ingested by a process without this cache (or evicted): encode them once.
            unique = {h.content_hash: h.text for h in missing}
            for key, rows in zip(
                unique, self.embedder.chunk_tokens(list(unique.values())), strict=True
            ):
                self.cache.put(key, rows)
                found[key] = self.cache.get(key)
        return [found[h.content_hash] for h in hits]  # type: ignore[misc]


def maxsim_scores(query_tokens: np.ndarray, chunks: Sequence[np.ndarray]) -> np.ndarray:
    """For each chunk, the mean over query tokens of the best cosine with any of the chunk's
    tokens (rows are unit vectors).

    One matrix product over all candidates' tokens, in torch: it runs on the one intra-op
    thread the shared encoder sets, where numpy's OpenBLAS would start its own threads and, on
    a busy 2-core machine, take ~20x longer for these small products.
    """
    import torch

    blocks = [c if len(c) else np.zeros((1, query_tokens.shape[1]), np.float32) for c in chunks]
    offsets = np.cumsum([0, *(len(b) for b in blocks[:-1])])
    with torch.no_grad():
        stacked = torch.from_numpy(np.ascontiguousarray(np.concatenate(blocks), np.float32))
        similarities = (torch.from_numpy(query_tokens.astype(np.float32)) @ stacked.T).numpy()
    return np.maximum.reduceat(similarities, offsets, axis=1).mean(axis=0)


def _near(wanted: str, held: str) -> bool:
    """Look-alike identifiers: same length, one character apart (sku9942a / sku9942b)."""
    return len(wanted) == len(held) and sum(a != b for a, b in zip(wanted, held, strict=True)) == 1
