"""Reading platform state back after a write: the only source of what the customer is told.

A write's own answer is not enough: it can be lost (the platform committed, the response did
not arrive), or a pending refund can settle later. `read_back` reads the refund or return by
id. A write whose outcome stayed unknown is resolved by its idempotency key (resolution.py):
"nothing new on the order" is never read as "not written", the platform may still commit it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from app.agents.negotiation.state import Action, Verified
from app.platform.contract import Refund, Return
from app.tools.executor import ToolResult, ToolSuccess

Run = Callable[..., Awaitable[ToolResult]]


def verified_refund(refund: Refund) -> Verified:
    return Verified(
        kind=Action.REFUND,
        status=refund.status.value,
        order_id=refund.order_id,
        record_id=refund.refund_id,
        amount=float(refund.amount),
        currency=refund.currency,
        reason_code=refund.reason_code,
        decision_reason=refund.decision_reason,
    )


def verified_return(ret: Return) -> Verified:
    return Verified(
        kind=Action.RETURN,
        status=ret.status.value,
        order_id=ret.order_id,
        record_id=ret.return_id,
        amount=float(ret.refund_on_receipt),
        reason_code=ret.reason_code,
        label_ref=ret.label_ref,
    )


def _verified(output: Any) -> Verified | None:
    if isinstance(output, Refund):
        return verified_refund(output)
    if isinstance(output, Return):
        return verified_return(output)
    return None


async def read_back(
    run: Run, kind: Action, record_id: str, *, order_id: str, currency: str
) -> Verified:
    """The record as the platform shows it now; status "unknown" when it cannot be read."""
    if kind is Action.REFUND:
        result = await run("get_refund", {"refund_id": record_id})
    else:
        result = await run("get_return", {"return_id": record_id})
    verified = _verified(result.output) if isinstance(result, ToolSuccess) else None
    if verified is None:
        return Verified(
            kind=kind, status="unknown", order_id=order_id, record_id=record_id, currency=currency
        )
    if kind is Action.RETURN:  # a return carries no currency of its own
        return verified.model_copy(update={"currency": currency})
    return verified


def output_record(result: ToolResult) -> tuple[str | None, str | None]:
    """(record id, status) of a successful write's answer."""
    if not isinstance(result, ToolSuccess):
        return None, None
    verified = _verified(result.output)
    return (verified.record_id, verified.status) if verified else (None, None)
