"""Sentence-level fact check for streamed model answers about platform data.

A sentence may only carry identifiers, dates, times and numbers that appear in the facts the
model was given (tool output and context block). Sentences are released one by one as they
complete, so the customer still sees the answer stream; the first sentence with an unsupported
fact stops the model's answer, and the caller states the facts from the platform instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Identifiers and numbers are what a small model gets wrong in fluent-looking sentences.
_CHECKED = re.compile(r"(?:ORD|AWB|SKU|REF|RET|TCK)-[A-Z0-9-]+|\d+(?:[.:]\d+)*")
# A small model sometimes echoes the tool's JSON back: every value in it is "supported", but it
# is not an answer a customer should read. Structured text fails the gate like a wrong fact.
_STRUCTURED = re.compile(r'[{}\[\]]|":|\b[a-z]+_[a-z_]+\b')  # braces, "key":, snake_case
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _appears(token: str, facts: str) -> bool:
    # Whole-token match: "3" must not be found inside "7730012345", but "05" is found in
    # "2026-12-05T14:00" (ISO timestamps glue letters to numbers).
    edge = "0-9" if token[0].isdigit() else "A-Za-z0-9"
    pattern = rf"(?<![{edge}]){re.escape(token)}(?![{edge}])"
    return re.search(pattern, facts) is not None


def unsupported_facts(sentence: str, facts: str) -> list[str]:
    return [token for token in _CHECKED.findall(sentence) if not _appears(token, facts)]


class SentenceGate:
    """Buffers streamed text and releases whole sentences that pass the check."""

    def __init__(self, facts: Iterable[str]) -> None:
        self._facts = "\n".join(facts)
        self._pending = ""
        self.rejected: str | None = None

    def feed(self, text: str) -> list[str]:
        if self.rejected is not None:
            return []
        self._pending += text
        parts = _SENTENCE_END.split(self._pending)
        self._pending = parts.pop()
        # Re-attach the separator the split consumed, so released text concatenates cleanly.
        return self._release([p + " " for p in parts if p.strip()])

    def finish(self) -> list[str]:
        rest, self._pending = self._pending, ""
        return self._release([rest] if rest.strip() else [])

    def _release(self, sentences: list[str]) -> list[str]:
        out: list[str] = []
        for sentence in sentences:
            if self.rejected is not None:
                break
            if _STRUCTURED.search(sentence) or unsupported_facts(sentence, self._facts):
                self.rejected = sentence
                break
            out.append(sentence)
        return out
