"""Prompt-injection / jailbreak / social-engineering classifier. Not an LLM.

A logistic regression over [MiniLM embedding of the normalised text ‖ lexical features]. The
weights, intercept and decision threshold live in `models/injection.json`, written by
`python -m app.guardrails.train_injection`. A long message is also scored window by window
(the encoder reads 256 tokens), and its score is the highest one: an instruction buried at the
end of a pasted email counts as much as one at the start.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict

from app.guardrails.features import FEATURE_NAMES, lexical_features
from app.guardrails.normalize import Normalized, normalize

if TYPE_CHECKING:
    from app.routing.embeddings import SentenceEncoder

ARTIFACT_PATH = Path(__file__).resolve().parent / "models" / "injection.json"
EMBEDDING_DIM = 384
# Texts longer than this are also scored in windows of about this many characters.
WINDOW_CHARS = 700
MAX_WINDOWS = 8


class InjectionVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    is_attack: bool
    score: float  # P(attack) from the logistic regression, highest over windows
    signals: list[str]  # lexical features and disguises that fired, for traces and tuning


@dataclass(frozen=True)
class LinearModel:
    coef: np.ndarray  # (EMBEDDING_DIM + len(FEATURE_NAMES),), already divided by feature scale
    intercept: float
    threshold: float
    feature_names: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = ARTIFACT_PATH) -> LinearModel:
        artifact = json.loads(path.read_text(encoding="utf-8"))
        names = tuple(artifact["feature_names"])
        if names != FEATURE_NAMES:
            raise ValueError(
                f"{path} was trained with features {names}, the code has {FEATURE_NAMES}: "
                "retrain with `python -m app.guardrails.train_injection`"
            )
        coef = np.asarray(
            artifact["coef_embedding"] + [artifact["coef_lexical"][n] for n in names],
            dtype=np.float32,
        )
        return cls(
            coef=coef,
            intercept=float(artifact["intercept"]),
            threshold=float(artifact["threshold"]),
            feature_names=names,
        )

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        logits = rows.astype(np.float64) @ self.coef.astype(np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


def feature_rows(
    texts: Sequence[str], encoder: SentenceEncoder
) -> tuple[np.ndarray, list[list[str]]]:
    """One row per text (whole text, no windows): [embedding ‖ lexical]. Used for training."""
    normalized = [normalize(t) for t in texts]
    lexical = [lexical_features(n) for n in normalized]
    embeddings = encoder.encode([n.text for n in normalized])
    rows = np.hstack([embeddings, np.asarray([values for values, _ in lexical], dtype=np.float32)])
    return rows, [fired for _, fired in lexical]


def windows(text: str) -> list[str]:
    """The text itself, plus overlapping windows when it is long."""
    if len(text) <= WINDOW_CHARS * 1.3:
        return [text]
    step = WINDOW_CHARS * 3 // 4
    starts = range(0, len(text) - WINDOW_CHARS // 4, step)
    pieces = []
    for start in starts:
        # Start and end on whitespace so no window begins mid-word.
        begin = text.rfind(" ", 0, start) + 1 if start else 0
        end = text.find(" ", start + WINDOW_CHARS)
        pieces.append(text[begin : end if end != -1 else len(text)])
    if len(pieces) > MAX_WINDOWS:
        # Keep the start and the end (where planted instructions sit most) and spread the rest.
        picks = np.linspace(0, len(pieces) - 1, MAX_WINDOWS).round().astype(int)
        pieces = [pieces[i] for i in sorted(set(picks.tolist()))]
    return [text, *pieces]


@dataclass(frozen=True)
class WindowedRows:
    """Feature rows of every window of every text; `owners[i]` is the text row i belongs to."""

    rows: np.ndarray
    owners: np.ndarray
    signals: list[list[str]]

    @classmethod
    def build(cls, texts: Sequence[str], encoder: SentenceEncoder) -> WindowedRows:
        return cls.build_with(texts, encoder)[0]

    @classmethod
    def build_with(
        cls, texts: Sequence[str], encoder: SentenceEncoder, others: Sequence[str] = ()
    ) -> tuple[WindowedRows, np.ndarray]:
        """`build`, and in the same encoder call the embeddings of `others` (texts another
        component of the front door needs embedded: the router's form of each message)."""
        owners: list[int] = []
        lexical_rows: list[list[float]] = []
        embed_inputs: list[str] = []
        signals: list[set[str]] = [set() for _ in texts]
        for i, text in enumerate(texts):
            normalized = normalize(text)
            for piece in windows(normalized.text):
                values, fired = lexical_features(_restrict(normalized, piece))
                owners.append(i)
                lexical_rows.append(values)
                embed_inputs.append(piece)
                signals[i].update(fired)
        embeddings = encoder.encode([*embed_inputs, *others])
        windows_part, others_part = embeddings[: len(embed_inputs)], embeddings[len(embed_inputs) :]
        lexical = np.asarray(lexical_rows, dtype=np.float32).reshape(len(lexical_rows), -1)
        if not lexical_rows:
            lexical = np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
        rows = np.hstack([windows_part, lexical])
        return cls(rows, np.asarray(owners), [sorted(s) for s in signals]), others_part

    def max_scores(self, model: LinearModel) -> list[float]:
        best = np.zeros(len(self.signals))
        np.maximum.at(best, self.owners, model.probabilities(self.rows))
        return [float(p) for p in best]


class InjectionClassifier:
    def __init__(self, model: LinearModel | None = None, encoder: SentenceEncoder | None = None):
        if encoder is None:
            from app.routing.embeddings import shared_encoder

            encoder = shared_encoder()
        self._encoder = encoder
        self.model = model or LinearModel.load()

    def scores(self, texts: Sequence[str]) -> list[tuple[float, list[str]]]:
        """(P(attack), fired signals) per text; all windows of all texts in one encoder call."""
        windowed = WindowedRows.build(texts, self._encoder)
        return list(zip(windowed.max_scores(self.model), windowed.signals, strict=True))

    def classify(self, text: str) -> InjectionVerdict:
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[InjectionVerdict]:
        """`classify` for each text, with every window of every text in one encoder call."""
        return self.classify_and_embed(texts)[0]

    def classify_and_embed(
        self, texts: Sequence[str], others: Sequence[str] = ()
    ) -> tuple[list[InjectionVerdict], np.ndarray]:
        """`classify_many`, plus the embeddings of `others` from the same encoder call."""
        verdicts = [InjectionVerdict(is_attack=False, score=0.0, signals=[]) for _ in texts]
        todo = [i for i, text in enumerate(texts) if text.strip()]
        if not todo and not others:
            return verdicts, np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        windowed, embedded = WindowedRows.build_with(
            [texts[i] for i in todo], self._encoder, others
        )
        scored = zip(windowed.max_scores(self.model), windowed.signals, strict=True) if todo else ()
        for i, (score, signals) in zip(todo, scored, strict=True):
            verdicts[i] = InjectionVerdict(
                is_attack=score >= self.model.threshold, score=_round(score), signals=signals
            )
        return verdicts, embedded


def _restrict(normalized: Normalized, piece: str) -> Normalized:
    """A window inherits the disguise signals of the whole message, with its own text."""
    return Normalized(text=piece, signals=normalized.signals, joined_runs=normalized.joined_runs)


def _round(p: float) -> float:
    return 0.0 if math.isnan(p) else round(p, 4)


_shared: InjectionClassifier | None = None
_shared_lock = threading.Lock()


def shared_classifier() -> InjectionClassifier:
    """The process-wide classifier (shares the router's encoder), created on first use."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = InjectionClassifier()
    return _shared
