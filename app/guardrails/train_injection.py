"""Train the injection classifier and write `models/injection.json`.

    python -m app.guardrails.train_injection [--public-dir DIR] [--out PATH]

Deterministic: the corpus is sorted and hash-split (see training_data), the solver is lbfgs with
a fixed random_state, and C is picked from a fixed grid. The decision threshold is chosen on the
dev split: the lowest one at which at most 2% of benign *customer* messages are flagged (that
FPR is what customers feel), placed halfway to the next attack score for margin.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from app.guardrails.features import FEATURE_NAMES
from app.guardrails.injection import (
    ARTIFACT_PATH,
    EMBEDDING_DIM,
    LinearModel,
    WindowedRows,
    feature_rows,
)
from app.guardrails.training_data import (
    Example,
    corpus_sha256,
    is_customer_message,
    load_corpus,
    public_data_dir,
)

MAX_CUSTOMER_FPR = 0.02
C_GRID = (0.002, 0.005, 0.01, 0.02)
LEXICAL_BOOST = 2.0


def fit(
    rows: np.ndarray, labels: np.ndarray, c: float, lexical_boost: float = 1.0
) -> tuple[np.ndarray, float]:
    """Standardise, fit, then fold the scaler into the weights (so run time needs no scaler).

    `lexical_boost` widens the lexical columns after standardising, which lowers their L2 penalty:
    two dozen hand-made features would otherwise be drowned by 384 embedding dimensions.
    """
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-6] = 1.0
    scale[EMBEDDING_DIM:] /= lexical_boost
    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=0)
    lr.fit((rows - mean) / scale, labels)
    coef = lr.coef_[0] / scale
    intercept = float(lr.intercept_[0] - np.dot(coef, mean))
    return coef, intercept


def choose_threshold(
    benign_customer: list[float], attacks: list[float], max_fpr: float = MAX_CUSTOMER_FPR
) -> float:
    allowed = math.floor(max_fpr * len(benign_customer))
    ranked = sorted(benign_customer, reverse=True)
    # Scores at or below this benign score must pass; at most `allowed` benign scores are above.
    floor = ranked[allowed] if allowed < len(ranked) else 0.0
    above = sorted(s for s in attacks if s > floor)
    ceiling = above[0] if above else min(1.0, floor + 0.05)
    return round((floor + ceiling) / 2, 6)


def rates(
    examples: list[Example], scores: list[float], threshold: float
) -> dict[str, dict[str, float]]:
    by_source: dict[str, list[bool]] = defaultdict(list)
    for example, score in zip(examples, scores, strict=True):
        by_source[f"{example.label}:{example.source}"].append(score >= threshold)
    return {k: {"n": len(v), "flagged": round(sum(v) / len(v), 4)} for k, v in by_source.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public-dir", type=Path, default=public_data_dir())
    parser.add_argument("--out", type=Path, default=ARTIFACT_PATH)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    corpus = load_corpus(args.public_dir)
    train = [e for e in corpus if e.split == "train"]
    dev = [e for e in corpus if e.split == "dev"]
    counts = Counter((e.split, e.label) for e in corpus)
    print(f"corpus: {len(corpus)} rows ({dict(sorted(counts.items()))})")

    import torch

    from app.routing.embeddings import shared_encoder

    encoder = shared_encoder()
    torch.set_num_threads(2)  # training is batch work; the encoder's 1 thread is for requests
    rows, _ = feature_rows([e.text for e in train], encoder)
    labels = np.asarray([e.label == "attack" for e in train], dtype=int)
    print(f"embedded {len(train)} training rows in {time.perf_counter() - started:.1f}s")

    dev_customer = [i for i, e in enumerate(dev) if is_customer_message(e)]
    dev_attacks = [i for i, e in enumerate(dev) if e.label == "attack"]
    dev_rows = WindowedRows.build([e.text for e in dev], encoder)
    print(f"embedded {len(dev)} dev texts (with windows) at {time.perf_counter() - started:.1f}s")
    best: tuple[float, float, float, LinearModel, list[float]] | None = None
    for c in C_GRID:
        coef, intercept = fit(rows, labels, c, LEXICAL_BOOST)
        scores = dev_rows.max_scores(LinearModel(coef, intercept, 0.5, FEATURE_NAMES))
        threshold = choose_threshold(
            [scores[i] for i in dev_customer], [scores[i] for i in dev_attacks]
        )
        detection = float(np.mean([scores[i] >= threshold for i in dev_attacks]))
        print(f"C={c}: threshold {threshold:.4f}, dev detection {detection:.3f}")
        if best is None or detection > best[0]:
            best = (
                detection,
                c,
                threshold,
                LinearModel(coef, intercept, threshold, FEATURE_NAMES),
                scores,
            )
    assert best is not None
    detection, c, threshold, model, scores = best

    benign_all = [i for i, e in enumerate(dev) if e.label == "benign"]
    metrics = {
        "C": c,
        "lexical_boost": LEXICAL_BOOST,
        "dev_detection_rate": round(detection, 4),
        "dev_customer_fpr": round(
            float(np.mean([scores[i] >= threshold for i in dev_customer])), 4
        ),
        "dev_all_benign_fpr": round(
            float(np.mean([scores[i] >= threshold for i in benign_all])), 4
        ),
        "dev_by_source": rates(dev, scores, threshold),
    }
    artifact = {
        "model": "logistic regression over [all-MiniLM-L6-v2 embedding ‖ lexical features]",
        "feature_names": list(FEATURE_NAMES),
        "embedding_dim": EMBEDDING_DIM,
        "coef_embedding": [round(float(w), 6) for w in model.coef[:EMBEDDING_DIM]],
        "coef_lexical": {
            name: round(float(w), 6)
            for name, w in zip(FEATURE_NAMES, model.coef[EMBEDDING_DIM:], strict=True)
        },
        "intercept": round(model.intercept, 6),
        "threshold": threshold,
        "training_data_sha256": corpus_sha256(corpus),
        "rows": {f"{split}_{label}": n for (split, label), n in sorted(counts.items())},
        "metrics": metrics,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(artifact, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    elapsed = time.perf_counter() - started
    print(json.dumps(metrics, indent=1))
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.1f} KiB) in {elapsed:.1f}s: "
        f"threshold {threshold:.4f}, dev detection {metrics['dev_detection_rate']:.3f}, "
        f"customer FPR {metrics['dev_customer_fpr']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
