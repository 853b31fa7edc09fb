"""The front door's guardrail: scrub PII first, then judge the scrubbed text for injection.

Order matters: nothing downstream, the classifier included, ever sees the unscrubbed message.
A blocked message gets `SAFE_REPLY`, which says nothing about why (no hints for the next try).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from app.guardrails.injection import InjectionClassifier, InjectionVerdict, shared_classifier
from app.guardrails.pii import PiiScrubber, ScrubResult, shared_scrubber
from app.observability.metrics import count_guardrail

SAFE_REPLY = (
    "Sorry, I can't help with that request. I can help with your orders, deliveries, returns and "
    "refunds — what would you like to do?"
)

BlockReason = Literal["prompt_injection"]


class GuardrailVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    scrubbed_text: str
    pii_types: list[str]  # sorted, distinct; the values themselves are gone
    blocked: bool
    reason: BlockReason | None
    injection_score: float
    latency_ms: float
    signals: list[str] = []  # which lexical/disguise features fired (for traces, never shown)
    # The router's embedding of the scrubbed message, from the classifier's own encoder call
    # (when the guardrail was given the router's text form): the router then needs none.
    route_embedding: list[float] | None = None


class Guardrail:
    def __init__(
        self,
        scrubber: PiiScrubber | None = None,
        classifier: InjectionClassifier | None = None,
        route_text: Callable[[str], str] | None = None,
    ) -> None:
        self._scrubber = scrubber or shared_scrubber()
        self._classifier = classifier or shared_classifier()
        # What the router embeds for a message (app.routing.exemplar_index.prepare_text):
        # given, `check_many` embeds it in the classifier's encoder call, once per message.
        self._route_text = route_text

    @property
    def classifier(self) -> InjectionClassifier:
        return self._classifier

    def scrub(self, text: str, protected: Sequence[str] = ()) -> str:
        """PII scrubbing alone: for text that never came from the customer's message but may
        still name a person (tool outputs in a trace)."""
        return self._scrubber.scrub(text, protected).text

    def scrub_many(
        self, texts: Sequence[str], protected: Sequence[Sequence[str]] | None = None
    ) -> list[str]:
        """`scrub` for several texts at once (a trace's leaves), spaCy run as one batch;
        `protected[i]`, when given, is `scrub`'s `protected` for `texts[i]`."""
        return [result.text for result in self._scrubber.scrub_many(texts, protected)]

    def check(self, text: str, protected: Sequence[str] = ()) -> GuardrailVerdict:
        """`protected`: the customer's own ids from hydration (AWBs, carrier numbers), never
        scrubbed however the message writes them."""
        started = time.perf_counter()
        scrubbed = self._scrubber.scrub(text, protected)
        verdict = self._classifier.classify(scrubbed.text)
        return _verdict(scrubbed, verdict, started)

    def check_many(
        self, texts: Sequence[str], protected: Sequence[Sequence[str]] | None = None
    ) -> list[GuardrailVerdict]:
        """`check` for messages that arrived together: one spaCy batch for the scrubbing and
        one encoder call for every window of every message. Each verdict is the one `check`
        gives for its message alone; `latency_ms` is the batch's time, which each waited."""
        started = time.perf_counter()
        scrubbed = self._scrubber.scrub_many(texts, protected)
        clean = [s.text for s in scrubbed]
        if self._route_text is None:
            verdicts = self._classifier.classify_many(clean)
            return [_verdict(s, v, started) for s, v in zip(scrubbed, verdicts, strict=True)]
        verdicts, embedded = self._classifier.classify_and_embed(
            clean, [self._route_text(text) for text in clean]
        )
        return [
            _verdict(s, v, started, [float(x) for x in e])
            for s, v, e in zip(scrubbed, verdicts, embedded, strict=True)
        ]


def _verdict(
    scrubbed: ScrubResult,
    verdict: InjectionVerdict,
    started: float,
    route_embedding: list[float] | None = None,
) -> GuardrailVerdict:
    reason: BlockReason | None = "prompt_injection" if verdict.is_attack else None
    count_guardrail(blocked=verdict.is_attack, reason=reason)
    return GuardrailVerdict(
        scrubbed_text=scrubbed.text,
        pii_types=scrubbed.types,
        blocked=verdict.is_attack,
        reason=reason,
        injection_score=verdict.score,
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
        signals=verdict.signals,
        route_embedding=route_embedding,
    )


_shared: Guardrail | None = None
_shared_lock = threading.Lock()


def shared_guardrail() -> Guardrail:
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = Guardrail()
    return _shared
