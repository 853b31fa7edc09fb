"""What a node may use during one turn: the worker's deps, the request, and the event stream.

Passed as LangGraph's run-scoped context (never checkpointed): identity comes from the
verified request of *this* turn, so a resumed proposal acts for the same customer only
because the thread id is theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.agents.base import WorkerDeps, tool_event
from app.agents.events import ChatEvent, word_chunks
from app.agents.negotiation.checkpoints import NegotiationSettings, thread_id
from app.agents.worker import WorkerRequest
from app.llm.prompts import PromptVersion
from app.tools.definitions import narrowing_for
from app.tools.executor import ToolResult
from app.tools.narrowing import Narrowing
from app.tools.spec import AgentTier, ToolContext

TIER = AgentTier.NEGOTIATION


@dataclass
class TurnContext:
    deps: WorkerDeps
    request: WorkerRequest
    settings: NegotiationSettings
    prompt: PromptVersion | None = None
    writer: Callable[[Any], None] | None = None

    @property
    def thread_id(self) -> str:
        return thread_id(self.request.client_id, self.request.session_id, self.deps.variant)

    def tool_context(self) -> ToolContext:
        return self.deps.tool_context(self.request)

    def narrowing(
        self, *, max_amount: float | None = None, skus: tuple[str, ...] | None = None
    ) -> Narrowing:
        """The customer's own hydrated orders; amounts bounded by what is refundable."""
        return narrowing_for(
            self.request.context,
            max_amount=None if max_amount is None else Decimal(str(max_amount)),
            skus=skus,
        )

    def emit(self, event: ChatEvent) -> None:
        if self.writer is not None:
            self.writer(event.model_dump(mode="json"))

    def say(self, text: str) -> None:
        for piece in word_chunks(text):
            self.emit(ChatEvent.token(piece))

    def note(self, text: str) -> None:
        """A line of the turn's decision trace (recorded by the pipeline, never shown)."""
        self.emit(ChatEvent.decision(TIER.value, text))

    async def tool(
        self,
        name: str,
        arguments: dict[str, Any],
        narrowing: Narrowing | None = None,
        *,
        shown: dict[str, Any] | None = None,
        scope: str | None = None,
    ) -> ToolResult:
        """Run a tool through the executor (narrowed, validated, idempotent) and report it.
        `scope`: the proposal a write carries out (part of its idempotency key)."""
        result = await self.deps.executor.execute(
            self.tool_context(), TIER, name, arguments, narrowing or self.narrowing(), scope=scope
        )
        self.emit(tool_event(result, shown if shown is not None else arguments))
        return result
