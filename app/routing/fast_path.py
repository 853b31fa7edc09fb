"""The tracking fast path: one read tool and a template, no LLM call.

Taken when the intent is order_status, eta or delivery_photo and the message resolves to exactly
one of the customer's active shipments. The tool runs through the executor like any worker's
call (Tracking tier, narrowed to this customer's orders), and the answer is rendered from its
output only. Whenever that is not possible (no certain target, a tool failure) the result is
None and the Tracking worker takes over; the fast path never guesses and never invents data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from app.routing.intents import Intent
from app.routing.order_resolution import ShipmentTarget, resolve_shipment
from app.routing.tracking_replies import render_output
from app.tools.definitions import CustomerContext, narrowing_for
from app.tools.executor import ToolExecutor, ToolSuccess
from app.tools.narrowing import Narrowing
from app.tools.spec import AgentTier, ToolContext

_TOOLS: dict[Intent, str] = {
    Intent.ORDER_STATUS: "get_order_status",
    Intent.ETA: "get_eta",
    Intent.DELIVERY_PHOTO: "get_delivery_photo",
}


class FastPathAnswer(BaseModel):
    text: str
    tool_calls: list[dict[str, Any]] = Field(description="name, arguments, ok per call made.")
    order_id: str
    awb: str


def _arguments(intent: Intent, target: ShipmentTarget, context: CustomerContext) -> dict[str, Any]:
    if intent is Intent.ETA:
        return {"awb": target.awb, "region": context.region.value}
    return {"awb": target.awb}


def _narrowing(context: CustomerContext) -> Narrowing:
    return narrowing_for(context)


def _render(output: BaseModel, target: ShipmentTarget, context: CustomerContext) -> str | None:
    if getattr(output, "awb", None) != target.awb:
        return None  # an output for another shipment than asked is never shown
    return render_output(output, target.order_id, context.region)


async def try_fast_path(
    intent: Intent,
    message: str,
    context: CustomerContext,
    executor: ToolExecutor,
    tool_ctx: ToolContext,
    earlier_ids: Sequence[str] = (),
) -> FastPathAnswer | None:
    tool = _TOOLS.get(intent)
    if tool is None:
        return None
    target = resolve_shipment(
        message,
        context.active_orders,
        delivered_only=intent is Intent.DELIVERY_PHOTO,
        earlier_ids=earlier_ids,
    )
    if target is None:
        return None
    arguments = _arguments(intent, target, context)
    result = await executor.execute(
        tool_ctx, AgentTier.TRACKING, tool, arguments, _narrowing(context)
    )
    if not isinstance(result, ToolSuccess):
        return None
    text = _render(result.output, target, context)
    if text is None:
        return None
    return FastPathAnswer(
        text=text,
        tool_calls=[{"name": tool, "arguments": arguments, "ok": True}],
        order_id=target.order_id,
        awb=target.awb,
    )
