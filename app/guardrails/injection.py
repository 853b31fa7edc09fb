"""Prompt-injection / jailbreak / social-engineering classifier. Not an LLM.

One logistic regression over three views of a window of the normalised text:
[MiniLM embedding ‖ lexical features ‖ hashed character n-grams]. The weights, intercept and
decision threshold live in `models/injection.json`, written by
`python -m app.guardrails.train_injection`.

Long messages cost one encoder call of two short texts, whatever their length: the text's
first window of about `WINDOW_CHARS` (where a jailbreak sets its frame) and the most suspicious
of its segments (lines and sentences), picked by the cheap part of the model (lexical features
and n-grams, a few milliseconds for the longest message the API accepts). Both are embedded and
scored in full; the text's score is the higher. The segment catches one sentence planted
anywhere in a long paste, which a window would dilute with the benign text around it.
"""

from __future__ import annotations

import base64
import json
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict

from app.guardrails.features import FEATURE_NAMES, lexical_features
from app.guardrails.normalize import Normalized, normalize

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import HashingVectorizer

    from app.routing.embeddings import SentenceEncoder

ARTIFACT_PATH = Path(__file__).resolve().parent / "models" / "injection.json"
EMBEDDING_DIM = 384
# About 120 word pieces: well inside the encoder's 256, and one short encoder call.
WINDOW_CHARS = 512
WINDOW_STEP = 384
# Character 3-5-grams inside word boundaries: robust to typos, spacing tricks and other
# languages, where word n-grams of an English-trained vocabulary are not.
NGRAM_FEATURES = 2**14
NGRAM_RANGE = (3, 5)


class InjectionVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    is_attack: bool
    score: float  # P(attack) of the most suspicious window
    signals: list[str]  # lexical features and disguises that fired, for traces and tuning


@lru_cache(maxsize=1)
def ngram_vectorizer() -> HashingVectorizer:
    # sklearn's hashing vectorizer: stateless (nothing to fit or ship but the weights).
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=NGRAM_FEATURES,
        analyzer="char_wb",
        ngram_range=NGRAM_RANGE,
        alternate_sign=False,
        norm="l2",
        lowercase=True,
    )


@dataclass(frozen=True)
class LinearModel:
    coef_embedding: np.ndarray  # (EMBEDDING_DIM,), already divided by feature scale
    coef_lexical: np.ndarray  # (len(FEATURE_NAMES),)
    coef_ngrams: np.ndarray  # (NGRAM_FEATURES,)
    intercept: float
    threshold: float

    @classmethod
    def load(cls, path: Path = ARTIFACT_PATH) -> LinearModel:
        artifact = json.loads(path.read_text(encoding="utf-8"))
        names = tuple(artifact["feature_names"])
        if names != FEATURE_NAMES:
            raise ValueError(
                f"{path} was trained with features {names}, the code has {FEATURE_NAMES}: "
                "retrain with `python -m app.guardrails.train_injection`"
            )
        ngrams = artifact["ngrams"]
        if (ngrams["n_features"], tuple(ngrams["range"])) != (NGRAM_FEATURES, NGRAM_RANGE):
            raise ValueError(f"{path} was trained with other n-gram settings: retrain")
        return cls(
            coef_embedding=np.asarray(artifact["coef_embedding"], dtype=np.float64),
            coef_lexical=np.asarray([artifact["coef_lexical"][n] for n in names], np.float64),
            coef_ngrams=decode_weights(ngrams["coef_float16_base64"]),
            intercept=float(artifact["intercept"]),
            threshold=float(artifact["threshold"]),
        )

    def cheap_logits(self, lexical: np.ndarray, ngrams: csr_matrix) -> np.ndarray:
        """The part of each window's logit that needs no encoder (picks the window to embed)."""
        return lexical @ self.coef_lexical + ngrams @ self.coef_ngrams

    def probabilities(self, cheap: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
        logits = cheap + embeddings.astype(np.float64) @ self.coef_embedding + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


def encode_weights(weights: np.ndarray) -> str:
    return base64.b64encode(weights.astype("<f2").tobytes()).decode("ascii")


def decode_weights(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float64)


_SEGMENT_END = re.compile(r"\n+|(?<=[.!?])\s+")
MIN_SEGMENT_CHARS = 40


def segments(text: str) -> list[str]:
    """Lines and sentences of a long text, short ones merged with the next (one clause alone
    says little), each at most a window long."""
    pieces: list[str] = []
    current = ""
    for part in _SEGMENT_END.split(text):
        current = f"{current} {part}".strip() if current else part.strip()
        if len(current) >= MIN_SEGMENT_CHARS:
            pieces.append(current[:WINDOW_CHARS])
            current = ""
    if current:
        pieces.append(current[:WINDOW_CHARS])
    return pieces


def windows(text: str) -> list[str]:
    """The text itself when short, else overlapping windows that start and end on spaces."""
    if len(text) <= WINDOW_CHARS * 5 // 4:
        return [text]
    pieces = []
    for start in range(0, len(text) - (WINDOW_CHARS - WINDOW_STEP), WINDOW_STEP):
        begin = text.rfind(" ", 0, start) + 1 if start else 0
        end = text.find(" ", start + WINDOW_CHARS)
        pieces.append(text[begin : end if end != -1 else len(text)])
    return pieces


@dataclass(frozen=True)
class WindowFeatures:
    """The encoder-free features of the pieces of one text: a short text is one piece; a long
    one is its first window, then (for training only) its other windows, then its segments."""

    pieces: list[str]
    n_windows: int
    lexical: np.ndarray  # (len(pieces), len(FEATURE_NAMES))
    ngrams: csr_matrix  # (len(pieces), NGRAM_FEATURES)
    signals: list[str]  # fired anywhere in the text

    @classmethod
    def of(cls, text: str, *, all_windows: bool = False) -> WindowFeatures:
        normalized = normalize(text)
        spans = windows(normalized.text)
        if len(spans) > 1:
            spans = spans if all_windows else spans[:1]
            pieces = [*spans, *segments(normalized.text)]
        else:
            pieces = spans
        lexical_rows: list[list[float]] = []
        fired: set[str] = set()
        for piece in pieces:
            values, names = lexical_features(_restrict(normalized, piece))
            lexical_rows.append(values)
            fired.update(names)
        return cls(
            pieces=pieces,
            n_windows=len(spans),
            lexical=np.asarray(lexical_rows, dtype=np.float64),
            ngrams=ngram_vectorizer().transform(pieces),
            signals=sorted(fired),
        )

    def most_suspicious(self, model: LinearModel) -> list[tuple[int, float]]:
        """(index, cheap logit) of the pieces the full model reads: the first window and, for a
        long text, the most suspicious segment (ties go to the first).

        The first window, not the most suspicious one: measured on `evals.guard` at the length
        limit, the most suspicious window of a long benign paste (a pasted code snippet next to
        a quoted error "SYSTEM: session expired") was flagged in 20% of pastes, the first window
        in 3%, at nearly the same detection (85% vs 87%); jailbreaks set their frame at the
        start, and a planted sentence is caught by its segment.
        """
        cheap = model.cheap_logits(self.lexical, self.ngrams)
        picks = [0]
        if len(self.pieces) > self.n_windows:
            picks.append(self.n_windows + int(np.argmax(cheap[self.n_windows :])))
        return [(i, float(cheap[i])) for i in picks]


Embed = Callable[[list[str]], np.ndarray]


def score_texts(
    texts: Sequence[str], model: LinearModel, embed: Embed
) -> list[tuple[float, list[str]]]:
    """(P(attack), signals) per text: the cheap stage over all pieces, then at most two embedded
    pieces per text, all texts' pieces in one `embed` call."""
    features = [WindowFeatures.of(t) for t in texts]
    return [
        (score, f.signals)
        for score, f in zip(best_scores(features, model, embed), features, strict=True)
    ]


def best_scores(
    features: Sequence[WindowFeatures], model: LinearModel, embed: Embed
) -> list[float]:
    picks = [f.most_suspicious(model) for f in features]
    owners = [n for n, p in enumerate(picks) for _ in p]
    chosen = [f.pieces[i] for f, p in zip(features, picks, strict=True) for i, _ in p]
    cheap = np.asarray([c for p in picks for _, c in p], dtype=np.float64)
    embeddings = embed(chosen) if chosen else np.zeros((0, EMBEDDING_DIM))
    best = np.zeros(len(features))
    np.maximum.at(best, np.asarray(owners, dtype=int), model.probabilities(cheap, embeddings))
    return [float(p) for p in best]


class InjectionClassifier:
    def __init__(self, model: LinearModel | None = None, encoder: SentenceEncoder | None = None):
        if encoder is None:
            from app.routing.embeddings import shared_encoder

            encoder = shared_encoder()
        self._encoder = encoder
        self.model = model or LinearModel.load()

    def scores(self, texts: Sequence[str]) -> list[tuple[float, list[str]]]:
        """(P(attack), fired signals) per text."""
        return score_texts(texts, self.model, lambda pieces: self._encoder.encode(pieces))

    def classify(self, text: str) -> InjectionVerdict:
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[InjectionVerdict]:
        """`classify` for each text, every text's embedded pieces in one encoder call."""
        return self.classify_and_embed(texts)[0]

    def classify_and_embed(
        self, texts: Sequence[str], others: Sequence[str] = ()
    ) -> tuple[list[InjectionVerdict], np.ndarray]:
        """`classify_many`, plus the embeddings of `others` (texts another part of the front
        door needs embedded: the router's form of each message) from the same encoder call."""
        verdicts = [InjectionVerdict(is_attack=False, score=0.0, signals=[]) for _ in texts]
        todo = [i for i, text in enumerate(texts) if text.strip()]
        embedded_others: list[np.ndarray] = []

        def embed(pieces: list[str]) -> np.ndarray:
            vectors = self._encoder.encode([*pieces, *others])
            embedded_others.append(vectors[len(pieces) :])
            return vectors[: len(pieces)]

        if todo:
            scored = score_texts([texts[i] for i in todo], self.model, embed)
            for i, (score, signals) in zip(todo, scored, strict=True):
                verdicts[i] = InjectionVerdict(
                    is_attack=score >= self.model.threshold, score=_round(score), signals=signals
                )
        if not embedded_others:  # nothing was classified: `others` alone
            none = np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
            embedded_others.append(self._encoder.encode(list(others)) if others else none)
        return verdicts, embedded_others[0]


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
