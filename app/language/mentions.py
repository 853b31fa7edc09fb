"""Deterministic reading of customer text: ids, amounts, and the word lists both parsers share.

No model is involved: the confirmation gate and the request parser must work when the model is
down or weak. Everything here is conservative: what is not recognised stays unrecognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.routing.order_resolution import mentioned_ids

# Money and ids as every reader of customer text sees them (mentions, the case reader's named
# things, the claim check): one pattern each.
CURRENCY_SIGNS = {"$": "USD", "£": "GBP", "€": "EUR"}
CURRENCY_WORDS = {
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "quid": "GBP",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
}
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d{1,7})(?:\.\d{1,2})?"
MONEY = re.compile(
    rf"(?P<sign>[$£€])\s?(?P<a>{_NUMBER})"
    rf"|(?P<b>{_NUMBER})\s?(?P<word>{'|'.join(sorted(CURRENCY_WORDS, key=len, reverse=True))})\b"
    rf"|(?<![\w.])(?P<c>\d{{1,7}}\.\d{{2}})(?![\w.])",
    re.IGNORECASE,
)
IDS = re.compile(r"\b(?:ORD|AWB|SKU|REF|RET|TCK)-[0-9A-Z-]+\b", re.IGNORECASE)
_MONEY, _IDS = MONEY, IDS
_DIGIT = re.compile(r"\d")
_REFERENCE = re.compile(
    r"\b(?:PO|P\.O\.|purchase order|ref|reference|invoice|inv|ticket|case|claim)"
    r"(?:[ \t]*(?:no\.?|number|nr\.?|#|:))?[ \t]*-?[ \t]*[A-Z]{0,4}-?\d[\dA-Z-]*\b",
    re.IGNORECASE,
)
# How long the customer has waited ("I've been waiting 3 weeks", "it came 10 days late", "2
# weeks ago"): a complaint about the past, not a number of anything the proposal could change.
_UNIT = r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?)"
_PAST_DURATION = re.compile(
    rf"\b(?:been|waited|waiting|took|taken|late[,\s]+)\s*(?:for\s+)?(?:about\s+|almost\s+|"
    rf"nearly\s+|like\s+|over\s+|more than\s+)?\d{{1,3}}\s*{_UNIT}\b"
    rf"(?!\s+(?:from now|later|more|extra|to go|time))"
    rf"|\b\d{{1,3}}\s*{_UNIT}\s+(?:ago|late|overdue)\b",
    re.IGNORECASE,
)
_SKU = re.compile(r"\bSKU-[0-9]{4}-[A-Z]\b", re.IGNORECASE)
# Words: letters with inner apostrophes ("don't", "you're"); curly quotes are normalised first.
WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")

HUMAN_PHRASES = (
    "human",
    "real person",
    "a person",
    "someone real",
    "representative",
    "supervisor",
    "manager",
    "operator",
    "live agent",
    "an agent",
    "customer service agent",
    "support agent",
    "talk to someone",
    "speak to someone",
    "speak with someone",
    "talk to somebody",
    "speak to somebody",
)


@dataclass(frozen=True)
class Mentions:
    """Identifiers and amounts a message names, and the words left once they are removed."""

    order_ids: frozenset[str]
    awbs: frozenset[str]
    skus: frozenset[str]
    amounts: tuple[float, ...]
    # A number that is neither an id nor a recognisable amount ("2", "50%"): unclear.
    stray_numbers: bool
    words: tuple[str, ...]
    text: str  # lower-cased, quotes normalised, ids and amounts blanked


def normalise(text: str) -> str:
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
        .strip()
    )


def _amount(raw: str) -> float:
    return round(float(raw.replace(",", "")), 2)


def read_mentions(message: str) -> Mentions:
    text = normalise(message)
    order_ids, awbs = mentioned_ids(text)
    skus = {m.group(0).upper() for m in _SKU.finditer(text)}
    amounts: list[float] = []
    blanked = _IDS.sub(" ", text)

    def take(match: re.Match[str]) -> str:
        raw = match.group("a") or match.group("b") or match.group("c")
        amounts.append(_amount(raw))
        return " "

    blanked = _MONEY.sub(take, blanked)
    # A customer's own reference ("our PO-22817", "invoice 4471") is a label, not a number of
    # anything: it does not count as a stray number.
    stray = bool(_DIGIT.search(_PAST_DURATION.sub(" ", _REFERENCE.sub(" ", blanked))))
    lowered = blanked.lower()
    return Mentions(
        order_ids=frozenset(order_ids),
        awbs=frozenset(awbs),
        skus=frozenset(skus),
        amounts=tuple(dict.fromkeys(amounts)),
        stray_numbers=stray,
        words=tuple(WORD.findall(lowered)),
        text=f" {' '.join(WORD.findall(lowered))} ",
    )


def has_phrase(mentions: Mentions, phrases: tuple[str, ...] | frozenset[str]) -> bool:
    """Whole-word phrase match over the message's words."""
    return any(f" {phrase} " in mentions.text for phrase in phrases)


def asks_for_person(message: str) -> bool:
    return has_phrase(read_mentions(message), HUMAN_PHRASES)


def same_amount(a: float, b: float | None) -> bool:
    """`b` None: the proposal names no money, so any amount said is another one."""
    return b is not None and abs(a - b) < 0.005
