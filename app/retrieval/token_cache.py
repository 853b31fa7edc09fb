"""Chunk token embeddings for the late-interaction reranker, cached by content hash.

A chunk's word-piece embeddings (~100-500 rows of 384 floats) are computed once, when the chunk
is embedded at ingestion or first reranked, and kept in memory and on disk (float16 `.npy`
under `var/cache/retrieval/maxsim/<model>/`). The key is the chunk's content hash, so a changed
chunk can never be scored with stale tokens, and every process on the machine shares the files.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

log = logging.getLogger("app.retrieval")


class TokenEmbeddingCache:
    def __init__(self, directory: Path | None, model_id: str, max_in_memory: int = 2048) -> None:
        model_key = hashlib.sha256(model_id.encode()).hexdigest()[:12]
        self.directory = None if directory is None else directory / "maxsim" / model_key
        self.max_in_memory = max_in_memory
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, content_hash: str) -> np.ndarray | None:
        with self._lock:
            found = self._memory.get(content_hash)
            if found is not None:
                self._memory.move_to_end(content_hash)
                return found
        if self.directory is None:
            return None
        try:
            rows = np.load(self._path(content_hash), allow_pickle=False)
        except (OSError, ValueError):
            return None
        rows = rows.astype(np.float32)
        self._remember(content_hash, rows)
        return rows

    def put(self, content_hash: str, rows: np.ndarray) -> None:
        # Rounded to float16 in memory too: a score never depends on where the rows came from.
        rows = np.ascontiguousarray(rows, dtype=np.float16).astype(np.float32)
        self._remember(content_hash, rows)
        if self.directory is None:
            return
        path = self._path(content_hash)
        if path.exists():
            return
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as out:
                np.save(out, rows.astype(np.float16), allow_pickle=False)
            os.replace(tmp, path)  # readers never see half a file
        except OSError as exc:  # a read-only disk costs recomputation, nothing else
            log.warning("could not cache token embeddings at %s: %s", path, exc)
            tmp.unlink(missing_ok=True)

    def _remember(self, content_hash: str, rows: np.ndarray) -> None:
        with self._lock:
            self._memory[content_hash] = rows
            self._memory.move_to_end(content_hash)
            while len(self._memory) > self.max_in_memory:
                self._memory.popitem(last=False)

    def _path(self, content_hash: str) -> Path:
        assert self.directory is not None
        if not content_hash.isalnum():
            raise ValueError("content hashes are hex digests")
        return self.directory / content_hash[:2] / f"{content_hash}.npy"
