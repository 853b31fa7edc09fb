"""Train the consent reader and write `models/consent.json`.

    python -m app.language.train_consent [--data PATH] [--out PATH]

Deterministic: rows are read in file order, the solver is lbfgs with a fixed random_state, C is
picked from a fixed grid and the yes threshold from a fixed ladder. Both are chosen on a
leave-one-family-out split (train on every family but one, read the one left out), never on
rows the model was fitted on: C by label accuracy, the threshold as the lowest rung at which no
left-out non-yes reply would execute. The per-family figures are written into the artifact.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.language.consent import (
    ARTIFACT_PATH,
    CUE_FEATURES,
    EMBEDDING_DIM,
    LABELS,
    ConsentLabel,
    ConsentModel,
    ConsentReading,
    decide,
    feature_rows,
    read_scoped,
    second_readings,
)
from app.language.consent_cues import Cues
from app.language.consent_data import TRAIN_PATH, ConsentExample, data_sha256, load_examples
from app.language.consent_terms import ProposalTerms

C_GRID = (0.05, 0.2, 1.0)
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def fit(rows: np.ndarray, labels: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Standardise, fit, fold the scaler into the weights (run time needs no scaler)."""
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-6] = 1.0
    # Unweighted: "balanced" weights shrink the largest class, yes, and pushed plain yes replies
    # in unseen voices under the 0.5 floor; the floor and the vetoes are what keep non-yes out
    # (leave-one-family-out, no non-yes reply that no veto caught reaches the floor).
    lr = LogisticRegression(C=c, max_iter=5000, random_state=0)
    lr.fit((rows - mean) / scale, labels)
    # The classes sklearn saw, in LABELS order (every label is in every training fold).
    assert list(lr.classes_) == list(range(len(LABELS)))
    coef = lr.coef_ / scale
    intercept = lr.intercept_ - coef @ mean
    return coef, intercept


def left_out_probabilities(
    rows: np.ndarray,
    labels: np.ndarray,
    families: list[str],
    c: float,
    part_rows: np.ndarray,
    part_of: list[list[int]],
) -> tuple[np.ndarray, np.ndarray]:
    """Each family read by a model fitted without it: its replies, and the second readings of
    its replies (`consent.second_readings`: the reply without its asides, the answer after a
    story), which the reader reads when the whole reply is not a yes."""
    out = np.zeros((len(labels), len(LABELS)))
    parts_out = np.zeros((len(part_rows), len(LABELS)))
    for family in sorted(set(families)):
        held = np.asarray([f == family for f in families])
        coef, intercept = fit(rows[~held], labels[~held], c)
        model = ConsentModel(coef, intercept, 0.5)
        out[held] = model.probabilities(rows[held])
        own_parts = [j for i, js in enumerate(part_of) if held[i] for j in js]
        if own_parts:
            parts_out[own_parts] = model.probabilities(part_rows[own_parts])
    return out, parts_out


@dataclass(frozen=True)
class Parts:
    """The consent parts of the training replies, as the reader would read them again."""

    texts: list[tuple[str, ProposalTerms]]
    part_of: list[list[int]]  # per example: the indices of its second readings in texts
    rows: np.ndarray
    cues: list[Cues]


def readings_for(
    examples: list[ConsentExample],
    probabilities: np.ndarray,
    cues: list[Cues],
    terms: list[ProposalTerms],
    threshold: float,
    parts: Parts,
    part_probabilities: np.ndarray,
) -> list[ConsentReading]:
    """What the reader would say, second reading of the consent part included."""
    first = [decide(p, c, t, threshold) for p, c, t in zip(probabilities, cues, terms, strict=True)]
    pairs = [(e.reply, t) for e, t in zip(examples, terms, strict=True)]

    def read_parts(asked: Sequence[tuple[str, ProposalTerms]]) -> list[ConsentReading]:
        out = []
        for text, t in asked:
            j = parts.texts.index((text, t))
            out.append(decide(part_probabilities[j], parts.cues[j], t, threshold))
        return out

    return read_scoped(first, pairs, read_parts)


def figures(examples: list[ConsentExample], readings: list[ConsentReading]) -> dict[str, object]:
    per_family: dict[str, dict[str, float]] = {}
    by_family: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        by_family[e.family].append(i)

    def summary(indices: list[int]) -> dict[str, float | None]:
        non_yes = [i for i in indices if examples[i].label is not ConsentLabel.YES]
        yes = [i for i in indices if examples[i].label is ConsentLabel.YES]
        return {
            "n": len(indices),
            "false_accept_rate": round(
                sum(readings[i].executes for i in non_yes) / max(1, len(non_yes)), 4
            ),
            # None when the family has no yes replies (a hard-negatives family).
            "yes_recall": round(sum(readings[i].executes for i in yes) / len(yes), 4)
            if yes
            else None,
            "label_accuracy": round(
                sum(readings[i].label is examples[i].label for i in indices) / len(indices), 4
            ),
        }

    for family, indices in sorted(by_family.items()):
        per_family[family] = summary(indices)
    return {"all": summary(list(range(len(examples)))), "per_family": per_family}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(TRAIN_PATH))
    parser.add_argument("--out", default=str(ARTIFACT_PATH))
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from pathlib import Path

    examples = load_examples(Path(args.data))
    terms = [ProposalTerms.from_text(e.proposal) for e in examples]

    from app.routing.embeddings import shared_encoder

    encoder = shared_encoder()
    rows, cues = feature_rows([(e.reply, t) for e, t in zip(examples, terms, strict=True)], encoder)
    part_texts: list[tuple[str, ProposalTerms]] = []
    part_of: list[list[int]] = []
    for e, t in zip(examples, terms, strict=True):
        found = second_readings(e.reply, t)
        part_of.append(list(range(len(part_texts), len(part_texts) + len(found))))
        part_texts.extend((part, t) for part in found)
    part_rows, part_cues = (
        feature_rows(part_texts, encoder) if part_texts else (np.zeros((0, rows.shape[1])), [])
    )
    parts = Parts(part_texts, part_of, part_rows, part_cues)
    labels = np.asarray([LABELS.index(e.label) for e in examples])
    families = [e.family for e in examples]
    print(f"embedded {len(examples)} rows in {time.perf_counter() - started:.1f}s")

    best: tuple[float, float, np.ndarray, np.ndarray] | None = None
    for c in C_GRID:
        held, held_parts = left_out_probabilities(
            rows, labels, families, c, parts.rows, parts.part_of
        )
        accuracy = float(np.mean(held.argmax(axis=1) == labels))
        print(f"C={c}: leave-one-family-out model accuracy {accuracy:.3f}")
        if best is None or accuracy > best[0]:
            best = (accuracy, c, held, held_parts)
    assert best is not None
    _, c, held, held_parts = best

    def read_at(rung: float) -> list[ConsentReading]:
        return readings_for(examples, held, cues, terms, rung, parts, held_parts)

    threshold = THRESHOLDS[-1]
    for rung in THRESHOLDS:
        if figures(examples, read_at(rung))["all"]["false_accept_rate"] == 0:  # type: ignore[index]
            threshold = rung
            break
    readings = read_at(threshold)
    lofo = figures(examples, readings)
    for e, reading in zip(examples, readings, strict=True):
        if reading.executes != (e.label is ConsentLabel.YES):
            print(
                f"  left out, misread: {e.label.value} -> {reading.label.value} "
                f"p_yes={reading.p_yes:.2f} {e.reply!r}"
            )
    coef, intercept = fit(rows, labels, c)
    artifact = {
        "model": "multinomial logistic regression over [all-MiniLM-L6-v2 embedding of the "
        "masked reply ‖ consent cues]",
        "labels": [label.value for label in LABELS],
        "cue_features": list(CUE_FEATURES),
        "embedding_dim": EMBEDDING_DIM,
        "coef": [[round(float(w), 6) for w in row] for row in coef],
        "intercept": [round(float(b), 6) for b in intercept],
        "yes_threshold": threshold,
        "C": c,
        "training_data_sha256": data_sha256(examples),
        "rows": len(examples),
        "leave_one_family_out": lofo,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(artifact, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(lofo, indent=1))
    print(
        f"wrote {out} in {time.perf_counter() - started:.1f}s: C {c}, yes threshold {threshold}, "
        f"left-out-family false accept {lofo['all']['false_accept_rate']}, "  # type: ignore[index]
        f"yes recall {lofo['all']['yes_recall']}"  # type: ignore[index]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
