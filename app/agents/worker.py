"""The interface between the front door and the agent workers.

A worker gets one `WorkerRequest` (already scrubbed, routed and hydrated) and yields
`ChatEvent`s. The Ray Serve deployments call the same interface through handles, so the
workers can be replaced one by one (LLM Tracking worker, Policy RAG, LangGraph Negotiation)
without the ingress changing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from pydantic import BaseModel, Field

from app.agents.events import ChatEvent
from app.tools.definitions import CustomerContext


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


class Worker(Protocol):
    def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]: ...
