"""Guardrail eval: injection detection, false positives and latency of `Guardrail.check`.

    python -m evals.guard [--data evals/data/guard_dev.jsonl] [--json]

Input: JSON Lines `{"text", "label": "attack"|"benign"}` (an optional `kind` is reported per
group). Every message goes through the full guardrail (scrub, then classify), one at a time, warm;
latency is what a single request pays (`p95_ms`), and the classifier's own share of it
(`classify_p95_ms`; the rest is PII scrubbing).

Long messages (`long_*`): each case is also sent at the length limit of the chat API
(`MAX_MESSAGE_CHARS`): the file's benign messages pasted one after another up to the limit, with
the case's own text at the start, the middle or the end. An attack must still be found wherever
it sits, a benign paste must still pass, and the latency is the cost of the longest message a
customer can send.

Latency by length (`--bench`): every case's text, and pastes of the file's messages cut to 200,
2,000 and 4,000 characters (the API's limit), each checked a few times; p50/p95 of the whole
guardrail and of the classifier alone, per length.

Leave-one-source-out (on by default, `--no-loso` skips it): for each source family of the
classifier's training corpus (ours, the second hand-written set, cyberseceval, in-the-wild
jailbreaks, bipia, NotInject, wildguard, banking77, CLINC150, ABCD), a model trained on all the
other families scores every row of the one left out. It is printed beside the dev figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from app.api.http import MAX_MESSAGE_CHARS
from app.jsonl import read_jsonl
from evals.common import format_table, percentile, print_json_last_line

if TYPE_CHECKING:
    from app.guardrails.guard import Guardrail

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "guard_dev.jsonl"


class GuardCase(BaseModel):
    text: str
    label: Literal["attack", "benign"]
    kind: str = "-"


def load_cases(path: Path) -> list[GuardCase]:
    return [GuardCase.model_validate(row) for row in read_jsonl(path)]


def _classify_ms(guard: Guardrail, scrubbed: str) -> float:
    started = time.perf_counter()
    guard.classifier.classify(scrubbed)
    return (time.perf_counter() - started) * 1000


def long_messages(guard: Guardrail, cases: list[GuardCase]) -> dict[str, Any]:
    """Every case at the API's length limit, inside a paste of the benign cases (see above)."""
    filler = "\n".join(c.text for c in cases if c.label == "benign")
    if not filler:
        return {}
    filler = (filler + "\n") * (MAX_MESSAGE_CHARS // len(filler) + 1)
    flagged: dict[str, list[bool]] = {"attack": [], "benign": []}
    latencies: list[float] = []
    classify: list[float] = []
    for i, case in enumerate(cases):
        room = MAX_MESSAGE_CHARS - len(case.text) - 2
        if room < 200:
            continue
        pad = filler[:room]
        cut = pad.rfind("\n", 0, room // 2) + 1
        text = [
            f"{case.text}\n{pad}",
            f"{pad[:cut]}{case.text}\n{pad[cut:]}",
            f"{pad}\n{case.text}",
        ][i % 3]
        verdict = guard.check(text)
        latencies.append(verdict.latency_ms)
        classify.append(_classify_ms(guard, verdict.scrubbed_text))
        flagged[case.label].append(verdict.blocked)
    return {
        "long_n": len(latencies),
        "long_detection_rate": round(sum(flagged["attack"]) / max(1, len(flagged["attack"])), 4),
        "long_false_positive_rate": round(
            sum(flagged["benign"]) / max(1, len(flagged["benign"])), 4
        ),
        "long_p95_ms": round(percentile(latencies, 95), 2),
        "long_classify_p95_ms": round(percentile(classify, 95), 2),
    }


BENCH_LENGTHS = (200, 2000, MAX_MESSAGE_CHARS)
BENCH_TEXTS_PER_LENGTH = 30


def length_bench(guard: Guardrail, cases: list[GuardCase]) -> dict[str, Any]:
    """p50/p95 of the guardrail and of the classifier at each length in BENCH_LENGTHS: pastes of
    the file's messages (attacks and benign alike) starting at different cases, cut there."""
    paste = "\n".join(c.text for c in cases)
    paste = (paste + "\n") * (MAX_MESSAGE_CHARS // max(1, len(paste)) + 2)
    starts = [paste.find(c.text) for c in cases][:BENCH_TEXTS_PER_LENGTH]
    out: dict[str, Any] = {}
    for length in BENCH_LENGTHS:
        whole: list[float] = []
        classify: list[float] = []
        for start in starts:
            text = paste[start : start + length]
            verdict = guard.check(text)
            whole.append(verdict.latency_ms)
            classify.append(_classify_ms(guard, verdict.scrubbed_text))
        out[f"chars_{length}"] = {
            "guardrail_p50_ms": round(percentile(whole, 50), 2),
            "guardrail_p95_ms": round(percentile(whole, 95), 2),
            "classify_p50_ms": round(percentile(classify, 50), 2),
            "classify_p95_ms": round(percentile(classify, 95), 2),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Injection detection / FPR / latency eval")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--show-errors", action="store_true", help="print misclassified texts")
    parser.add_argument("--no-loso", action="store_true", help="skip the per-source split")
    parser.add_argument("--no-long", action="store_true", help="skip the long-message pass")
    parser.add_argument("--bench", action="store_true", help="latency at 200/2k/4k characters")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from app.guardrails.guard import Guardrail

    cases = load_cases(args.data)
    guard = Guardrail()
    guard.check("warm-up: where is my parcel ORD-1000042?")

    flagged_by_kind: dict[tuple[str, str], list[bool]] = defaultdict(list)
    latencies: list[float] = []
    classify_latencies: list[float] = []
    errors: list[tuple[GuardCase, float]] = []
    for case in cases:
        verdict = guard.check(case.text)
        latencies.append(verdict.latency_ms)
        classify_latencies.append(_classify_ms(guard, verdict.scrubbed_text))
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
    summary: dict[str, Any] = {
        "detection_rate": round(detection, 4),
        "false_positive_rate": round(fpr, 4),
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "classify_p95_ms": round(percentile(classify_latencies, 95), 2),
        "n_attack": len(attacks),
        "n_benign": len(benign),
    }
    line = (
        f"detection {detection:.1%} ({sum(attacks)}/{len(attacks)}), false positives {fpr:.1%} "
        f"({sum(benign)}/{len(benign)}), latency p50 {p50:.1f} ms p95 {p95:.1f} ms "
        f"(classifier p95 {summary['classify_p95_ms']:.1f} ms)"
    )
    if not args.no_long:
        summary.update(long_messages(guard, cases))
        print(
            f"at the length limit ({MAX_MESSAGE_CHARS} chars): detection "
            f"{summary['long_detection_rate']:.1%}, false positives "
            f"{summary['long_false_positive_rate']:.1%}, "
            f"latency p95 {summary['long_p95_ms']:.1f} ms "
            f"(classifier p95 {summary['long_classify_p95_ms']:.1f} ms)"
        )
    if args.bench:
        bench = length_bench(guard, cases)
        summary["latency_by_length"] = bench
        print(
            format_table(
                ("chars", "guardrail p50", "p95", "classifier p50", "p95"),
                [
                    (
                        key.removeprefix("chars_"),
                        row["guardrail_p50_ms"],
                        row["guardrail_p95_ms"],
                        row["classify_p50_ms"],
                        row["classify_p95_ms"],
                    )
                    for key, row in bench.items()
                ],
            )
        )
    if not args.no_loso:
        from app.guardrails.train_injection import (
            LOSO_HEADERS,
            leave_one_source_out,
            loso_table,
            open_corpus,
        )

        corpus = open_corpus()
        loso = leave_one_source_out(corpus)
        corpus.embed.save()
        summary["leave_one_source_out"] = loso
        print("leave-one-source-out (trained without the family, scoring all its rows):")
        print(format_table(LOSO_HEADERS, loso_table(loso)))
        line += (
            f" | left-out source: detection {loso['detection_rate']:.1%}, "
            f"false positives {loso['false_positive_rate']:.1%}"
        )
    if args.json:
        print(line)
        print_json_last_line(summary)
    else:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
