"""The front door's guardrail: scrub PII first, then judge the scrubbed text for injection.

Order matters: nothing downstream, the classifier included, ever sees the unscrubbed message.
A blocked message gets `SAFE_REPLY`, which says nothing about why (no hints for the next try).
"""

from __future__ import annotations

import threading
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict

from app.guardrails.injection import InjectionClassifier, shared_classifier
from app.guardrails.pii import PiiScrubber, shared_scrubber
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


class Guardrail:
    def __init__(
        self, scrubber: PiiScrubber | None = None, classifier: InjectionClassifier | None = None
    ) -> None:
        self._scrubber = scrubber or shared_scrubber()
        self._classifier = classifier or shared_classifier()

    @property
    def classifier(self) -> InjectionClassifier:
        return self._classifier

    def scrub(self, text: str) -> str:
        """PII scrubbing alone: for text that never came from the customer's message but may
        still name a person (tool outputs in a trace)."""
        return self._scrubber.scrub(text).text

    def check(self, text: str) -> GuardrailVerdict:
        started = time.perf_counter()
        scrubbed = self._scrubber.scrub(text)
        verdict = self._classifier.classify(scrubbed.text)
        count_guardrail(
            blocked=verdict.is_attack, reason="prompt_injection" if verdict.is_attack else None
        )
        return GuardrailVerdict(
            scrubbed_text=scrubbed.text,
            pii_types=scrubbed.types,
            blocked=verdict.is_attack,
            reason="prompt_injection" if verdict.is_attack else None,
            injection_score=verdict.score,
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
            signals=verdict.signals,
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
