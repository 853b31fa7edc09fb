"""A bounded, thread-safe LRU keyed by a digest of text: results of deterministic work on text
that repeats (a scrubbed follow-up, a router's form of "where is my order <id>?") kept per
process, with the text itself never held as a key.

Hand-written rather than `functools.lru_cache` (which keys by the text and cannot be shared
across the methods that fill it) or `cachetools` (not a declared dependency for this alone):
an OrderedDict and a lock are all it is.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


def text_digest(text: str, extra: Sequence[str] = ()) -> bytes:
    """16 bytes of BLAKE2b over the text and, order-free, the extra strings that change the
    result (the same text with other protected ids scrubs apart)."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
    for value in sorted(extra):
        digest.update(b"\0" + value.encode("utf-8", "surrogatepass"))
    return digest.digest()


class DigestCache(Generic[T]):
    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[bytes, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> T | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return found

    def put(self, key: bytes, value: T) -> T:
        if self.size <= 0:
            return value
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[bytes]:
        with self._lock:
            return list(self._items)
