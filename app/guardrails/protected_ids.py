"""Spans of platform identifiers that the guardrail must never scrub.

The patterns come from the platform contract (anchors stripped), loosened for how customers
actually type them: any case, a space/underscore or nothing instead of the dash, a leading '#'.
A bare ten-digit number right after "AWB"/"tracking number" is protected too: it is a waybill,
not a phone number.
"""

from __future__ import annotations

import re

from app.platform import contract

_CONTRACT_PATTERNS = (
    contract.ORDER_ID_PATTERN,
    contract.AWB_PATTERN,
    contract.SKU_PATTERN,
    contract.REFUND_ID_PATTERN,
    contract.RETURN_ID_PATTERN,
    contract.TICKET_ID_PATTERN,
    contract.NOTIFICATION_ID_PATTERN,
    contract.CUSTOMER_ID_PATTERN,
)


def _loosen(pattern: str) -> str:
    core = pattern.removeprefix("^").removesuffix("$")
    # Only the literal dashes between parts, not the ones inside character classes like [0-9].
    return re.sub(r"\[[^\]]*\]|-", lambda m: "[-_ ]?#?" if m[0] == "-" else m[0], core)


_ID_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:" + "|".join(_loosen(p) for p in _CONTRACT_PATTERNS) + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_BARE_WAYBILL_RE = re.compile(
    r"\b(?:awb|air ?waybill|waybill|tracking)(?:\s*(?:no\.?|number|num|code|id|#))?\s*[:#]?\s*"
    r"(\d{10})(?!\d)",
    re.IGNORECASE,
)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every platform identifier in `text`, in order."""
    spans = sorted(
        [m.span() for m in _ID_RE.finditer(text)]
        + [m.span(1) for m in _BARE_WAYBILL_RE.finditer(text)]
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def overlaps_any(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)
