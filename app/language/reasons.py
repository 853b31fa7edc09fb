"""Why the customer writes and what they ask for: two small linear heads over the shared
MiniLM sentence embedding, trained by `python -m app.language.train_case`.

The heads read meaning, not phrases: "never turned up", "some stranger signed for it" and "I
don't have it" land near the training examples of the same reason in any wording. Ids and
amounts are replaced by placeholders first (`for_classifier`), so an order number never sways
the reading.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.language.named import for_classifier

_CLAUSE = re.compile(r"[.,;!?\n]+|\s-\s|\bbut\b|\bbecause\b|\bsince\b", re.IGNORECASE)
ARTIFACT_PATH = Path(__file__).resolve().parent / "models" / "case.json"


_ITEM_RUN = re.compile(r"\bitem(?:\s+item)+\b")
_WORDS = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
# Words of item names that are also words of the request itself: never masked.
_KEEP = frozenset(
    {"the", "a", "an", "and", "of", "for", "with", "in", "set", "pack", "kit", "pair", "one",
     "case", "back", "return", "refund", "order", "box", "sale", "final", "new", "big", "small"}
)  # fmt: skip


def heads_text(message: str, item_words: Iterable[str] = ()) -> str:
    """What the heads read: misspellings put right, and the customer's item names made "item"
    (which item it is never says why they write; "the headphones never came" must read like
    "the scarf never came")."""
    from app.language.gloss import gloss
    from app.language.spelling import correct

    words = [w.lower() for w in item_words]
    # Other languages' domain words in English first, so the spelling pass leaves them be.
    text = correct(gloss(message), words)
    names = {w for w in words if w.isalpha() and len(w) > 2 and w not in _KEEP}
    names |= {w[:-1] for w in names if w.endswith("s") and len(w) > 4}
    if not names:
        return text

    def mask(match: re.Match[str]) -> str:
        word = match.group(0).lower()
        bare = word[:-1] if word.endswith("s") and len(word) > 4 else word
        return "item" if word in names or bare in names else match.group(0)

    return _ITEM_RUN.sub("item", _WORDS.sub(mask, text))


class Reason(StrEnum):
    NOT_RECEIVED = "not_received"
    STRANGER_SIGNED = "stranger_signed"
    WRONG_ITEM = "wrong_item"
    DAMAGED = "damaged"
    DOESNT_FIT = "doesnt_fit"
    CHANGED_MIND = "changed_mind"
    LATE = "late"
    LOST_RECEIPT = "lost_receipt"
    NONE = "none"


class Ask(StrEnum):
    REFUND = "refund"
    RETURN = "return"
    REPLACEMENT = "replacement"
    UNSTATED = "unstated"  # a complaint that names no outcome
    NONE = "none"  # not a request for an outcome at all


class Encoder:
    """What the heads need of an encoder (app.routing.embeddings.SentenceEncoder fits)."""

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...


@dataclass(frozen=True)
class Head:
    classes: tuple[str, ...]
    coef: np.ndarray  # (classes, dim)
    intercept: np.ndarray  # (classes,)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = vectors @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def dump(self) -> dict[str, object]:
        return {
            "classes": list(self.classes),
            "coef": [[round(float(w), 6) for w in row] for row in self.coef],
            "intercept": [round(float(b), 6) for b in self.intercept],
        }

    @classmethod
    def load(cls, data: dict[str, object]) -> Head:
        return cls(
            tuple(data["classes"]),  # type: ignore[arg-type]
            np.asarray(data["coef"], dtype=np.float32),
            np.asarray(data["intercept"], dtype=np.float32),
        )


@dataclass(frozen=True)
class Gist:
    reason: Reason
    reason_p: float
    ask: Ask
    ask_p: float


@dataclass(frozen=True)
class CaseHeads:
    reason: Head
    ask: Head

    def read(self, messages: Sequence[str], encoder: Encoder) -> list[Gist]:
        """What is asked is read from the whole message; why, from its clearest clause ("I want
        a refund for the order, it never arrived": the reason sits in the second clause)."""
        pieces = [[for_classifier(m), *clauses(m)] for m in messages]
        flat = [p for group in pieces for p in group]
        vectors = encoder.encode(flat)
        reasons = self.reason.probabilities(vectors)
        asks = self.ask.probabilities(vectors)
        none = self.reason.classes.index(Reason.NONE.value)
        out = []
        start = 0
        for group in pieces:
            rows = reasons[start : start + len(group)]
            whole_ask = _ask_of_clauses(self.ask.classes, asks[start : start + len(group)])
            start += len(group)
            best = _clearest_reason(rows, none, self.reason.classes)
            ri, ai = int(best.argmax()), int(whole_ask.argmax())
            out.append(
                Gist(
                    Reason(self.reason.classes[ri]),
                    float(best[ri]),
                    Ask(self.ask.classes[ai]),
                    float(whole_ask[ai]),
                )
            )
        return out


# A lost receipt is a circumstance, not what went wrong: "I've lost the receipt ... the bag never
# arrived" is about a bag that never arrived. It is the reason only when no clause says another.
MIN_OTHER_REASON_P = 0.4


def _clearest_reason(rows: np.ndarray, none: int, classes: tuple[str, ...]) -> np.ndarray:
    best = rows[0]
    for row in rows[1:]:
        if (row.argmax() != none and row.max() > best.max()) or best.argmax() == none:
            best = row if row.argmax() != none else best
    receipt = classes.index(Reason.LOST_RECEIPT.value)
    if int(best.argmax()) == receipt:
        others = [
            row
            for row in rows
            if int(row.argmax()) not in (none, receipt) and row.max() >= MIN_OTHER_REASON_P
        ]
        if others:
            return max(others, key=lambda row: float(row.max()))
    return best


# A clause that asks for an outcome this plainly decides the ask of a message the whole of
# which reads as no request, or as a complaint without one ("My order never arrived, I would
# like a refund."): a long complaint dilutes the ask in the whole message's embedding.
MIN_CLAUSE_ASK_P = 0.6
_CONCRETE_ASKS = frozenset({"refund", "return", "replacement"})


# In a long message the request is one clause among many ("The postman says he left it but
# ... I'd like my money please."): a clause that asks for one outcome this much more plainly
# than the whole message asks for another decides.
CLAUSE_OVER_WHOLE = 0.15


def _ask_of_clauses(classes: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    whole = rows[0]
    concrete = [
        row
        for row in rows[1:]
        if classes[int(row.argmax())] in _CONCRETE_ASKS and row.max() >= MIN_CLAUSE_ASK_P
    ]
    clearest = max(concrete, key=lambda row: float(row.max())) if concrete else None
    if classes[int(whole.argmax())] in _CONCRETE_ASKS:
        if clearest is not None and clearest.max() >= whole.max() + CLAUSE_OVER_WHOLE:
            return clearest
        return whole
    return clearest if clearest is not None else whole


def clauses(message: str) -> list[str]:
    """The message's clauses when it has more than one (split on punctuation and "but")."""
    parts = [p.strip() for p in _CLAUSE.split(for_classifier(message)) if len(p.strip()) > 3]
    return parts if len(parts) > 1 else []


@lru_cache(maxsize=1)
def case_heads(path: Path = ARTIFACT_PATH) -> CaseHeads:
    data = json.loads(path.read_text(encoding="utf-8"))
    return CaseHeads(Head.load(data["reason"]), Head.load(data["ask"]))
