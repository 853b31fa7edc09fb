"""Negotiation worker, narrow version: every refund, return or dispute goes to a human.

The LangGraph state machine (fraud check, explicit confirmation, idempotent write, read-back
verification) arrives with the negotiation issue. Until then nothing here can write a refund
or a return: the request is handed to a person with a ticket, and the customer is told exactly
that — the one honest answer without the state machine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.agents.base import WorkerDeps
from app.agents.escalation import escalate
from app.agents.events import ChatEvent
from app.agents.worker import WorkerRequest
from app.tools.spec import AgentTier


class NegotiationAgent:
    def __init__(self, deps: WorkerDeps) -> None:
        self.deps = deps

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        orders = ", ".join(o.order_id for o in request.context.active_orders[:5]) or "none"
        async for event in escalate(
            self.deps,
            request,
            tier=AgentTier.NEGOTIATION,
            reason="policy_undecidable",
            summary=(
                f"Customer request classified as {request.intent}. Message: {request.message} "
                f"Active orders: {orders}."
            ),
            decision_trace=[
                f"router: {request.intent} ({request.confidence:.2f})",
                "negotiation: automated refunds/returns not enabled; handed to a person",
            ],
            reply=(
                "I've passed your request to a member of our support team, who can review it "
                "and make any refund or return; nothing has been changed yet"
            ),
        ):
            yield event
