"""How well the claim checker keeps unsupported sentences from customers.

    python -m evals.claims [--data F] [--json]

Data: JSONL, one sentence per line (read by splitting on "\\n", never str.splitlines()):

    {"facts": {"as_of": ISO datetime, "timezone": IANA zone,
               "outputs": [{"tool": tool name, "output": that tool's output JSON}, ...],
               "context": CustomerContext JSON (optional)},
     "sentence": str, "supported": bool, "family": str, "kind": str}

`facts` are real tool outputs (the default set, evals/data/claims_dev.jsonl, is built from the
seeded platform by `python -m evals.claims_build`); `family` is the writer's voice, `kind` the
claim the line is about (state, date, carrier, signatory, amount, action, offer, added_clause).

Figures: `unsupported_passed` (sentences the facts do not support that the checker let through:
the one that must be 0), `supported_rejected` (true sentences the template then replaces), their
rates, and the same split by family and by kind.

The checker has no training data; the honest generalisation figure is a voice's first
measurement, before any fix it prompted (each "holdout" voice was written after the checker was
frozen; the "template" family is the platform's own rendering, written by others for customers):
  holdout   first run: unsupported_passed 25/511, supported_rejected 21/244
  holdout2  first run: unsupported_passed 28/254 (paraphrases the grammar did not know passed
            unread: this is why residue words outside a neutral vocabulary now fail closed)
  holdout3  first run, after that change: unsupported_passed 0/260, supported_rejected 33/121
  template  first run: supported_rejected 35/59 (weekday abbreviations, quoted event wording)
Later figures on the same voices are after fixes and are no longer out-of-sample.

Held-out files on other seed orders (evals/claims_unseen*_build.py), unsupported passed and
supported rejected with the grammar-only checker -> with the meaning check (claim_meaning.py):
  claims_unseen2 (written before that change; first look)  16/806, 170/312 -> 0/806, 149/312
  claims_unseen3 (first look after the first change: 14/655, 121/228, which prompted "unsure
            fails closed")  17/655, 122/228 -> 0/655, 125/228
  claims_unseen4 (written last, measured once)  12/243, 105/126 -> 0/243, 110/126
Paraphrase session (bound "by <weekday>", ordinals, weekends, courtesy across clause breaks,
headings, state paraphrases, misspellings, other languages glossed; fitted on the errors of
unseen2 and unseen3, so their figures are no longer out-of-sample), before -> after:
  claims_dev 0/1203, 17/594 -> 0/1203, 17/594
  claims_unseen2 0/806, 149/312 -> 0/806, 10/312; claims_unseen3 0/655, 125/228 -> 0/655, 5/228
  claims_unseen4 (summary lines only, rows never read) 0/243, 110/126 -> 0/243, 90/126; an
            intermediate run showed one false accept (1/243): it was traced, by summary lines
            of partial reverts only, to "driver"/"van" released as qualifiers, now withdrawn.
Session 10: claims_unseen6 (written blind, 24 scenes of seed offset 4, 10 voices incl. Spanish,
German, French): first look 8/150, 92/150 -> 0/150, 92/150 (offers beyond any tool, refundable
amounts, delivery and return scans, the customer's day); claims_unseen5 2/173 -> 0/173.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from app.language.claim_facts import TurnFacts
from app.language.claims import SentenceGate
from evals.common import format_table, print_json_last_line

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "claims_dev.jsonl"


def read_lines(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def _figures(rows: list[tuple[bool, bool]]) -> dict[str, Any]:
    unsupported = [passed for truth, passed in rows if not truth]
    supported = [passed for truth, passed in rows if truth]
    up = sum(unsupported)
    sr = sum(1 for passed in supported if not passed)
    return {
        "n": len(rows),
        "n_unsupported": len(unsupported),
        "n_supported": len(supported),
        "unsupported_passed": up,
        "supported_rejected": sr,
        "unsupported_passed_rate": up / len(unsupported) if unsupported else 0.0,
        "supported_rejected_rate": sr / len(supported) if supported else 0.0,
    }


def evaluate(lines: list[dict[str, Any]]) -> dict[str, Any]:
    rows: list[tuple[bool, bool]] = []
    by: dict[str, dict[str, list[tuple[bool, bool]]]] = {
        "family": defaultdict(list),
        "kind": defaultdict(list),
    }
    misses: list[dict[str, Any]] = []
    cache: dict[str, TurnFacts] = {}
    started = time.perf_counter()
    for line in lines:
        key = json.dumps(line["facts"], sort_keys=True)
        facts = cache.get(key) or cache.setdefault(key, TurnFacts.from_json(line["facts"]))
        # Through the streaming gate, as a customer would get it: a line of several sentences
        # passes only if every one of them does.
        gate = SentenceGate(facts)
        gate.feed(line["sentence"])
        gate.finish()
        check = gate.rejection
        row = (bool(line["supported"]), check is None)
        rows.append(row)
        by["family"][line.get("family", "?")].append(row)
        by["kind"][line.get("kind", "?")].append(row)
        if row[0] != row[1]:
            misses.append(
                {
                    "sentence": line["sentence"],
                    "supported": row[0],
                    "why": check.unsupported if check else [],
                    "family": line.get("family"),
                    "kind": line.get("kind"),
                }
            )
    took = time.perf_counter() - started
    result = _figures(rows)
    result["by_family"] = {k: _figures(v) for k, v in sorted(by["family"].items())}
    result["by_kind"] = {k: _figures(v) for k, v in sorted(by["kind"].items())}
    result["ms_per_sentence"] = 1000 * took / max(1, len(lines))
    result["misses"] = misses[:100]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = evaluate(read_lines(args.data))
    if args.json:
        print_json_last_line(result)
        return 0
    for split in ("by_family", "by_kind"):
        rows = [
            [
                name,
                f["n"],
                f["unsupported_passed"],
                f["n_unsupported"],
                f["supported_rejected"],
                f["n_supported"],
            ]
            for name, f in result[split].items()
        ]
        headers = [split[3:], "n", "unsup_passed", "n_unsup", "sup_rejected", "n_sup"]
        print(format_table(headers, rows), end="\n\n")
    for miss in result["misses"][:40]:
        print(
            f"  [{'SUPPORTED rejected' if miss['supported'] else 'UNSUPPORTED passed'}] "
            f"({miss['family']}/{miss['kind']}) {miss['sentence']}  {miss['why']}"
        )
    sys.stdout.write(
        f"claims: n={result['n']} unsupported_passed={result['unsupported_passed']}/"
        f"{result['n_unsupported']} supported_rejected={result['supported_rejected']}/"
        f"{result['n_supported']} ({result['ms_per_sentence']:.2f} ms/sentence)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
