"""Consent eval: would the agent execute on this reply to this proposal?

    python -m evals.consent [--data evals/data/consent_dev.jsonl] [--json] [--show-errors]

Sets: consent_dev (tuned against), consent_holdout (measured once), consent_unseen (18 voices
and 6 languages written before the session-6 changes), consent_unseen2 (17 voices, 5 languages,
written before the clause-scope reading), consent_unseen3..12 (14 voices each, written blind by
helpers that saw no code or data, each measured once before the changes that followed it: the
first looks are in the README), consent_probes..probes5 (136, 160, 160, 200 and 200 adversarial
non-yes replies, the second written blind against the aside gate, the third against the
leniencies of session 11, the fourth in 34 languages, the fifth against the signatory, restated
scope, date and drop-off readings of session 13). None shares a family name or a reply with the
training data (a test checks).

Input: JSON Lines `{"proposal": str, "reply": str, "label": "yes"|"no"|"conditional"|
"question"|"counter"|"unclear"}` (an optional `family` is reported per family; other fields are
ignored). The proposal is the text the customer saw; its terms (order, amount, items, action)
are parsed from it, as the agent knows them, and every reply goes through the real reader one at
a time, warm. `false_accept_rate` is the figure that matters: non-yes replies the agent would
have executed on, over all non-yes replies. It must be 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from evals.common import format_table, percentile, print_json_last_line

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "consent_dev.jsonl"


class ConsentCase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    proposal: str
    reply: str
    label: str
    family: str = "-"


def load_cases(path: Path) -> list[ConsentCase]:
    # Split on "\n" only: str.splitlines() would split inside strings on U+2028.
    lines = path.read_text(encoding="utf-8").split("\n")
    return [ConsentCase.model_validate(json.loads(line)) for line in lines if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Consent reader eval")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--show-errors", action="store_true", help="print misread replies")
    args = parser.parse_args(argv)

    from app.language.consent import LABELS, ConsentLabel, ConsentReader
    from app.language.consent_terms import ProposalTerms

    cases = load_cases(args.data)
    unknown = {c.label for c in cases} - {label.value for label in LABELS}
    if unknown:
        raise SystemExit(f"unknown labels in {args.data}: {sorted(unknown)}")
    reader = ConsentReader()
    warm = ProposalTerms(action="refund", order_id="ORD-1000001", amount=10.0)
    reader.read("yes please", warm)

    latencies: list[float] = []
    predicted: list[str] = []
    executed: list[bool] = []
    for case in cases:
        started = time.perf_counter()
        terms = ProposalTerms.from_text(case.proposal)
        reading = reader.read(case.reply, terms)
        latencies.append((time.perf_counter() - started) * 1000)
        predicted.append(reading.label.value)
        executed.append(reading.executes)
        if args.show_errors and reading.label.value != case.label:
            # Eval data is fictional by construction; printing it is how one reads the errors.
            print(
                f"  {case.label:>11} -> {reading.label.value:<11} p_yes={reading.p_yes:.2f} "
                f"{','.join(reading.vetoes) or '-'} {case.reply[:100]!r}"
            )

    def scores(indices: list[int]) -> dict[str, float | None]:
        non_yes = [i for i in indices if cases[i].label != ConsentLabel.YES.value]
        yes = [i for i in indices if cases[i].label == ConsentLabel.YES.value]
        return {
            "n": len(indices),
            "false_accept_rate": round(sum(executed[i] for i in non_yes) / max(1, len(non_yes)), 4),
            # None when there is no yes reply to recall (a hard-negatives family).
            "yes_recall": round(sum(executed[i] for i in yes) / len(yes), 4) if yes else None,
            "label_accuracy": round(
                sum(predicted[i] == cases[i].label for i in indices) / max(1, len(indices)), 4
            ),
        }

    everything = list(range(len(cases)))
    overall = scores(everything)
    by_label: dict[str, list[int]] = defaultdict(list)
    by_family: dict[str, list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        by_label[case.label].append(i)
        by_family[case.family].append(i)
    per_label_recall = {
        label: round(sum(predicted[i] == label for i in idx) / len(idx), 4)
        for label, idx in sorted(by_label.items())
    }
    confusion = {
        label: dict(sorted(Counter(predicted[i] for i in idx).items()))
        for label, idx in sorted(by_label.items())
    }
    per_family = {family: scores(idx) for family, idx in sorted(by_family.items())}
    p50 = percentile(latencies, 50) if latencies else 0.0

    print(f"data: {args.data} ({len(cases)} replies)")
    print(
        format_table(
            ("family", "n", "false accept", "yes recall", "label acc"),
            [
                (f, s["n"], s["false_accept_rate"], s["yes_recall"], s["label_accuracy"])
                for f, s in per_family.items()
            ],
        )
    )
    print(
        format_table(
            ("label", "n", "recall", "read as"),
            [
                (label, len(by_label[label]), per_label_recall[label], json.dumps(confusion[label]))
                for label in per_label_recall
            ],
        )
    )
    line = (
        f"false accepts {overall['false_accept_rate']:.1%}, yes recall "
        f"{_percent(overall['yes_recall'])}, label accuracy {overall['label_accuracy']:.1%} over "
        f"{len(cases)} replies, p50 {p50:.1f} ms"
    )
    print(line)
    if args.json:
        print_json_last_line(
            {
                **overall,
                "per_label_recall": per_label_recall,
                "confusion": confusion,
                "per_family": per_family,
                "p50_ms": round(p50, 2),
            }
        )
    return 0


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


if __name__ == "__main__":
    sys.exit(main())
