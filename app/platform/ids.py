"""Identifiers for records the platform creates at run time.

Random rather than sequential, so one customer's ids say nothing about another's; the
contract's patterns (`REF-` and 8 digits, ...) hold for every generated id.
"""

from __future__ import annotations

import secrets


def new_id(prefix: str, digits: int = 8) -> str:
    return f"{prefix}-{secrets.randbelow(10**digits):0{digits}d}"
