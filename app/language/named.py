"""What a message names outright: order ids, AWBs, amounts, a share ("half"), and its words.

Kept free of the agents' packages (the language room sits below them): ids come from the same
patterns order resolution uses, amounts from one money pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.language.mentions import IDS, MONEY
from app.routing.order_resolution import mentioned_ids

_MONEY, _IDS = MONEY, IDS
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_SHARES = {"half": 0.5, "a quarter": 0.25, "quarter": 0.25, "a third": 1 / 3}
_PERCENT = re.compile(r"\b(\d{1,3})\s?(?:%|percent\b|per cent\b)")
# Role markers a customer does not type: text addressed to the system, not a request of ours.
_ROLE_MARKER = re.compile(
    r"(?:^|\n|\]\s*|[.!?]\s+)\s*[\[(<]?\s*(?:system|admin|administrator|assistant|developer|"
    r"root|operator)\s*(?:override|message|note|prompt|mode)?\s*[\])>]?\s*[:>\]]"
    r"|\bignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|rules)"
    r"|\bas (?:an? )?(?:admin|administrator|system)\b.{0,40}\b(?:approve|issue|grant|authori[sz]e)",
    re.IGNORECASE,
)


# The customer saying outright that nothing is to be set up: "please don't set anything up",
# "don't make any return or refund, I only inform you", "no refund needed, just fyi". A veto no
# score overrides; "I don't want a refund, I want a return" is none of these (one outcome is
# refused, another asked).
_DECLINES_ANY = re.compile(
    r"\b(?:don'?t|do not|no need to|there'?s no need to)\s+(?:set|start|open|file|raise|log)\s+"
    r"(?:anything|any\w*|a\s+\w+|it)\s+up\b"
    r"|\b(?:don'?t|do not|no need to)\s+(?:make|start|open|file|raise|process|issue|do|create|"
    r"submit|set up)\s+(?:anything|any\s+(?:return|refund|claim|case|request)s?)\b"
    # "please don't set up a refund or anything yet": one outcome named, but held off with the
    # rest ("or anything", "yet", "for now"), not swapped for another.
    r"|\b(?:don'?t|do not|no need to)\s+(?:set up|start|open|file|raise|process|issue|make|create|"
    r"submit)\s+an?\s+(?:return|refund|replacement|claim|case|request)\s+"
    r"(?:or\s+anything|(?:just\s+)?yet|for\s+now)\b"
    r"|\bno\s+(?:refund|return|replacement|claim|action)s?\s+(?:is\s+|are\s+)?(?:needed|necessary|"
    r"required|wanted)\b"
    r"|\b(?:not|i'?m not|i am not)\s+(?:asking|looking)\s+for\s+(?:a\s+|any\s+)?(?:refund|return|"
    r"replacement|anything)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Named:
    order_ids: tuple[str, ...]
    awbs: tuple[str, ...]
    amounts: tuple[float, ...]
    share: float | None  # "half", "50%": a part of the value the case is about
    words: tuple[str, ...]  # lower-cased words with ids and amounts removed
    addressed_to_system: bool
    # "please don't set anything up": no outcome is asked, whatever else the message says.
    declines_any: bool = False


def normalise(text: str) -> str:
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("\u2026", "...")
    )


def read_named(message: str) -> Named:
    text = normalise(message)
    order_ids, awbs = mentioned_ids(text)
    amounts: list[float] = []
    blanked = _IDS.sub(" ", text)

    def take(match: re.Match[str]) -> str:
        raw = match.group("a") or match.group("b") or match.group("c")
        amounts.append(round(float(raw.replace(",", "")), 2))
        return " "

    blanked = _MONEY.sub(take, blanked)
    lowered = blanked.lower()
    share = None
    percent = _PERCENT.search(lowered)
    if percent and 0 < int(percent.group(1)) < 100:
        share = int(percent.group(1)) / 100
    else:
        padded = f" {' '.join(_WORD.findall(lowered))} "
        share = next((v for k, v in _SHARES.items() if f" {k} " in padded), None)
    return Named(
        order_ids=tuple(sorted(order_ids)),
        awbs=tuple(sorted(awbs)),
        amounts=tuple(dict.fromkeys(a for a in amounts if a > 0)),
        share=share,
        words=tuple(_WORD.findall(lowered)),
        addressed_to_system=bool(_ROLE_MARKER.search(text)),
        declines_any=bool(_DECLINES_ANY.search(text)),
    )


def for_classifier(message: str) -> str:
    """The text the reason/outcome classifier sees: ids and amounts replaced by placeholders,
    so it learns what is asked, not which order."""
    text = _IDS.sub(" my order ", normalise(message))
    return _MONEY.sub(" some money ", text).strip()
