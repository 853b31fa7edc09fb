"""Typed events a chat turn produces; the ingress streams them as Server-Sent Events."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class EventType(StrEnum):
    TOKEN = "token"
    TOOL = "tool"
    CONFIRMATION_REQUIRED = "confirmation_required"
    ESCALATED = "escalated"
    DONE = "done"
    ERROR = "error"
    # Internal: a model call's token usage and prompt version. The pipeline records it in
    # metrics and the turn's decision trace; it is never sent to the client.
    USAGE = "usage"
    # Internal: a worker's decision for the turn's trace (e.g. a policy answer that failed its
    # grounding check, flagged for review). Recorded by the pipeline, never sent to the client.
    DECISION = "decision"


class ChatEvent(BaseModel):
    type: EventType
    data: dict[str, Any] = Field(default_factory=dict)

    def sse(self) -> bytes:
        payload = json.dumps(self.data, separators=(",", ":"), ensure_ascii=False)
        return f"event: {self.type.value}\ndata: {payload}\n\n".encode()

    @classmethod
    def token(cls, text: str) -> ChatEvent:
        return cls(type=EventType.TOKEN, data={"text": text})

    @classmethod
    def tool(cls, name: str, ok: bool, **extra: Any) -> ChatEvent:
        return cls(type=EventType.TOOL, data={"name": name, "ok": ok, **extra})

    @classmethod
    def escalated(cls, ticket_id: str, reason: str) -> ChatEvent:
        return cls(type=EventType.ESCALATED, data={"ticket_id": ticket_id, "reason": reason})

    @classmethod
    def usage(cls, tier: str, prompt_ref: str, endpoint: str, **tokens: int | None) -> ChatEvent:
        return cls(
            type=EventType.USAGE,
            data={"tier": tier, "prompt_ref": prompt_ref, "endpoint": endpoint, **tokens},
        )

    @classmethod
    def decision(cls, tier: str, text: str, *, review: bool = False, **extra: Any) -> ChatEvent:
        return cls(
            type=EventType.DECISION,
            data={"tier": tier, "text": text, "review": review, **extra},
        )

    @classmethod
    def error(cls, code: str, message: str) -> ChatEvent:
        return cls(type=EventType.ERROR, data={"code": code, "message": message})


def word_chunks(text: str) -> list[str]:
    """Split a rendered answer into token-sized pieces that concatenate back to the text."""
    pieces: list[str] = []
    start = 0
    for index, char in enumerate(text):
        if char == " " and index > start:
            pieces.append(text[start:index])
            start = index
    if start < len(text):
        pieces.append(text[start:])
    return pieces


# What a customer may see of each event kind. Everything else stays in the trace, the ticket
# and the console: an internal reason ("high_fraud_risk", why a guardrail blocked a message)
# would tell an abuser how they were judged, and tool arguments are the agent's business.
_CUSTOMER_FIELDS: dict[EventType, frozenset[str] | None] = {
    EventType.TOKEN: frozenset({"text"}),
    EventType.TOOL: frozenset({"name", "ok"}),
    # The proposal the customer is asked to confirm: exactly its terms and its id.
    EventType.CONFIRMATION_REQUIRED: None,
    EventType.ESCALATED: frozenset({"ticket_id"}),
    EventType.DONE: frozenset(
        {"ok", "blocked", "human", "intent", "route", "confidence", "ttft_ms", "latency_ms"}
    ),
    EventType.ERROR: frozenset({"code", "message"}),
}


def customer_view(event: ChatEvent) -> ChatEvent | None:
    """The event as the customer's stream carries it, or None for an internal one."""
    if event.type not in _CUSTOMER_FIELDS:
        return None
    fields = _CUSTOMER_FIELDS[event.type]
    if fields is None:
        return event
    return event.model_copy(update={"data": {k: v for k, v in event.data.items() if k in fields}})
