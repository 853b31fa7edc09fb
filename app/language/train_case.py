"""Train the case reader's reason and ask heads and write `models/case.json`.

    python -m app.language.train_case

Deterministic: rows in file order, lbfgs with a fixed random_state, one fixed C. Next to the
fit on all rows it reports a leave-one-family-out split (train on four voices, test on the
fifth), the figure that says how the heads do on wording nobody here wrote.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

from app.language.data.compose_case_train import ITEMS
from app.language.named import for_classifier
from app.language.reasons import ARTIFACT_PATH, Head, heads_text

DATA_PATH = Path(__file__).resolve().parent / "data" / "case_train.jsonl"
C = 12.0


def load_rows(path: Path = DATA_PATH) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def data_sha256(rows: list[dict[str, str]]) -> str:
    canonical = "\n".join(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def fit_head(vectors: np.ndarray, labels: list[str]) -> Head:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=0)
    lr.fit(vectors, labels)
    return Head(tuple(str(c) for c in lr.classes_), lr.coef_, lr.intercept_)


def accuracy(head: Head, vectors: np.ndarray, labels: list[str]) -> float:
    predicted = head.probabilities(vectors).argmax(axis=1)
    return float(np.mean([head.classes[p] == y for p, y in zip(predicted, labels, strict=True)]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_PATH)
    parser.add_argument("--out", type=Path, default=ARTIFACT_PATH)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = load_rows(args.data)
    from app.routing.embeddings import shared_encoder

    # The heads see what read_case gives them: spelling put right, the item names masked.
    item_words = [w for item in ITEMS for w in item.split()]
    vectors = shared_encoder().encode(
        [for_classifier(heads_text(r["text"], item_words)) for r in rows]
    )
    reasons = [r["reason"] for r in rows]
    asks = [r["ask"] for r in rows]
    families = sorted({r["family"] for r in rows})
    left_out: dict[str, dict[str, float]] = {}
    for family in families:
        train = np.asarray([r["family"] != family for r in rows])
        test = ~train
        fold: dict[str, float] = {"n": int(test.sum())}
        for name, labels in (("reason", reasons), ("ask", asks)):
            head = fit_head(vectors[train], [y for y, t in zip(labels, train, strict=True) if t])
            fold[name] = round(
                accuracy(head, vectors[test], [y for y, t in zip(labels, test, strict=True) if t]),
                4,
            )
        left_out[family] = fold
        print(f"left out {family:10s} n={fold['n']:3d} reason {fold['reason']:.3f} "
              f"ask {fold['ask']:.3f}")  # fmt: skip
    reason_head = fit_head(vectors, reasons)
    ask_head = fit_head(vectors, asks)
    artifact = {
        "model": "multinomial logistic regression over all-MiniLM-L6-v2 (ids/amounts blanked)",
        "C": C,
        "training_data_sha256": data_sha256(rows),
        "rows": len(rows),
        "left_out_family": left_out,
        "reason": reason_head.dump(),
        "ask": ask_head.dump(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(artifact) + "\n", encoding="utf-8")
    mean_reason = np.mean([f["reason"] for f in left_out.values()])
    mean_ask = np.mean([f["ask"] for f in left_out.values()])
    print(
        f"wrote {args.out} from {len(rows)} rows in {time.perf_counter() - started:.1f}s; "
        f"left-out-family mean: reason {mean_reason:.3f}, ask {mean_ask:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
