"""Train the injection classifier and write `models/injection.json`; measure it source by source.

    python -m app.guardrails.train_injection [--public-dir DIR] [--out PATH] [--loso]

Deterministic: the corpus is sorted and hash-split (see training_data), the solver is lbfgs with
a fixed random_state, and C is picked from a fixed grid. The decision threshold is chosen on the
dev split: the lowest one at which at most 1% of benign *customer* messages are flagged (that
FPR is what customers feel), placed halfway to the next attack score for margin.

Every source family weighs the same within its label (`example_weights`): the in-the-wild
jailbreaks alone were a third of the attack rows, and a model that leans on one family learns its
style (long English prose) instead of what all attacks share. Measured by the leave-one-source-out
split, equal families cut the pooled false positives on left-out benign families from 7.6% to
5.0% at the same detection (51.4% -> 52.2%).

Training rows are windows and segments, as the classifier reads them (see injection.py): every
piece of a benign text is benign; an attack contributes its first and last window and the pieces
where a lexical feature fired (a long jailbreak's story paragraphs are not themselves the attack).

`--loso` also reports the leave-one-source-out split: for each source family, a model trained
on all the other families (threshold chosen on their dev rows) scores every row of the one left
out. `evals.guard` prints the same split beside its dev figure.

Window embeddings are cached on disk by content (`var/cache/injection/`), so retraining and the
split re-encode only windows they have not seen.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.guardrails.features import FEATURE_NAMES
from app.guardrails.injection import (
    ARTIFACT_PATH,
    EMBEDDING_DIM,
    NGRAM_FEATURES,
    NGRAM_RANGE,
    LinearModel,
    WindowFeatures,
    best_scores,
    encode_weights,
)
from app.guardrails.training_data import (
    Example,
    corpus_sha256,
    family_of,
    is_customer_message,
    load_corpus,
    public_data_dir,
)
from app.paths import VAR_DIR

MAX_CUSTOMER_FPR = 0.01
C_GRID = (0.005, 0.01, 0.02)
LEXICAL_BOOST = 2.0
NGRAM_BOOST = 0.5
MAX_BENIGN_WINDOWS = 10
# Benign messages in customers' own voices weigh more than public benign prompts: their false
# positives are the ones customers feel ("Am I talking to a bot? I'd like a human." must pass).
CUSTOMER_WEIGHT = 3.0
MAX_ATTACK_PIECES = 8
CACHE_DIR = Path(os.environ.get("OSA_CACHE_DIR", VAR_DIR / "cache")) / "injection"


class EmbeddingCache:
    """Window embeddings by sha256 of the window text, in one .npz per encoder."""

    def __init__(self, encoder: Any, model_id: str, directory: Path = CACHE_DIR) -> None:
        self._encoder = encoder
        self._path = directory / f"windows-{hashlib.sha256(model_id.encode()).hexdigest()[:16]}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self._path.is_file():
            with np.load(self._path, allow_pickle=False) as stored:
                keys, vectors = stored["keys"], stored["vectors"]
            self._vectors = {str(k): v for k, v in zip(keys, vectors, strict=True)}
        self._dirty = False

    def __call__(self, texts: list[str]) -> np.ndarray:
        keys = [_sha(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items()
        )
        if missing:
            vectors = self._encoder.encode([t for _, t in missing], batch_size=32)
            self._vectors.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
            self._dirty = True
        if not keys:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def save(self) -> None:
        if not self._dirty:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        tmp = self._path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=np.asarray(keys), vectors=np.stack([self._vectors[k] for k in keys]))
        os.replace(tmp, self._path)
        self._dirty = False


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Rows:
    """Training windows of a set of examples: dense [embedding ‖ lexical] and sparse n-grams."""

    dense: np.ndarray
    ngrams: Any  # scipy csr_matrix
    labels: np.ndarray
    owners: np.ndarray  # index of the example each row came from
    weights: np.ndarray  # per row: its example's weight (see example_weights)


def example_weights(examples: Sequence[Example]) -> np.ndarray:
    """Per example: every (label, source family) block gets an equal share of its label's total
    weight; benign customer messages then count CUSTOMER_WEIGHT times."""
    blocks = Counter((e.label, family_of(e.source)) for e in examples)
    per_label = Counter(e.label for e in examples)
    families_per_label = Counter(label for label, _ in blocks)
    weights = [
        per_label[e.label]
        / (families_per_label[e.label] * blocks[(e.label, family_of(e.source))])
        * (CUSTOMER_WEIGHT if is_customer_message(e) else 1.0)
        for e in examples
    ]
    return np.asarray(weights, dtype=np.float64)


def training_rows(
    examples: Sequence[Example], features: Sequence[WindowFeatures], embed: EmbeddingCache
) -> Rows:
    from scipy.sparse import vstack

    pieces: list[str] = []
    lexical: list[np.ndarray] = []
    ngram_blocks = []
    labels: list[int] = []
    weights: list[float] = []
    owners: list[int] = []
    example_weight = example_weights(examples)
    for i, (example, f) in enumerate(zip(examples, features, strict=True)):
        picks = _training_windows(example, f)
        pieces += [f.pieces[j] for j in picks]
        lexical.append(f.lexical[picks])
        ngram_blocks.append(f.ngrams[picks])
        labels += [int(example.label == "attack")] * len(picks)
        weights += [float(example_weight[i])] * len(picks)
        owners += [i] * len(picks)
    dense = np.hstack([embed(pieces), np.vstack(lexical)])
    return Rows(
        dense,
        vstack(ngram_blocks).tocsr(),
        np.asarray(labels),
        np.asarray(owners),
        np.asarray(weights),
    )


def _training_windows(example: Example, f: WindowFeatures) -> list[int]:
    """Every window and (some) segment of a benign text is benign; an attack contributes its
    first and last window and the pieces where a lexical feature fired."""
    n = f.n_windows
    segments = list(range(n, len(f.pieces)))
    if example.label == "benign":
        spread = np.linspace(0, n - 1, min(n, MAX_BENIGN_WINDOWS)).round().astype(int)
        picked = np.linspace(0, len(segments) - 1, min(len(segments), MAX_BENIGN_WINDOWS))
        chosen = [segments[j] for j in picked.round().astype(int).tolist()]
        return sorted({*spread.tolist(), *chosen})
    not_english = FEATURE_NAMES.index("not_english")
    lexical = np.delete(f.lexical, not_english, axis=1)
    fired = [j for j in range(len(f.pieces)) if lexical[j].any()][:MAX_ATTACK_PIECES]
    return sorted({0, n - 1, *fired})


def fit(rows: Rows, c: float) -> tuple[LinearModel, Any]:
    """Standardise the dense columns, fit, then fold the scaler into the weights (run time needs
    no scaler). The boosts widen the lexical and n-gram columns, which lowers their L2 penalty:
    two dozen hand-made features would otherwise be drowned by 384 embedding dimensions."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    mean = rows.dense.mean(axis=0)
    scale = rows.dense.std(axis=0)
    scale[scale < 1e-6] = 1.0
    scale[EMBEDDING_DIM:] /= LEXICAL_BOOST
    x = hstack([csr_matrix((rows.dense - mean) / scale), rows.ngrams * NGRAM_BOOST]).tocsr()
    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=0)
    lr.fit(x, rows.labels, sample_weight=rows.weights)
    dense_coef = lr.coef_[0][: rows.dense.shape[1]] / scale
    intercept = float(lr.intercept_[0] - np.dot(dense_coef, mean))
    model = LinearModel(
        coef_embedding=dense_coef[:EMBEDDING_DIM],
        coef_lexical=dense_coef[EMBEDDING_DIM:],
        # Rounded to float16 here, as the artifact stores them: what is measured is what ships.
        coef_ngrams=(lr.coef_[0][rows.dense.shape[1] :] * NGRAM_BOOST).astype("<f2").astype(float),
        intercept=intercept,
        threshold=0.5,
    )
    return model, lr


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


def with_threshold(model: LinearModel, threshold: float) -> LinearModel:
    return LinearModel(
        model.coef_embedding, model.coef_lexical, model.coef_ngrams, model.intercept, threshold
    )


class Corpus:
    """The corpus with each text's window features computed once."""

    def __init__(self, examples: list[Example], embed: EmbeddingCache) -> None:
        self.examples = examples
        self.features = [WindowFeatures.of(e.text, all_windows=True) for e in examples]
        self.embed = embed

    def scores(self, indices: Sequence[int], model: LinearModel) -> list[float]:
        """What the served classifier would answer for these rows (same pieces, same picks)."""
        return best_scores([self.features[i] for i in indices], model, self.embed)

    def train(
        self, train: list[int], dev: list[int], log: bool = False
    ) -> tuple[LinearModel, dict]:
        """Fit on `train`, pick C and the threshold on `dev`."""
        rows = training_rows(
            [self.examples[i] for i in train], [self.features[i] for i in train], self.embed
        )
        dev_customer = [i for i in dev if is_customer_message(self.examples[i])]
        dev_attacks = [i for i in dev if self.examples[i].label == "attack"]
        best: tuple[float, float, LinearModel] | None = None
        for c in C_GRID:
            model, _ = fit(rows, c)
            customer = self.scores(dev_customer, model)
            attacks = self.scores(dev_attacks, model)
            threshold = choose_threshold(customer, attacks)
            detection = float(np.mean([s >= threshold for s in attacks])) if attacks else 0.0
            if log:
                print(f"C={c}: threshold {threshold:.4f}, dev detection {detection:.3f}")
            if best is None or detection > best[0]:
                best = (detection, c, with_threshold(model, threshold))
        assert best is not None
        return best[2], {"C": best[1], "rows": int(rows.labels.size)}


def leave_one_source_out(corpus: Corpus) -> dict[str, Any]:
    """Per source family: train on the others (their train rows; C and threshold on their dev
    rows), score every row of the one left out. Pooled detection and FPR over all folds."""
    families = sorted({family_of(e.source) for e in corpus.examples})
    report: dict[str, Any] = {"families": {}}
    flagged: dict[str, list[bool]] = {"attack": [], "benign": []}
    for family in families:
        held = [i for i, e in enumerate(corpus.examples) if family_of(e.source) == family]
        rest = [i for i, e in enumerate(corpus.examples) if family_of(e.source) != family]
        model, _ = corpus.train(
            [i for i in rest if corpus.examples[i].split == "train"],
            [i for i in rest if corpus.examples[i].split == "dev"],
        )
        scores = corpus.scores(held, model)
        row: dict[str, Any] = {}
        for label in ("attack", "benign"):
            hits = [
                s >= model.threshold
                for i, s in zip(held, scores, strict=True)
                if corpus.examples[i].label == label
            ]
            if hits:
                key = "detection_rate" if label == "attack" else "false_positive_rate"
                row[f"n_{label}"] = len(hits)
                row[key] = round(float(np.mean(hits)), 4)
                flagged[label] += hits
        report["families"][family] = row
    report["detection_rate"] = round(float(np.mean(flagged["attack"])), 4)
    report["false_positive_rate"] = round(float(np.mean(flagged["benign"])), 4)
    report["n_attack"], report["n_benign"] = len(flagged["attack"]), len(flagged["benign"])
    return report


def loso_table(report: dict[str, Any]) -> list[tuple[object, ...]]:
    return [
        (
            family,
            row.get("n_attack", 0),
            f"{row['detection_rate']:.3f}" if "detection_rate" in row else "-",
            row.get("n_benign", 0),
            f"{row['false_positive_rate']:.3f}" if "false_positive_rate" in row else "-",
        )
        for family, row in report["families"].items()
    ]


LOSO_HEADERS = ("left-out source", "attacks", "detected", "benign", "flagged")


def open_corpus(public_dir: Path | None = None) -> Corpus:
    from app.routing.embeddings import SentenceEncoder
    from app.routing.exemplar_index import default_model_id

    # Batch work: two threads (the served encoder keeps one per request).
    encoder = SentenceEncoder(threads=2)
    cache = EmbeddingCache(encoder, f"{default_model_id()}|{encoder.backend}")
    return Corpus(load_corpus(public_dir), cache)


def rates(examples: list[Example], scores: list[float], threshold: float) -> dict[str, Any]:
    by_source: dict[str, list[bool]] = defaultdict(list)
    for example, score in zip(examples, scores, strict=True):
        by_source[f"{example.label}:{example.source}"].append(score >= threshold)
    return {k: {"n": len(v), "flagged": round(sum(v) / len(v), 4)} for k, v in by_source.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--public-dir", type=Path, default=public_data_dir())
    parser.add_argument("--out", type=Path, default=ARTIFACT_PATH)
    parser.add_argument("--loso", action="store_true", help="also report the per-source split")
    args = parser.parse_args(argv)

    from evals.common import format_table

    started = time.perf_counter()
    corpus = open_corpus(args.public_dir)
    examples = corpus.examples
    counts = Counter((e.split, e.label) for e in examples)
    print(f"corpus: {len(examples)} rows ({dict(sorted(counts.items()))})")
    train = [i for i, e in enumerate(examples) if e.split == "train"]
    dev = [i for i, e in enumerate(examples) if e.split == "dev"]
    model, info = corpus.train(train, dev, log=True)
    corpus.embed.save()
    dev_scores = corpus.scores(dev, model)
    dev_examples = [examples[i] for i in dev]
    attacks = [
        s >= model.threshold
        for e, s in zip(dev_examples, dev_scores, strict=True)
        if e.label == "attack"
    ]
    customer = [
        s >= model.threshold
        for e, s in zip(dev_examples, dev_scores, strict=True)
        if is_customer_message(e)
    ]
    benign = [
        s >= model.threshold
        for e, s in zip(dev_examples, dev_scores, strict=True)
        if e.label == "benign"
    ]
    metrics: dict[str, Any] = {
        **info,
        "lexical_boost": LEXICAL_BOOST,
        "ngram_boost": NGRAM_BOOST,
        "dev_detection_rate": round(float(np.mean(attacks)), 4),
        "dev_customer_fpr": round(float(np.mean(customer)), 4),
        "dev_all_benign_fpr": round(float(np.mean(benign)), 4),
        "dev_by_source": rates(dev_examples, dev_scores, model.threshold),
    }
    if args.loso:
        loso = leave_one_source_out(corpus)
        corpus.embed.save()
        print(format_table(LOSO_HEADERS, loso_table(loso)))
        metrics["leave_one_source_out"] = loso
    artifact = {
        "model": (
            "logistic regression over [all-MiniLM-L6-v2 embedding ‖ lexical features ‖ hashed "
            "char n-grams] of the most suspicious window"
        ),
        "feature_names": list(FEATURE_NAMES),
        "embedding_dim": EMBEDDING_DIM,
        "coef_embedding": [round(float(w), 6) for w in model.coef_embedding],
        "coef_lexical": {
            name: round(float(w), 6)
            for name, w in zip(FEATURE_NAMES, model.coef_lexical, strict=True)
        },
        "ngrams": {
            "n_features": NGRAM_FEATURES,
            "range": list(NGRAM_RANGE),
            "coef_float16_base64": encode_weights(model.coef_ngrams),
        },
        "intercept": round(model.intercept, 6),
        "threshold": model.threshold,
        "training_data_sha256": corpus_sha256(examples),
        "rows": {f"{split}_{label}": n for (split, label), n in sorted(counts.items())},
        "metrics": metrics,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(artifact, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    elapsed = time.perf_counter() - started
    print(json.dumps({k: v for k, v in metrics.items() if k != "dev_by_source"}, indent=1))
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.1f} KiB) in {elapsed:.1f}s: "
        f"threshold {model.threshold:.4f}, dev detection {metrics['dev_detection_rate']:.3f}, "
        f"customer FPR {metrics['dev_customer_fpr']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
