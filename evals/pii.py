"""PII scrubbing eval: recall per type, protected identifiers kept, latency of `scrub`.

    python -m evals.pii [--data evals/data/pii_dev.jsonl] [--json]
    python -m evals.pii --data ../shared/data/pii/presidio_synth_dev.json
    python -m evals.pii --benign ../shared/data   # scrubbed share of messages with no PII

Recall is also reported per family: a JSONL row's optional `source` field, or Presidio's
`template_id` (each template is one family of messages), so a pattern that only works on one
family shows up as a low family next to a high overall figure.

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
    source: str = "dev"
    # How the customer writes (terse, angry, lower case, German ...), where a set says.
    voice: str | None = None


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
    return PiiCase(
        text=record["full_text"],
        pii=values,
        keep=[],
        source=f"template {record.get('template_id')}",
    )


def load_benign(shared_data: Path, limit: int = 2000) -> list[str]:
    """Customer messages with no PII in them (banking77, CLINC150 val): what the scrubber should
    leave alone. A few of them name a city or a brand, which the scrubber may keep."""
    import csv

    texts: list[str] = []
    with (shared_data / "banking77" / "train.csv").open(encoding="utf-8") as handle:
        texts += [row["text"] for row in csv.DictReader(handle)][:limit]
    clinc = json.loads((shared_data / "clinc150" / "data_dev.json").read_text(encoding="utf-8"))
    texts += [text for text, _ in clinc["val"]][:limit]
    return texts


def benign_report(shared_data: Path, show: bool) -> dict[str, object]:
    from app.guardrails.pii import PiiScrubber

    scrubber = PiiScrubber()
    texts = load_benign(shared_data)
    by_type: dict[str, int] = defaultdict(int)
    changed = 0
    for text in texts:
        result = scrubber.scrub(text)
        if result.findings:
            changed += 1
            for pii_type in result.types:
                by_type[pii_type] += 1
            if show:
                print(f"  SCRUBBED {text!r} -> {result.text!r}")
    rate = changed / len(texts)
    print(f"benign messages scrubbed: {changed} of {len(texts)} ({rate:.2%}); {dict(by_type)}")
    return {"benign_scrubbed_rate": round(rate, 4), "benign_by_type": dict(by_type)}


def _family_rows(
    by_family: dict[str, dict[str, list[bool]]],
) -> list[tuple[str, int, float, str, float]]:
    """Per type: families, overall recall, and the worst family with its recall."""
    rows = []
    types = sorted({t for family in by_family.values() for t in family})
    for pii_type in types:
        scores = {
            name: sum(v) / len(v)
            for name, family in by_family.items()
            if (v := family.get(pii_type))
        }
        worst = min(scores, key=lambda name: scores[name])
        rows.append(
            (
                pii_type,
                len(scores),
                round(sum(scores.values()) / len(scores), 4),
                worst,
                round(scores[worst], 4),
            )
        )
    return rows


def long_messages(cases: list[PiiCase], limit: int, count: int = 40) -> list[str]:
    """Messages at the chat API's length limit: the set's own messages run together (a long,
    rambling message with PII all through it), each starting at another message."""
    texts = [case.text for case in cases if case.text.strip()]
    messages = []
    for first in range(min(count, len(texts))):
        parts, size, i = [], 0, first
        while size < limit:
            parts.append(texts[i % len(texts)])
            size += len(parts[-1]) + 1
            i += 1
        messages.append("\n".join(parts)[:limit])
    return messages


def long_latency(scrubber: object, cases: list[PiiCase]) -> dict[str, float]:
    from app.api.http import MAX_MESSAGE_CHARS

    latencies = []
    for text in long_messages(cases, MAX_MESSAGE_CHARS):
        started = time.perf_counter()
        scrubber.scrub_fully(text)  # type: ignore[attr-defined]  # no cache, no gate
        latencies.append((time.perf_counter() - started) * 1000)
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(
        f"scrub at the length limit ({MAX_MESSAGE_CHARS} chars, {len(latencies)} messages): "
        f"p50 {p50:.1f} ms p95 {p95:.1f} ms"
    )
    return {"long_p50_ms": round(p50, 2), "long_p95_ms": round(p95, 2)}


def _source_rows(by_family: dict[str, dict[str, list[bool]]]) -> list[tuple[str, str, int, float]]:
    """Recall of every type in every source; a source "a+b" (a name from a, an address from b)
    counts towards both a and b."""
    pooled: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for family, types in by_family.items():
        for part in family.split("+"):
            for pii_type, found in types.items():
                pooled[(pii_type, part)].extend(found)
    return [
        (pii_type, part, len(found), round(sum(found) / len(found), 4))
        for (pii_type, part), found in sorted(pooled.items())
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PII scrubbing recall / protected-id eval")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument(
        "--benign",
        type=Path,
        metavar="SHARED_DATA",
        help="instead: share of PII-free messages (banking77, CLINC150) the scrubber changes",
    )
    parser.add_argument(
        "--show-misses", action="store_true", help="print missed values (fictional data only)"
    )
    parser.add_argument(
        "--by-source", action="store_true", help="print recall of every type in every source"
    )
    parser.add_argument(
        "--long", action="store_true", help="also time scrubbing at the message length limit"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    if args.benign:
        report = benign_report(args.benign, args.show_misses)
        if args.json:
            print_json_last_line(report)
        return 0

    from app.guardrails.pii import PiiScrubber

    cases = load_cases(args.data)
    scrubber = PiiScrubber()
    scrubber.scrub("warm-up: call me on +44 7700 900123 about ORD-1000042")

    found: dict[str, list[bool]] = defaultdict(list)
    by_family: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    by_voice: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
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
            by_family[case.source][item.type].append(removed)
            if case.voice is not None:
                by_voice[case.voice][item.type].append(removed)
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
    family_rows = _family_rows(by_family)
    if len(by_family) > 1:
        print("by family (mean of family recalls, and the worst family):")
        print(format_table(("type", "families", "mean", "worst family", "recall"), family_rows))
    if args.by_source:
        print("by source:")
        print(format_table(("type", "source", "values", "recall"), _source_rows(by_family)))
    voice_rows = _family_rows(by_voice) if by_voice else []
    if voice_rows:
        print("by voice (mean of voice recalls, and the worst voice):")
        print(format_table(("type", "voices", "mean", "worst voice", "recall"), voice_rows))
    if args.show_misses:
        print("\n".join(misses))
    line = (
        "recall "
        + ", ".join(f"{t} {r:.1%}" for t, r in recall.items())
        + f"; keep_removed {keep_removed}; scrub p50 {p50:.1f} ms p95 {p95:.1f} ms"
    )
    print(line)
    long_figures = long_latency(scrubber, cases) if args.long else {}
    if args.json:
        print_json_last_line(
            {
                **long_figures,
                "recall_by_type": recall,
                "keep_removed": keep_removed,
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "n_messages": len(cases),
                "worst_family_by_type": {row[0]: [row[3], row[4]] for row in family_rows},
                "worst_voice_by_type": {row[0]: [row[3], row[4]] for row in voice_rows},
            }
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
