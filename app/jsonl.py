"""JSON Lines files: one JSON value per line, lines ended by "\\n".

Split on "\\n" alone: `str.splitlines()` also breaks on U+2028, U+2029, U+0085 and other
characters that JSON allows unescaped inside a string, so a valid line holding one of them
would be cut in two and fail to parse.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_jsonl(path: Path) -> list[Any]:
    """Every non-blank line of `path`, parsed; a bad line names its file and line number."""
    values: list[Any] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not a JSON value ({exc.msg})") from exc
    return values
