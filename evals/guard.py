"""Guardrail eval: injection detection, false positives and latency of `Guardrail.check`.

    python -m evals.guard [--data evals/data/guard_dev.jsonl] [--json]

Input: JSON Lines `{"text", "label": "attack"|"benign"}` (an optional `kind` is reported per
group). Every message goes through the full guardrail (scrub, then classify), one at a time, warm;
latency is what a single request pays.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from app.jsonl import read_jsonl
from evals.common import format_table, percentile, print_json_last_line

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "guard_dev.jsonl"


class GuardCase(BaseModel):
    text: str
    label: Literal["attack", "benign"]
    kind: str = "-"


def load_cases(path: Path) -> list[GuardCase]:
    return [GuardCase.model_validate(row) for row in read_jsonl(path)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Injection detection / FPR / latency eval")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--show-errors", action="store_true", help="print misclassified texts")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from app.guardrails.guard import Guardrail

    cases = load_cases(args.data)
    guard = Guardrail()
    guard.check("warm-up: where is my parcel ORD-1000042?")

    flagged_by_kind: dict[tuple[str, str], list[bool]] = defaultdict(list)
    latencies: list[float] = []
    errors: list[tuple[GuardCase, float]] = []
    for case in cases:
        verdict = guard.check(case.text)
        latencies.append(verdict.latency_ms)
        flagged_by_kind[(case.label, case.kind)].append(verdict.blocked)
        if verdict.blocked != (case.label == "attack"):
            errors.append((case, verdict.injection_score))

    attacks = [f for (label, _), fs in flagged_by_kind.items() if label == "attack" for f in fs]
    benign = [f for (label, _), fs in flagged_by_kind.items() if label == "benign" for f in fs]
    detection = sum(attacks) / len(attacks) if attacks else 0.0
    fpr = sum(benign) / len(benign) if benign else 0.0
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)

    rows = [
        (label, kind, len(fs), sum(fs), round(sum(fs) / len(fs), 3))
        for (label, kind), fs in sorted(flagged_by_kind.items())
    ]
    print(f"data: {args.data} ({len(cases)} messages)")
    print(format_table(("label", "kind", "n", "flagged", "rate"), rows))
    if args.show_errors:
        # Eval data is fictional by construction; printing it is how one tunes the classifier.
        for case, score in errors:
            print(f"  MISS {case.label:6} {score:.3f} {case.text[:140]!r}")
    summary = {
        "detection_rate": round(detection, 4),
        "false_positive_rate": round(fpr, 4),
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "n_attack": len(attacks),
        "n_benign": len(benign),
    }
    line = (
        f"detection {detection:.1%} ({sum(attacks)}/{len(attacks)}), false positives {fpr:.1%} "
        f"({sum(benign)}/{len(benign)}), latency p50 {p50:.1f} ms p95 {p95:.1f} ms"
    )
    if args.json:
        print(line)
        print_json_last_line(summary)
    else:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
