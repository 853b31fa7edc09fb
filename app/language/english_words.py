"""Whether a word is English: the shared encoder's whole-word pieces (~20k words, shipped with
the model), with their regular inflections."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    from app.routing.onnx_encoder import model_source_dir

    vocab = (model_source_dir() / "vocab.txt").read_text(encoding="utf-8").split()
    return frozenset(w for w in vocab if w.isalpha())


def is_english(word: str) -> bool:
    """`word` lower-cased is a known English word or a regular inflection of one ("relayed",
    "rerouting")."""
    words = _english_words()
    if word in words:
        return True
    for suffix in ("ed", "d", "ing", "es", "s", "ly"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and (stem in words or stem + "e" in words):
            return True
    return False


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def near_english(word: str) -> bool:
    """`word` is English or, at seven letters or more, one slip (a letter left out, added,
    changed or two swapped) from an English word: "daughtrs", "pitcure", "recieved"."""
    if is_english(word):
        return True
    if len(word) < 7:
        return False
    words = _english_words()
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    candidates = (
        [a + b[1:] for a, b in splits if b]
        + [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
        + [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
        + [a + c + b for a, b in splits for c in _LETTERS]
    )
    return any(c in words for c in candidates)
