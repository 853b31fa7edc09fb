"""Quotes of the reference platform: what a refund or return would be accepted for, written
nowhere.

A quote runs the same rule functions as the write (`rules`), against the same rows, so a
caller proposes exactly what the platform would accept without holding a copy of its rules.
The write checks everything again: between a quote and a write the order may change.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform import db, queries, rules
from app.platform.contract import (
    DELIVERED_STATES,
    ErrorCode,
    Quote,
    QuoteAction,
    QuoteLine,
    QuoteRequest,
    Region,
    ReturnStatus,
    ShipmentStatus,
    Tier,
)
from app.platform.errors import PlatformError, rule_violation

ZERO = Decimal("0.00")


async def quote(
    session: AsyncSession, customer: db.CustomerRow, request: QuoteRequest, now: datetime
) -> Quote:
    if (request.action is QuoteAction.REFUND) == bool(request.items) or (
        request.action is QuoteAction.RETURN and request.amount is not None
    ):
        raise rule_violation(
            ErrorCode.INVALID_REQUEST, "a refund quote names an amount, a return quote its items"
        )
    order = await queries.owned_order(session, customer, request.order_id)
    _, refundable = await queries.refundable_for(session, order, now)
    if request.action is QuoteAction.REFUND:
        return _refund(order, request, refundable, now)
    return await _return(session, customer, order, request, refundable, now)


def _refund(order: db.OrderRow, request: QuoteRequest, refundable: Decimal, now: datetime) -> Quote:
    base = {
        "order_id": order.order_id,
        "action": request.action,
        "reason_code": request.reason_code,
        "currency": order.currency,
        "max_amount": refundable,
        "quoted_at": now,
    }
    try:
        rules.check_reason_applicable(
            request.reason_code, [ShipmentStatus(s.status) for s in order.shipments]
        )
        if request.amount is not None:
            rules.check_refund_amount(request.amount, refundable)
    except PlatformError as exc:
        return Quote(eligible=False, code=ErrorCode(exc.code), message=exc.message, **base)
    if refundable <= ZERO:
        return Quote(
            eligible=False,
            code=ErrorCode.AMOUNT_EXCEEDS_REFUNDABLE,
            message="nothing remains refundable on this order",
            **base,
        )
    return Quote(eligible=True, message=f"a refund of up to {refundable} is accepted", **base)


async def _return(
    session: AsyncSession,
    customer: db.CustomerRow,
    order: db.OrderRow,
    request: QuoteRequest,
    refundable: Decimal,
    now: datetime,
) -> Quote:
    delivered = [
        s.delivered_at
        for s in order.shipments
        if ShipmentStatus(s.status) in DELIVERED_STATES and s.delivered_at is not None
    ]
    items = {item.sku: item for item in order.items}
    returned = await _returned_quantities(session, order.order_id)
    lines: list[QuoteLine] = []
    value = ZERO
    for line in request.items:
        item = items.get(line.sku)
        if item is None:
            lines.append(
                QuoteLine(
                    sku=line.sku,
                    quantity=line.quantity,
                    eligible=False,
                    code=ErrorCode.ITEM_NOT_IN_ORDER,
                    returnable_quantity=0,
                    value=ZERO,
                )
            )
            continue
        remaining = item.quantity - returned.get(line.sku, 0)
        line_value = item.unit_price * line.quantity
        window = await queries.return_window(
            session, customer.client_id, line.sku, Region(customer.region), Tier(customer.tier)
        )
        code: ErrorCode | None = None
        if line.quantity > remaining:
            code = ErrorCode.QUANTITY_EXCEEDS_RETURNABLE
        else:
            try:
                rules.check_return_window(window, max(delivered) if delivered else None, now)
            except PlatformError as exc:
                code = ErrorCode(exc.code)
        lines.append(
            QuoteLine(
                sku=line.sku,
                quantity=line.quantity,
                eligible=code is None,
                code=code,
                returnable_quantity=max(remaining, 0),
                window_days=window.window_days,
                policy_code=window.policy_code,
                value=line_value,
            )
        )
        if code is None:
            value += line_value
    accepted = [line for line in lines if line.eligible]
    refusal = _return_refusal(delivered, lines)
    return Quote(
        order_id=order.order_id,
        action=request.action,
        reason_code=request.reason_code,
        eligible=bool(accepted),
        code=None if accepted else refusal,
        message=(
            f"{len(accepted)} of {len(lines)} lines can go back"
            if accepted
            else f"no line can go back ({refusal})"
        ),
        max_amount=min(value, refundable),
        currency=order.currency,
        lines=lines,
        quoted_at=now,
    )


def _return_refusal(delivered: list[datetime], lines: list[QuoteLine]) -> ErrorCode:
    if not delivered:
        return ErrorCode.ORDER_NOT_DELIVERED
    codes = {line.code for line in lines if line.code is not None}
    # One shared reason names the refusal; several are told line by line.
    return codes.pop() if len(codes) == 1 else ErrorCode.ITEM_NOT_RETURNABLE


async def _returned_quantities(session: AsyncSession, order_id: str) -> dict[str, int]:
    """Quantities already on a return that was not rejected, by SKU (as create_return counts)."""
    returned: dict[str, int] = {}
    previous = await session.scalars(
        select(db.ReturnRow).where(
            db.ReturnRow.order_id == order_id,
            db.ReturnRow.status != ReturnStatus.REJECTED.value,
        )
    )
    for earlier in previous:
        for line in earlier.items:
            returned[line["sku"]] = returned.get(line["sku"], 0) + int(line["quantity"])
    return returned
