"""Which of an order's lines a phrase means when it shares no word with their names.

"the sneakers" for Trail Running Shoes, "the charger" for a USB-C Power Adapter, "the clothing"
for the one garment of a mixed order: the phrase and each line name are embedded by the shared
MiniLM encoder (app/routing/embeddings.py) and compared by cosine. A phrase means a line only
when that line is clearly nearest: at least MIN_SIMILARITY, and MIN_MARGIN above the next line
of the same order; a phrase near two lines means both (the caller asks which). A phrase that is
one of the things a support message talks about that are not goods ("the box", "the app",
"my neighbour", "the money"), or clearly nearer to one of them than to any line, is no item.

A phrase in everyday or regional words ("the jumper", "the telly", "me thongs") is read with
its plain words (goods_words.py): the encoder knows "sweater pullover" far better than
"jumper".

Only words no line's name contains are read this way: word matches stay with items.py, which
is exact about them. Embeddings are cached per phrase and per name, so a turn that reads the
same message against several orders encodes each phrase once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from app.language.goods_words import gloss_goods

# Measured on the shared encoder (raw phrases, no template): real synonyms sit at 0.32 ("flask"
# -> Insulated Water Bottle) to 0.71 ("raincoat" -> Rain Shell Jacket), words about the delivery
# or the customer's life at 0.13-0.29 against the same lines.
MIN_SIMILARITY = 0.31
MIN_MARGIN = 0.07
# Single words sit 0.3-0.45 from many unrelated words, so a candidate is taken for one of
# NOT_GOODS only when it is nearly that word ("packaging" for "box") or clearly nearer to it.
SAME_WORD = 0.6
NOT_GOODS_LEAD = 0.1
# What a support message mentions besides the goods: "the box was empty" is about the parcel,
# not the sleeping bag.
NOT_GOODS = (
    "box", "parcel", "package", "packaging", "envelope", "delivery", "courier", "driver",
    "postage", "shipping", "label", "order", "receipt", "refund", "money", "payment", "card",
    "address", "door", "porch", "house", "neighbour", "app", "website", "tracking", "email",
)  # fmt: skip


@dataclass(frozen=True)
class Meaning:
    """The lines a phrase means (one, or several when it is near more than one)."""

    names: tuple[str, ...]
    similarity: float


# Phrase -> embedding. A plain dict, cleared when full: lru_cache cannot be filled by a batch.
_SEEDED: dict[str, np.ndarray] = {}
_CACHE_SIZE = 8192


def _embed(texts: Sequence[str]) -> np.ndarray:
    missing = [t for t in dict.fromkeys(texts) if t not in _SEEDED]
    fresh: dict[str, np.ndarray] = {}
    if missing:
        from app.routing.embeddings import shared_encoder

        fresh = dict(zip(missing, shared_encoder().encode(missing), strict=True))
        if len(_SEEDED) + len(fresh) > _CACHE_SIZE:
            _SEEDED.clear()
        _SEEDED.update(fresh)
    return np.stack([fresh[t] if t in fresh else _SEEDED[t] for t in texts])


@lru_cache(maxsize=1)
def _not_goods() -> np.ndarray:
    return _embed(NOT_GOODS)


def meanings(phrases: Sequence[str], names: Sequence[str]) -> list[Meaning | None]:
    """For each phrase, the lines of `names` it means, or None when it means none of them."""
    if not phrases or not names:
        return [None] * len(phrases)
    vectors = _embed([gloss_goods(p) for p in phrases])
    lines = _embed([n.lower() for n in names]) @ vectors.T  # (names, phrases)
    other = (_not_goods() @ vectors.T).max(axis=0)
    out: list[Meaning | None] = []
    for k in range(len(phrases)):
        scores = lines[:, k]
        best = float(scores.max())
        if best < MIN_SIMILARITY or float(other[k]) >= max(best + NOT_GOODS_LEAD, SAME_WORD):
            out.append(None)
            continue
        near = tuple(n for n, s in zip(names, scores, strict=True) if best - float(s) < MIN_MARGIN)
        out.append(Meaning(near, round(best, 4)))
    return out
