"""Misspelt words put right before the case is read: "nevr arived", "retrun the jaket".

Only a word that is no word at all is touched: one missing from the shared encoder's own
word-piece vocabulary (30k whole English words, so "ever" is never made "never"), and it is
replaced only by the single nearest word of the order domain or of the customer's own item
names, within one edit (two for words of seven letters or more). Chat spellings with one
meaning ("pls", "sox") are mapped outright. Hand-written because it is this small and bound to
that vocabulary; a general spell checker would "fix" item names and ids it does not know.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
DOMAIN = (
    "never", "arrived", "arrive", "arrives", "received", "receive", "return", "returned",
    "returning", "refund", "refunded", "receipt", "delivered", "delivery", "deliver", "package",
    "parcel", "order", "ordered", "missing", "damaged", "broken", "wrong", "signed", "signature",
    "please", "tracking", "replacement", "exchange", "nothing", "cancel", "money", "instead",
    "still", "lost", "instead", "doesn't", "didn't", "haven't", "hasn't", "wasn't", "isn't",
    "really", "though", "because", "already", "anything", "someone", "somebody", "stranger",
    "neighbour", "neighbor", "courier", "driver", "cracked", "smashed", "dented", "different",
    "colour", "color", "small", "large", "big", "fit", "size", "want", "would", "could",
    "delayed", "late", "week", "weeks", "arriving", "shipped", "shipping", "send", "back",
    "refunds", "returns", "items", "item", "everything", "except", "keep", "only", "just",
    "what", "where", "when", "happens", "after", "coming", "comes", "yet",
)  # fmt: skip
# Chat spellings with a single meaning in a message about an order.
_CHAT = {
    "pls": "please", "plz": "please", "plez": "please", "u": "you", "ur": "your",
    "sox": "socks", "thx": "thanks", "rcvd": "received", "recd": "received", "pkg": "package",
    "wanna": "want to", "gonna": "going to", "coz": "because", "cuz": "because", "bc": "because",
    "nvr": "never", "dont": "don't",
    "didnt": "didn't", "doesnt": "doesn't", "wasnt": "wasn't", "isnt": "isn't", "havent": "haven't",
    "cant": "can't", "wont": "won't", "im": "I'm", "ive": "I've",
}  # fmt: skip
_CHAT_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(k) for k in _CHAT) + r")(?![\w-])", re.IGNORECASE
)
# "want 2 return", "how 2 send": a 2 before a verb is "to" (never "2 pairs").
_TWO = re.compile(r"(?<![\w.,-])2(?= (?:return|send|get|have|be|know|ask|change|cancel)\b)")


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """Whole words of the encoder's vocabulary (empty if the tokenizer is not installed: then
    only the chat spellings are mapped, and nothing is "corrected" on a guess)."""
    try:
        from app.routing.onnx_encoder import model_source_dir

        vocab = json.loads((model_source_dir() / "tokenizer.json").read_text(encoding="utf-8"))
    except (ImportError, OSError, ValueError):
        return frozenset()
    words = vocab.get("model", {}).get("vocab", {})
    return frozenset(w for w in words if w.isalpha())


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (transpositions count one), stopping past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


def _nearest(word: str, targets: Iterable[str]) -> str | None:
    limit = 2 if len(word) >= 7 else 1
    best: list[str] = []
    best_d = limit + 1
    for target in targets:
        if target[0] != word[0] and limit == 1 and len(word) < 5:
            continue
        d = _distance(word, target, limit)
        if d < best_d:
            best, best_d = [target], d
        elif d == best_d and target not in best:
            best.append(target)
    return best[0] if len(best) == 1 and best_d <= limit else None


def correct(text: str, extra_words: Iterable[str] = ()) -> str:
    """`text` with non-words replaced by their one nearest domain or item word."""
    known = _known()
    extra = {w.lower() for w in extra_words if len(w) > 2 and w.isalpha()}
    # Item names are listed in the singular, customers write plurals: "cabels" is "cables".
    extra |= {w + "s" for w in extra if not w.endswith("s")}
    targets = sorted(set(DOMAIN) | extra)
    mapped = _TWO.sub("to", _CHAT_RE.sub(lambda m: _CHAT[m.group(1).lower()], text))
    if not known:
        return mapped

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if len(lower) < 4 or lower in known or lower in extra or lower in DOMAIN:
            return word
        better = _nearest(lower, targets)
        return better if better is not None else word

    return _WORD.sub(fix, mapped)
