"""Tracking worker (read tools only, at most one clarifying question per question asked).

In order:
1. the deterministic fast path: the message resolves to one shipment → one tool, a template;
2. the reply to our own "which order do you mean?" (by id, item name or position in the list we
   showed): that order's answer; a reply that still picks none gets the overview of every
   active order instead of a second question;
3. an order that ships in several parcels: one read per parcel, each rendered from its output;
4. the model turn (tracking_model.py) for a customer with a few active orders: a constrained
   read-tool choice and a fact-checked streamed answer;
5. otherwise the clarifying question, built from the customer's own active orders, recorded
   in the turn's decisions so step 2 can read the answer against the same list.
Never a guess: every fact comes from a tool output of this turn.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

from app.agents.base import WorkerDeps, run_tool, say, tool_event
from app.agents.events import ChatEvent
from app.agents.tracking_model import TrackingModelTurn
from app.agents.tracking_shipments import answer_for_order, emit, overview, summary_of
from app.agents.worker import WorkerRequest
from app.platform.contract import ErrorCode, Order
from app.routing.fast_path import try_fast_path
from app.routing.intents import Intent
from app.routing.order_resolution import (
    choose_candidate,
    ids_in,
    order_ids_in,
    resolve_order,
)
from app.tools.executor import ToolFailure, ToolSuccess
from app.tools.spec import AgentTier

TIER = AgentTier.TRACKING
LOOKUP_FAILED_REPLY = (
    "I couldn't look up {order_id} just now. Please try again in a few minutes, or ask me "
    "to pass this to a colleague."
)

# Beyond this many active orders the model would be guessing which one is meant: ask instead.
MODEL_MAX_CANDIDATE_ORDERS = 3
MAX_LISTED_ORDERS = 5
# The decision line that records which orders a clarifying question listed (newest first).
CLARIFY_DECISION = "asked which order"


def _ids_newest_first(history: list[dict[str, Any]]) -> list[str]:
    """Order ids and AWBs of earlier turns, the most recent mention first. Our own listings of
    several orders (a clarifying question, an overview) point at no one order: skipped."""
    found: list[str] = []
    for turn in reversed(history):
        text = str(turn.get("text", ""))
        if turn.get("role") == "assistant" and len(set(order_ids_in(text))) > 1:
            continue
        found.extend(reversed(ids_in(text)))
    return found


# Words of a tracking question that point at no particular order.
_GENERIC_WORDS = frozenset(
    """a about after any anything are arrive arriving been by can check come coming deliver
    delivered deliveries delivery do does for get going has have hello hey hi how i i'm im is
    it it's its know long me my news now of on order orders package packages parcel parcels
    please shipment shipments shipped status still stuff tell thanks the there today track
    tracking up update updates waiting was way what what's whats when where where's wheres
    will with yet you""".split()
)
_WORDS = re.compile(r"[a-z']+")


def names_nothing(message: str) -> bool:
    """True when a message has no word beyond a generic tracking question (no id, no item,
    no description that could single out one order)."""
    if ids_in(message):
        return False
    words = _WORDS.findall(message.lower())
    return bool(words) and all(word in _GENERIC_WORDS for word in words)


def _asked_candidates(history: Sequence[dict[str, Any]]) -> list[str] | None:
    """The orders listed by our clarifying question, when the previous turn was one."""
    if not history or history[-1].get("role") != "assistant":
        return None
    for line in history[-1].get("decisions") or ():
        if CLARIFY_DECISION in str(line):
            return order_ids_in(str(line))
    return None


class TrackingAgent:
    def __init__(self, deps: WorkerDeps) -> None:
        self.deps = deps

    async def fast_path(self, request: WorkerRequest) -> list[ChatEvent] | None:
        """Step 1 alone: the templated answer's events, or None when it does not apply."""
        answer = await try_fast_path(
            Intent(request.intent),
            request.message,
            request.context,
            self.deps.executor,
            self.deps.tool_context(request),
            earlier_ids=_ids_newest_first(request.history),
        )
        if answer is None:
            return None
        events = [
            ChatEvent.tool(
                str(call["name"]),
                bool(call["ok"]),
                path="fast_path",
                arguments=call.get("arguments", {}),
            )
            for call in answer.tool_calls
        ]
        events.extend([event async for event in say(answer.text)])
        return events

    async def handle(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        intent = Intent(request.intent)
        orders = request.context.active_orders
        earlier = _ids_newest_first(request.history)
        answered = None if request.fast_path_tried else await self.fast_path(request)
        if answered is not None:
            for event in answered:
                yield event
            return

        candidates = _asked_candidates(request.history)
        if candidates:
            picked = choose_candidate(request.message, candidates, orders)
            chosen = next((o for o in orders if o.order_id == picked), None)
            if chosen is not None:
                yield ChatEvent.decision(TIER.value, f"customer picked {chosen.order_id}")
                async for event in emit(await answer_for_order(self.deps, request, chosen, intent)):
                    yield event
                return
            # One question per question: a reply that picks none gets every order's status.
            listed = [o for o in orders if o.order_id in candidates] or orders
            yield ChatEvent.decision(TIER.value, "no order picked: overview of active orders")
            async for event in emit(await overview(self.deps, request, listed)):
                yield event
            return

        listed_ids = {o.order_id for o in orders}
        unlisted = [i for i in order_ids_in(request.message) if i not in listed_ids]
        if unlisted:
            # An order hydration did not list (delivered long ago, or past the list's end):
            # read it, rather than let a model pick one of the listed orders instead.
            async for event in self._unlisted_order(request, unlisted[0], intent):
                yield event
            return

        own_ids = {o.order_id for o in orders} | {s.awb for o in orders for s in o.shipments}
        if any(i not in own_ids for i in ids_in(request.message)):
            # A parcel number that is none of this customer's (another customer's, a carrier's
            # own number, a typo): say we can't find it, never answer with a parcel of theirs.
            async for event in self._clarify(request):
                yield event
            return

        order = resolve_order(request.message, orders, earlier_ids=earlier)
        if order is not None and len(order.shipments) > 1:
            async for event in emit(await answer_for_order(self.deps, request, order, intent)):
                yield event
            return

        models, prompt = self.deps.models, self.deps.prompts.get("tracking")
        few_orders = 0 < len(orders) <= MODEL_MAX_CANDIDATE_ORDERS
        # "Where is my order?" with several orders names none of them: a model could only
        # guess which, so ask. The model gets messages that say something more.
        guessing = len(orders) > 1 and names_nothing(request.message)
        if models is not None and prompt is not None and few_orders and not guessing:
            turn = TrackingModelTurn(
                self.deps, models.tracking, prompt, answer_deadline_s=models.answer_deadline_s
            )
            async for event in turn.run(request):
                yield event
            yield ChatEvent.decision(TIER.value, f"model turn: {turn.outcome.reason}")
            if turn.outcome.answered:
                return
        async for event in self._clarify(request):
            yield event

    async def _unlisted_order(
        self, request: WorkerRequest, order_id: str, intent: Intent
    ) -> AsyncIterator[ChatEvent]:
        arguments: dict[str, object] = {"order_id": order_id}
        result = await run_tool(self.deps, request, TIER, "get_order_details", arguments)
        yield tool_event(result, arguments)
        if isinstance(result, ToolSuccess) and isinstance(result.output, Order):
            yield ChatEvent.decision(TIER.value, f"{order_id} is not an active order: read it")
            order = summary_of(result.output)
            async for event in emit(await answer_for_order(self.deps, request, order, intent)):
                yield event
            return
        if isinstance(result, ToolFailure) and result.code == ErrorCode.ORDER_NOT_FOUND:
            # The platform has no such order for this customer: say so, and list theirs.
            async for event in self._clarify(request):
                yield event
            return
        async for event in say(LOOKUP_FAILED_REPLY.format(order_id=order_id)):
            yield event

    async def _clarify(self, request: WorkerRequest) -> AsyncIterator[ChatEvent]:
        own = {o.order_id for o in request.context.active_orders} | {
            s.awb for o in request.context.active_orders for s in o.shipments
        }
        mentioned = ids_in(request.message)
        if mentioned and not any(m in own for m in mentioned):
            text = (
                f"I couldn't find {mentioned[0]} among the orders on your account. Could you "
                "check the number, or tell me which of your orders you mean?"
            )
            async for event in say(text):
                yield event
            return
        orders = request.context.active_orders
        if not orders:
            text = (
                "I can't see any active orders on your account right now. If you share the "
                "order number (ORD-...) or tracking number (AWB-...), I'll look it up."
            )
            async for event in say(text):
                yield event
            return
        listed = orders[:MAX_LISTED_ORDERS]
        yield ChatEvent.decision(
            TIER.value, f"{CLARIFY_DECISION}: {' '.join(o.order_id for o in listed)}"
        )
        lines = [
            f"{n}. {o.order_id} ({', '.join(o.item_names[:3])}), tracking "
            + ", ".join(s.awb for s in o.shipments)
            for n, o in enumerate(listed, start=1)
        ]
        async for event in say("Which order do you mean?\n" + "\n".join(lines)):
            yield event
