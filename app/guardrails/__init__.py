"""Guardrails of the front door: PII scrubbing (Presidio) and the injection classifier.

Heavy models (spaCy, MiniLM) load on first use, not on import.
"""

from app.guardrails.guard import SAFE_REPLY, Guardrail, GuardrailVerdict, shared_guardrail
from app.guardrails.injection import InjectionClassifier, InjectionVerdict, shared_classifier
from app.guardrails.pii import PiiFinding, PiiScrubber, PiiType, ScrubResult, scrub, shared_scrubber

__all__ = [
    "SAFE_REPLY",
    "Guardrail",
    "GuardrailVerdict",
    "InjectionClassifier",
    "InjectionVerdict",
    "PiiFinding",
    "PiiScrubber",
    "PiiType",
    "ScrubResult",
    "scrub",
    "shared_classifier",
    "shared_guardrail",
    "shared_scrubber",
]
