"""The interface between the front door and the agent workers.

A worker gets one `WorkerRequest` (already scrubbed, routed and hydrated) and yields
`ChatEvent`s. The Ray Serve deployments call the same interface through handles, so the
workers can be replaced one by one (LLM Tracking worker, Policy RAG, LangGraph Negotiation)
without the ingress changing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from app.agents.events import ChatEvent
from app.tools.definitions import CustomerContext


class ConsentDecision(BaseModel):
    """A structured answer to a proposal (the chat page's Confirm / Cancel buttons): it names
    the proposal it answers, so a yes can only ever confirm the terms the customer saw."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    proposal_id: str = Field(min_length=1, max_length=64)
    decision: Literal["yes", "no"]


class WorkerRequest(BaseModel):
    client_id: str
    customer_id: str
    session_id: str
    message: str = Field(description="The customer's message after PII scrubbing.")
    intent: str
    confidence: float
    context: CustomerContext
    history: list[dict[str, Any]] = Field(default_factory=list)
    summary: str | None = None
    pending: dict[str, Any] | None = None
    # Set only when the client answered a proposal through the structured channel.
    consent: ConsentDecision | None = None
    # The caller's W3C trace context (traceparent, tracestate) across a Serve handle, so the
    # worker's spans nest under the ingress's (app/observability/tracing.py).
    trace_context: dict[str, str] = Field(default_factory=dict)
    # The fast path was already tried where the pipeline runs (app/agents/fast_path_first.py)
    # and did not answer: the Tracking worker goes straight to its other steps.
    fast_path_tried: bool = False


class Worker(Protocol):
    def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]: ...
