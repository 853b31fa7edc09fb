"""Helpers every node shares: the turn context, asking, and handing over to a person."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command

from app.agents.negotiation.context import TurnContext
from app.agents.negotiation.state import MAX_TURNS, EscalationReason

UNAVAILABLE = (
    "I'm sorry, I couldn't reach the order system just now, so nothing has been changed. "
    "Please try again in a few minutes."
)


def ctx_of(runtime: Runtime[TurnContext]) -> TurnContext:
    ctx = runtime.context
    ctx.writer = runtime.stream_writer
    return ctx


def escalate_to(
    reason: EscalationReason, note: str, update: dict[str, Any] | None = None
) -> Command[Any]:
    return Command(
        goto="escalate",
        update={**(update or {}), "escalation": {"reason": reason.value, "note": note}},
    )


def ask(text: str, turns: int, update: dict[str, Any] | None = None) -> Command[Any]:
    """Ask the customer something, unless the case has used its turns: then a person."""
    update = {**(update or {}), "turns": turns}
    if turns >= MAX_TURNS:
        return escalate_to(EscalationReason.UNRESOLVED, f"{turns} turns without resolution", update)
    return Command(goto="respond", update={**update, "say": text, "keep_open": True})
