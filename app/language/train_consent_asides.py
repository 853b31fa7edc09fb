"""Train the consent reader's aside model and write `models/consent_asides.json`.

    python -m app.language.train_consent_asides [--out PATH]

The clauses come from two places, neither of them an eval set:
- `data/consent_asides.jsonl`: clauses written as asides or as holds (a change, condition,
  question, delay or refusal of the deal), in many voices and some other languages;
- the consent head's own training replies (`data/consent_train.jsonl`), cut into clauses as the
  reader cuts them: beside an assent, every other clause of a yes reply is an aside, and every
  other clause of a non-yes reply is taken as a hold (some are asides: a cautious label).

Deterministic: rows in file order, lbfgs with a fixed random_state, C from a fixed grid by
leave-one-family-out log loss, and the threshold as the lowest rung of a fixed ladder at which
no left-out written hold that passes `may_set_aside` would be set aside (the derived holds are
reported beside it: their labels are cautious, not checked). The figures are written into the
artifact.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from app.language.consent import ConsentLabel, masked_reply
from app.language.consent_asides import ARTIFACT_PATH, may_set_aside
from app.language.consent_data import load_examples
from app.language.consent_scope import clauses, has_assent, without_courtesy_idioms
from app.language.consent_terms import ProposalTerms

CLAUSES_PATH = Path(__file__).resolve().parent / "data" / "consent_asides.jsonl"
C_GRID = (0.05, 0.2, 1.0)
THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
# Written clauses belong to no proposal: they are read against a plain refund of one item.
_PLAIN_TERMS = ProposalTerms(action="refund", order_id="ORD-1000000", amount=50.0)


class ClauseExample(BaseModel):
    model_config = ConfigDict(frozen=True)

    clause: str
    aside: bool
    family: str
    written: bool
    terms: ProposalTerms = _PLAIN_TERMS


def load_clauses(path: Path = CLAUSES_PATH) -> list[ClauseExample]:
    out: list[ClauseExample] = []
    # Split on "\n" only: str.splitlines() would also split inside strings on U+2028.
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            row = json.loads(line)
            kind = row["kind"]
            if kind not in ("aside", "holds"):
                raise ValueError(f"{path}: kind must be aside or holds, not {kind!r}")
            out.append(
                ClauseExample(
                    clause=row["clause"], aside=kind == "aside", family=row["family"], written=True
                )
            )
    return out


def derived_clauses() -> list[ClauseExample]:
    """The head's training replies, clause by clause, beside an assent."""
    out: list[ClauseExample] = []
    for example in load_examples():
        parts = clauses(without_courtesy_idioms(example.reply))
        if not any(has_assent(p) for p in parts):
            continue
        terms = ProposalTerms.from_text(example.proposal)
        for part in parts:
            if not has_assent(part):
                out.append(
                    ClauseExample(
                        clause=part,
                        aside=example.label is ConsentLabel.YES,
                        family=example.family,
                        written=False,
                        terms=terms,
                    )
                )
    return out


def data_sha256(examples: Sequence[ClauseExample]) -> str:
    digest = hashlib.sha256()
    for row in sorted(json.dumps(e.model_dump(mode="json"), sort_keys=True) for e in examples):
        digest.update(row.encode("utf-8") + b"\n")
    return digest.hexdigest()


def fit(rows: np.ndarray, labels: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """Standardise, fit, fold the scaler into the weights (run time needs no scaler)."""
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-6] = 1.0
    lr = LogisticRegression(C=c, max_iter=5000, random_state=0)
    lr.fit((rows - mean) / scale, labels)
    coef = lr.coef_[0] / scale
    return coef, float(lr.intercept_[0] - coef @ mean)


def left_out_scores(
    rows: np.ndarray, labels: np.ndarray, families: list[str], c: float
) -> np.ndarray:
    scores = np.zeros(len(labels))
    for family in sorted(set(families)):
        held = np.asarray([f == family for f in families])
        coef, intercept = fit(rows[~held], labels[~held], c)
        scores[held] = 1.0 / (1.0 + np.exp(-(rows[held] @ coef + intercept)))
    return scores


def _log_loss(scores: np.ndarray, labels: np.ndarray) -> float:
    p = np.clip(scores, 1e-6, 1 - 1e-6)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


def threshold_figures(
    scores: np.ndarray, examples: Sequence[ClauseExample], gated: np.ndarray
) -> list[dict[str, float | int]]:
    """Per rung: written holds set aside (must be 0), derived "holds" set aside (their labels
    are cautious, many are asides said beside a no), and the share of asides recovered."""
    aside = np.asarray([e.aside for e in examples])
    written = np.asarray([e.written for e in examples])
    out = []
    for t in THRESHOLDS:
        called = (scores >= t) & gated
        out.append(
            {
                "threshold": t,
                "holds_set_aside": int((called & ~aside & written).sum()),
                "derived_holds_set_aside": int((called & ~aside & ~written).sum()),
                "asides_recovered": round(float(called[aside].mean()), 4) if aside.any() else 0.0,
                "gated_asides_recovered": round(
                    float(called[aside & gated].sum() / max(1, (aside & gated).sum())), 4
                ),
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the consent reader's aside model")
    parser.add_argument("--out", type=Path, default=ARTIFACT_PATH)
    args = parser.parse_args(argv)

    from app.routing.embeddings import shared_encoder

    started = time.perf_counter()
    examples = [*load_clauses(), *derived_clauses()]
    rows = shared_encoder().encode([masked_reply(e.clause, e.terms) for e in examples])
    rows = np.asarray(rows, dtype=np.float64)
    labels = np.asarray([1 if e.aside else 0 for e in examples])
    families = [e.family for e in examples]
    gated = np.asarray([may_set_aside(e.clause, e.terms) for e in examples])

    losses = {c: _log_loss(left_out_scores(rows, labels, families, c), labels) for c in C_GRID}
    best_c = min(C_GRID, key=lambda c: (losses[c], c))
    scores = left_out_scores(rows, labels, families, best_c)
    ladder = threshold_figures(scores, examples, gated)
    safe = [r for r in ladder if r["holds_set_aside"] == 0]
    if not safe:
        print(
            "no threshold keeps every left-out written hold in: not writing the model",
            file=sys.stderr,
        )
        for rung in ladder:
            print(rung, file=sys.stderr)
        return 1
    chosen = safe[0]
    coef, intercept = fit(rows, labels, best_c)
    artifact = {
        "model": "logistic regression over the masked clause's MiniLM embedding",
        "coef": [round(float(x), 8) for x in coef],
        "intercept": round(intercept, 8),
        "threshold": chosen["threshold"],
        "c": best_c,
        "n_clauses": len(examples),
        "n_asides": int(labels.sum()),
        "n_gated": int(gated.sum()),
        "families": len(set(families)),
        "data_sha256": data_sha256(examples),
        "left_out_log_loss": {str(c): round(v, 4) for c, v in losses.items()},
        "left_out_ladder": ladder,
    }
    args.out.write_text(json.dumps(artifact, indent=1) + "\n", encoding="utf-8")
    print(
        f"{len(examples)} clauses ({int(labels.sum())} asides, {int(gated.sum())} pass the gate), "
        f"{len(set(families))} families, C={best_c}, threshold {chosen['threshold']}: "
        f"left out, {chosen['gated_asides_recovered']:.1%} of gated asides set aside, "
        f"0 holds; {time.perf_counter() - started:.0f} s -> {args.out}"
    )
    for rung in ladder:
        print(f"  {rung}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
