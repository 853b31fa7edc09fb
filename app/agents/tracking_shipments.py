"""Deterministic tracking answers that need more than one shipment: an order that ships in
several parcels, and the overview of every active order when the customer could not say which
one they meant. Read tools only, each answer rendered from its own tool output; a shipment whose
tool call fails is said to be unavailable, never guessed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from app.agents.base import WorkerDeps, run_tool, say, tool_event
from app.agents.events import ChatEvent
from app.agents.worker import WorkerRequest
from app.platform.contract import (
    DELIVERED_STATES,
    Order,
    OrderSummary,
    ShipmentBrief,
)
from app.routing.intents import Intent
from app.routing.tracking_replies import render_output
from app.tools.executor import ToolSuccess
from app.tools.spec import AgentTier

# One read per parcel; beyond this an answer stops being readable (and costs more calls).
MAX_SHIPMENTS_PER_ANSWER = 4
MAX_ORDERS_IN_OVERVIEW = 5

UNAVAILABLE_LINE = "I couldn't load the tracking for {awb} just now."


@dataclass
class RenderedAnswer:
    text: str
    events: list[ChatEvent] = field(default_factory=list)
    ok: bool = True  # every shipment's tool call succeeded


def _tool_for(intent: Intent, shipment: ShipmentBrief) -> str:
    delivered = shipment.status in DELIVERED_STATES
    if intent is Intent.ETA and not delivered:
        return "get_eta"
    if intent is Intent.DELIVERY_PHOTO and delivered:
        return "get_delivery_photo"
    return "get_order_status"


async def _shipment_lines(
    deps: WorkerDeps, request: WorkerRequest, order: OrderSummary, intent: Intent
) -> RenderedAnswer:
    answer = RenderedAnswer(text="")
    lines: list[str] = []
    for shipment in order.shipments[:MAX_SHIPMENTS_PER_ANSWER]:
        name = _tool_for(intent, shipment)
        arguments: dict[str, object] = {"awb": shipment.awb}
        if name == "get_eta":
            arguments["region"] = request.context.region.value
        result = await run_tool(deps, request, AgentTier.TRACKING, name, arguments)
        answer.events.append(tool_event(result, arguments))
        # An output for another parcel than asked is never shown.
        own_output = isinstance(result, ToolSuccess) and (
            getattr(result.output, "awb", None) == shipment.awb
        )
        rendered = (
            render_output(result.output, order.order_id, request.context.region)
            if own_output
            else None
        )
        if rendered is None:
            answer.ok = False
            lines.append(UNAVAILABLE_LINE.format(awb=shipment.awb))
        else:
            lines.append(rendered)
    hidden = len(order.shipments) - MAX_SHIPMENTS_PER_ANSWER
    if hidden > 0:
        lines.append(f"There {'is' if hidden == 1 else 'are'} {hidden} more parcel(s) on it.")
    answer.text = "\n".join(lines)
    return answer


async def answer_for_order(
    deps: WorkerDeps, request: WorkerRequest, order: OrderSummary, intent: Intent
) -> RenderedAnswer:
    """Every parcel of one order, each from its own read."""
    answer = await _shipment_lines(deps, request, order, intent)
    count = len(order.shipments)
    if count > 1:
        answer.text = f"Order {order.order_id} ships in {count} parcels.\n" + answer.text
    return answer


async def overview(
    deps: WorkerDeps, request: WorkerRequest, orders: Sequence[OrderSummary]
) -> RenderedAnswer:
    """Where each active order stands, for a customer who could not say which one they meant."""
    answer = RenderedAnswer(text="Here is where each of your active orders stands:")
    for order in orders[:MAX_ORDERS_IN_OVERVIEW]:
        part = await _shipment_lines(deps, request, order, Intent.ORDER_STATUS)
        answer.events.extend(part.events)
        answer.ok = answer.ok and part.ok
        answer.text += "\n" + part.text
    hidden = len(orders) - MAX_ORDERS_IN_OVERVIEW
    if hidden > 0:
        answer.text += f"\n…and {hidden} more; tell me an order number to see one of them."
    return answer


def summary_of(order: Order) -> OrderSummary:
    """The hydration view of an order read in full, so one renderer serves both."""
    return OrderSummary(
        order_id=order.order_id,
        placed_at=order.placed_at,
        total=order.total,
        currency=order.currency,
        item_names=[item.name for item in order.items],
        shipments=[
            ShipmentBrief(awb=s.awb, status=s.status, eta=s.eta, delivered_at=s.delivered_at)
            for s in order.shipments
        ],
    )


async def emit(answer: RenderedAnswer) -> AsyncIterator[ChatEvent]:
    for event in answer.events:
        yield event
    async for event in say(answer.text):
        yield event
