"""Byte-stable formatting shared by the context block, the summary and the prompt.

A prompt prefix is only reused by the inference server's KV cache when it is identical to the
byte, so every value that reaches a prompt goes through one of these.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")
# Square brackets delimit prompt blocks ([CONTEXT] … [/CONTEXT]); data must not close one.
_BRACKETS = str.maketrans({"[": "(", "]": ")"})


def one_line(text: str, max_chars: int = 300) -> str:
    """Collapse whitespace (newlines included), neutralise block brackets, cap the length."""
    flat = " ".join(str(text).split()).translate(_BRACKETS)
    return flat if len(flat) <= max_chars else flat[: max_chars - 1].rstrip() + "…"


def utc_date(value: datetime) -> str:
    """`2026-03-03`; naive datetimes are taken as UTC (the platform stores UTC)."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.strftime("%Y-%m-%d")


def money(value: Decimal | float | int | str) -> str:
    """Two decimals, half-up, from the decimal string (never through binary float rounding)."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return str(amount.quantize(_CENT, rounding=ROUND_HALF_UP))


def normalise_block(text: str) -> str:
    """`\\n` line endings, no trailing whitespace on any line, no trailing blank lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")
