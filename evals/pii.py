"""PII scrubbing eval: recall per type, protected identifiers kept, latency of `scrub`.

    python -m evals.pii [--data evals/data/pii_dev.jsonl] [--json]
    python -m evals.pii --data ../shared/data/pii/presidio_synth_dev.json

Input: JSON Lines `{"text", "pii": [{"type", "value"}], "keep": [values]}`, or Presidio's
synthetic-data JSON (a list of `{"full_text", "spans": [{"entity_type", "entity_value"}]}`),
converted on the fly. A PII value counts as removed when its text no longer appears in the
scrubbed output; a `keep` value (order id, AWB, SKU ...) counts as removed when it is gone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel

from app.jsonl import read_jsonl
from evals.common import format_table, percentile, print_json_last_line

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "pii_dev.jsonl"
EVAL_TYPES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "PERSON",
    "STREET_ADDRESS",
)
# Presidio's synthetic data names some types differently.
_PRESIDIO_TYPE_ALIASES = {"ADDRESS": "STREET_ADDRESS"}


class PiiValue(BaseModel):
    type: str
    value: str


class PiiCase(BaseModel):
    text: str
    pii: list[PiiValue] = []
    keep: list[str] = []


def load_cases(path: Path) -> list[PiiCase]:
    raw = path.read_text(encoding="utf-8")
    if raw.lstrip().startswith("["):
        return [_from_presidio(record) for record in json.loads(raw)]
    return [PiiCase.model_validate(row) for row in read_jsonl(path)]


def _from_presidio(record: dict) -> PiiCase:
    values = []
    for span in record.get("spans", []):
        pii_type = _PRESIDIO_TYPE_ALIASES.get(span["entity_type"], span["entity_type"])
        if pii_type in EVAL_TYPES and str(span["entity_value"]).strip():
            values.append(PiiValue(type=pii_type, value=str(span["entity_value"])))
    return PiiCase(text=record["full_text"], pii=values, keep=[])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PII scrubbing recall / protected-id eval")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument(
        "--show-misses", action="store_true", help="print missed values (fictional data only)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from app.guardrails.pii import PiiScrubber

    cases = load_cases(args.data)
    scrubber = PiiScrubber()
    scrubber.scrub("warm-up: call me on +44 7700 900123 about ORD-1000042")

    found: dict[str, list[bool]] = defaultdict(list)
    keep_removed = 0
    keep_total = 0
    latencies: list[float] = []
    misses: list[str] = []
    for case in cases:
        started = time.perf_counter()
        result = scrubber.scrub(case.text)
        latencies.append((time.perf_counter() - started) * 1000)
        for item in case.pii:
            removed = item.value not in result.text
            found[item.type].append(removed)
            if not removed:
                misses.append(f"  MISS {item.type}: {item.value!r} in {result.text[:160]!r}")
        for value in case.keep:
            keep_total += 1
            if value not in result.text:
                keep_removed += 1
                misses.append(f"  KEEP REMOVED {value!r}: {result.text[:160]!r}")

    recall = {t: round(sum(v) / len(v), 4) for t, v in sorted(found.items()) if v}
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    rows = [(t, len(found[t]), sum(found[t]), recall[t]) for t in recall]
    print(f"data: {args.data} ({len(cases)} messages)")
    print(format_table(("type", "values", "removed", "recall"), rows))
    print(f"protected values removed: {keep_removed} of {keep_total}")
    if args.show_misses:
        print("\n".join(misses))
    line = (
        "recall "
        + ", ".join(f"{t} {r:.1%}" for t, r in recall.items())
        + f"; keep_removed {keep_removed}; scrub p50 {p50:.1f} ms p95 {p95:.1f} ms"
    )
    print(line)
    if args.json:
        print_json_last_line(
            {
                "recall_by_type": recall,
                "keep_removed": keep_removed,
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "n_messages": len(cases),
            }
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
