"""Chunk and query embeddings from the shared MiniLM encoder (app/routing/embeddings.py).

One model per process serves the router, the injection classifier and retrieval. MiniLM reads
254 word pieces (256 with [CLS]/[SEP]): a chunk's dense vector comes from its heading and first
~240 tokens, as the model truncates. The late-interaction reranker needs every token, so longer
chunks are also encoded in further overlapping windows for their token embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.retrieval.chunking import content_hash
from app.retrieval.token_cache import TokenEmbeddingCache
from app.retrieval.tokens import TokenCounter, minilm_token_counter
from app.routing.embeddings import SentenceEncoder, shared_encoder

WINDOW_TOKENS = 254
WINDOW_STRIDE = 222  # 32 tokens of overlap: no word loses its context at a window edge


@dataclass(frozen=True)
class EncodedQuery:
    text: str
    vector: np.ndarray
    tokens: np.ndarray | None  # (n, 384) unit rows, when a reranker needs them


class MiniLmEmbedder:
    def __init__(
        self,
        encoder: SentenceEncoder | None = None,
        *,
        token_cache: TokenEmbeddingCache | None = None,
        counter: TokenCounter | None = None,
        batch_size: int = 16,
    ) -> None:
        self.encoder = encoder or shared_encoder()
        self.token_cache = token_cache
        self.counter = counter or minilm_token_counter()
        self.batch_size = batch_size

    def embed_chunks(self, texts: Sequence[str]) -> np.ndarray:
        """Dense vectors; with a token cache, the chunks' token embeddings are cached from the
        same forward pass (so reranking never has to encode a freshly ingested chunk)."""
        if self.token_cache is None:
            return self.encoder.encode(texts, batch_size=self.batch_size)
        vectors, tokens = self._encode_windows(texts)
        for text, rows in zip(texts, tokens, strict=True):
            self.token_cache.put(content_hash(text), rows)
        return vectors

    def chunk_tokens(self, texts: Sequence[str]) -> list[np.ndarray]:
        return self._encode_windows(texts)[1]

    def embed_query(self, text: str) -> np.ndarray:
        return self.encoder.encode_one(text)

    def encode_query(
        self, text: str, *, with_tokens: bool, token_prefix: str | None = None
    ) -> EncodedQuery:
        """The query's vector and, when asked, its token embeddings from the same pass; with
        `token_prefix` (the customer's words before the rewrite's additions), only that
        prefix's tokens: appended context words help the legs but blur MaxSim's average."""
        if not with_tokens:
            return EncodedQuery(text, self.embed_query(text), None)
        vectors, tokens = self.encoder.encode_with_tokens([text])
        rows = tokens[0]
        if token_prefix is not None and text.startswith(token_prefix):
            rows = rows[: max(1, self.counter.count(token_prefix))]
        return EncodedQuery(text, _unit(vectors[0]), rows)

    def _encode_windows(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        windows: list[str] = []
        owners: list[int] = []
        for index, text in enumerate(texts):
            for window in self._windows(text):
                windows.append(window)
                owners.append(index)
        vectors, tokens = self.encoder.encode_with_tokens(windows, batch_size=self.batch_size)
        firsts: dict[int, np.ndarray] = {}
        rows: dict[int, list[np.ndarray]] = {}
        for owner, vector, window_tokens in zip(owners, vectors, tokens, strict=True):
            firsts.setdefault(owner, vector)
            rows.setdefault(owner, []).append(window_tokens)
        dense = np.stack([_unit(firsts[i]) for i in range(len(texts))])
        return dense, [np.concatenate(rows[i]) for i in range(len(texts))]

    def _windows(self, text: str) -> list[str]:
        spans = self.counter.spans(text).spans
        if len(spans) <= WINDOW_TOKENS:
            return [text]
        windows = []
        for start in range(0, len(spans), WINDOW_STRIDE):
            end = min(start + WINDOW_TOKENS, len(spans))
            windows.append(text[spans[start][0] : spans[end - 1][1]])
            if end == len(spans):
                break
        return windows


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)
