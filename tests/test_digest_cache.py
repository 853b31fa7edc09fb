"""The digest LRU keeps no text, stays within its size, and the encoder's cache returns the
model's own vectors."""

from __future__ import annotations

import numpy as np
import pytest

from app.digest_cache import DigestCache, text_digest


def test_keys_are_digests_and_the_oldest_goes_first() -> None:
    cache: DigestCache[int] = DigestCache(2)
    for n, text in enumerate(["a", "b", "c"]):
        cache.put(text_digest(text), n)
    assert len(cache) == 2 and all(len(k) == 16 for k in cache.keys())
    assert cache.get(text_digest("a")) is None and cache.get(text_digest("c")) == 2
    assert (cache.hits, cache.misses) == (1, 1)


def test_extra_strings_key_apart_in_any_order() -> None:
    assert text_digest("x", ["a", "b"]) == text_digest("x", ["b", "a"]) != text_digest("x")


def test_size_zero_keeps_nothing() -> None:
    cache: DigestCache[int] = DigestCache(0)
    cache.put(text_digest("a"), 1)
    assert len(cache) == 0


@pytest.mark.slow
def test_cached_embeddings_are_the_models_own() -> None:
    from app.routing.embeddings import SentenceEncoder

    encoder = SentenceEncoder()
    texts = ["where is my order order?", "hello there", "where is my order order?"]
    direct = encoder._onnx_batches(texts, 64, with_tokens=False)[0]
    first = encoder.encode(texts)
    again = encoder.encode(texts[:1])
    np.testing.assert_allclose(first, direct, atol=1e-6)
    np.testing.assert_allclose(again[0], direct[0], atol=1e-6)
    # A text twice in one call is looked up twice but computed and kept once.
    assert len(encoder._cache) == 2 and encoder._cache.hits == 1
