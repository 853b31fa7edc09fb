"""Grounding check for policy answers: every statement must stand on a retrieved chunk.

A statement is what the Policy agent says about policy: one short sentence and the id of the
chunk it cites. It is grounded when

1. the cited chunk is one the search returned for this turn (no invented citations);
2. every value in it — numbers (digits or number words), amounts, SKUs, policy codes and other
   identifiers — appears in the cited chunk or in the platform's own output for this turn
   (`get_return_window`), compared as whole tokens, so "5" is not found inside "58";
3. its content words overlap the cited chunk: at least `min_content_words` of them, and at least
   `min_overlap` of them found in the chunk (after light normalisation: case, plurals);
4. it promises nothing: no "your refund has been approved", "I have started a return".

An answer is grounded when it has at least one statement and all of them are. The check is pure
(no model, no I/O) so it is tested case by case and runs on every answer before the customer
sees any of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Identifiers: SKU-9942-B, GBX-US-ELEC-R15, NWO-5100-C-FINAL, ORD-1000042, claim types.
_IDENTIFIER = re.compile(r"\b[A-Z]{2,5}(?:-[A-Z0-9]{1,12}){1,5}\b|\b[A-Z]{2,}(?:_[A-Z]{2,})+\b")
# Numbers with an optional currency sign; thousands separators are dropped when comparing.
_NUMBER = re.compile(r"(?<![\w.])([£€$])?\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?!\d)")
_WORD = re.compile(r"[a-z]+")
_NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(
        (
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
        ).split()
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "ninety": "90"}
_STOPWORDS = frozenset(
    """a an the and or but of to in on at by for from with within without into onto over under
    is are was were be been being am do does did done have has had having can could will would
    shall should may might must it its this that these those there here then than so as if
    i me my mine we us our ours you your yours he she they them their his her who whom which
    what when where why how all any each every some such only also just very more most
    about up down out off again once per via yes please""".split()
)
# First-person claims that something was done, or will be, for this customer.
_PROMISES = (
    re.compile(
        r"\b(?:i|we)\s*(?:'ve|have|has)\s+(?:\w+\s+)?"
        r"(?:approved|processed|issued|started|initiated|refunded|created|booked|arranged)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\byour\s+(?:refund|return|replacement)\s+(?:has\s+been|is|was)\s+(?:now\s+)?"
        r"(?:approved|processed|issued|started|initiated|confirmed|guaranteed|on its way)\b",
        re.IGNORECASE,
    ),
    # "I" only: the policy documents speak as "we" about what happens in general ("we refund
    # the order in full"), which is policy, not a promise to this customer.
    re.compile(
        r"\bI\s*(?:will|'ll)\s+(?:now\s+|definitely\s+|certainly\s+)?"
        r"(?:refund|approve|process|start|initiate)\s+(?:you|your|it|this|the)\b",
    ),
    re.compile(r"\byou\s+(?:will|'ll)\s+(?:definitely|certainly)\s+get\b", re.IGNORECASE),
)

MIN_OVERLAP = 0.6
MIN_CONTENT_WORDS = 2


@dataclass(frozen=True)
class Statement:
    """One thing the answer says about policy, and the chunk it cites."""

    text: str
    chunk_id: str


@dataclass(frozen=True)
class StatementVerdict:
    statement: Statement
    grounded: bool
    # None when grounded; else the first failed rule: citation_not_retrieved, unsupported_value,
    # too_short, low_overlap, promise.
    reason: str | None = None
    overlap: float = 0.0
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroundingReport:
    verdicts: tuple[StatementVerdict, ...]
    grounded: bool
    reason: str | None = None

    @property
    def failures(self) -> list[StatementVerdict]:
        return [v for v in self.verdicts if not v.grounded]

    def summary(self) -> str:
        if self.grounded:
            count = len(self.verdicts)
            return f"grounded ({count} statement{'s' if count != 1 else ''})"
        failed = self.failures
        if not failed:
            return f"ungrounded ({self.reason})"
        first = failed[0]
        detail = f": {', '.join(first.unsupported)}" if first.unsupported else ""
        return f"ungrounded ({first.reason}{detail})"


@dataclass
class GroundingCheck:
    """Checks statements against this turn's retrieved chunks and platform output."""

    chunks: Mapping[str, str]
    platform_facts: Sequence[str] = ()
    min_overlap: float = MIN_OVERLAP
    min_content_words: int = MIN_CONTENT_WORDS
    _chunk_values: dict[str, frozenset[str]] = field(default_factory=dict, init=False)
    _chunk_words: dict[str, frozenset[str]] = field(default_factory=dict, init=False)
    _platform_values: frozenset[str] = field(default=frozenset(), init=False)

    def __post_init__(self) -> None:
        self._chunk_values = {cid: values_in(text) for cid, text in self.chunks.items()}
        self._chunk_words = {
            cid: frozenset(content_words(text)) for cid, text in self.chunks.items()
        }
        self._platform_values = frozenset().union(*(values_in(f) for f in self.platform_facts))

    def statement(self, statement: Statement) -> StatementVerdict:
        if statement.chunk_id not in self.chunks:
            return StatementVerdict(statement, False, "citation_not_retrieved")
        allowed = self._chunk_values[statement.chunk_id] | self._platform_values
        unsupported = tuple(v for v in sorted(values_in(statement.text)) if v not in allowed)
        if unsupported:
            return StatementVerdict(statement, False, "unsupported_value", unsupported=unsupported)
        words = content_words(statement.text)
        if len(set(words)) < self.min_content_words:
            return StatementVerdict(statement, False, "too_short")
        found = self._chunk_words[statement.chunk_id]
        overlap = sum(1 for w in words if w in found) / len(words)
        if overlap < self.min_overlap:
            return StatementVerdict(statement, False, "low_overlap", overlap=round(overlap, 3))
        if makes_promise(statement.text):
            return StatementVerdict(statement, False, "promise", overlap=round(overlap, 3))
        return StatementVerdict(statement, True, overlap=round(overlap, 3))

    def answer(self, statements: Iterable[Statement]) -> GroundingReport:
        verdicts = tuple(self.statement(s) for s in statements)
        if not verdicts:
            return GroundingReport((), False, "no_statements")
        grounded = all(v.grounded for v in verdicts)
        return GroundingReport(verdicts, grounded, None if grounded else "statement_failed")


def values_in(text: str) -> frozenset[str]:
    """Identifiers, numbers and amounts, normalised for comparison."""
    values: set[str] = set(_IDENTIFIER.findall(text))
    rest = _IDENTIFIER.sub(" ", text)
    for currency, whole, fraction in _NUMBER.findall(rest):
        number = whole.replace(",", "") + (f".{fraction}" if fraction else "")
        values.add(number)
        if currency:
            values.add(currency + number)
    for word in _WORD.findall(rest.lower()):
        if word in _NUMBER_WORDS:
            values.add(_NUMBER_WORDS[word])
    return frozenset(values)


def content_words(text: str) -> list[str]:
    """Lower-cased, singularised words that carry meaning (no stopwords, no numbers)."""
    words = _WORD.findall(_IDENTIFIER.sub(" ", text).lower())
    return [_singular(w) for w in words if w not in _STOPWORDS and w not in _NUMBER_WORDS]


def makes_promise(text: str) -> bool:
    return any(pattern.search(text) for pattern in _PROMISES)


def _singular(word: str) -> str:
    """Light normalisation, the same on both sides of every comparison: plurals and the
    commonest verb endings ("returned", "returning" -> "return")."""
    if len(word) > 6 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 5 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
