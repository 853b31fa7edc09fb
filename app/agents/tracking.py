"""Tracking worker: the deterministic fast path first, then the model, then a question.

The fast path answers from one tool and a template when the message resolves to one shipment.
Otherwise, for a customer with a few active orders, the model turn (tracking_model.py) picks a
read tool under constrained decoding and streams a fact-checked answer. When there is no model,
too many candidate orders, or the model turn cannot answer, the customer gets a deterministic
clarifying question built from their own active orders — never a guess.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from app.agents.base import WorkerDeps, say
from app.agents.events import ChatEvent
from app.agents.tracking_model import TrackingModelTurn
from app.agents.worker import WorkerRequest
from app.platform.contract import AWB_PATTERN, ORDER_ID_PATTERN
from app.routing.fast_path import try_fast_path
from app.routing.intents import Intent
from app.tools.spec import AgentTier

# Beyond this many active orders the model would be guessing which one is meant: ask instead.
MODEL_MAX_CANDIDATE_ORDERS = 3

_IDS = re.compile(rf"{ORDER_ID_PATTERN.strip('^$')}|{AWB_PATTERN.strip('^$')}")


def _ids_newest_first(history: list[dict[str, object]]) -> list[str]:
    """Order ids and AWBs of earlier turns, the most recent mention first."""
    return [
        found
        for turn in reversed(history)
        for found in reversed(_IDS.findall(str(turn.get("text", ""))))
    ]


class TrackingAgent:
    def __init__(self, deps: WorkerDeps) -> None:
        self.deps = deps

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        answer = await try_fast_path(
            Intent(request.intent),
            request.message,
            request.context,
            self.deps.executor,
            self.deps.tool_context(request),
            earlier_ids=_ids_newest_first(request.history),
        )
        if answer is not None:
            for call in answer.tool_calls:
                yield ChatEvent.tool(str(call["name"]), bool(call["ok"]), path="fast_path")
            async for event in say(answer.text):
                yield event
            return
        models, prompt = self.deps.models, self.deps.prompts.get("tracking")
        orders = request.context.active_orders
        few_orders = 0 < len(orders) <= MODEL_MAX_CANDIDATE_ORDERS
        if models is not None and prompt is not None and few_orders:
            turn = TrackingModelTurn(self.deps, models.tracking, prompt)
            async for event in turn.run(request):
                yield event
            if turn.outcome.answered:
                return
        async for event in say(self._clarify(request)):
            yield event

    def _clarify(self, request: WorkerRequest) -> str:
        own = {o.order_id for o in request.context.active_orders} | {
            s.awb for o in request.context.active_orders for s in o.shipments
        }
        mentioned = _IDS.findall(request.message)
        if mentioned and not any(m in own for m in mentioned):
            return (
                f"I couldn't find {mentioned[0]} among the orders on your account. Could you "
                "check the number, or tell me which of your orders you mean?"
            )
        orders = request.context.active_orders
        if not orders:
            return (
                "I can't see any active orders on your account right now. If you share the "
                "order number (ORD-...) or tracking number (AWB-...), I'll look it up."
            )
        lines = [
            f"- {o.order_id} ({', '.join(o.item_names[:3])}), tracking "
            + ", ".join(s.awb for s in o.shipments)
            for o in orders[:5]
        ]
        return "Which order do you mean?\n" + "\n".join(lines)


TIER = AgentTier.TRACKING
