"""Hand-off to a human: a ticket with a summary and the decision trace, and an honest reply."""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.agents.base import WorkerDeps, run_tool, say, tool_event
from app.agents.events import ChatEvent
from app.agents.worker import WorkerRequest
from app.tools.spec import AgentTier

UNAVAILABLE_REPLY = (
    "I'm sorry, I couldn't reach our support systems just now, so nothing has been changed. "
    "Please try again in a few minutes."
)


async def escalate(
    deps: WorkerDeps,
    request: WorkerRequest,
    *,
    reason: str,
    summary: str,
    decision_trace: list[str],
    tier: AgentTier = AgentTier.SYSTEM,
    order_id: str | None = None,
    reply: str = "I've passed this to a member of our support team",
) -> AsyncIterator[ChatEvent]:
    arguments: dict[str, object] = {
        "reason": reason,
        "summary": summary[:2000],
        "decision_trace": [step[:300] for step in decision_trace[-50:]],
        "priority": "normal",
    }
    if order_id is not None:
        arguments["order_id"] = order_id
    result = await run_tool(deps, request, tier, "escalate_to_human", arguments)
    yield tool_event(result, {"reason": reason})
    if not result.ok:
        async for event in say(UNAVAILABLE_REPLY):
            yield event
        return
    ticket_id = result.output.ticket_id  # type: ignore[union-attr]
    yield ChatEvent.escalated(ticket_id, reason)
    async for event in say(
        f"{reply} (ticket {ticket_id}). They can see our conversation so far and will "
        "follow up with you."
    ):
        yield event


class EscalationAgent:
    """The human_agent intent: a ticket straight away, no model involved."""

    def __init__(self, deps: WorkerDeps) -> None:
        self.deps = deps

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        async for event in escalate(
            self.deps,
            request,
            reason="customer_request",
            summary=f"Customer asked for a person. Last message: {request.message}",
            decision_trace=[f"router: human_agent ({request.confidence:.2f})"],
            reply="Of course. I've asked a member of our support team to take over",
        ):
            yield event
