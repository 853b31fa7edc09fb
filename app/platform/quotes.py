"""Quotes of the reference platform: what a refund or return would be accepted for, written
nowhere.

A quote runs the write's own checks (the rule functions in `rules`; for a return, the same
`judge_return_lines` create_return runs), against the same rows, so a caller proposes exactly
what the platform would accept without holding a copy of its rules.
The write checks everything again: between a quote and a write the order may change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
    ReturnLine,
    ReturnStatus,
    ReturnWindow,
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


@dataclass(frozen=True)
class LineVerdict:
    """One requested return line judged by the platform's rules: `refusal` is the error the
    write raises for it (None: accepted)."""

    line: ReturnLine
    value: Decimal
    returnable_quantity: int
    window: ReturnWindow | None
    refusal: PlatformError | None


async def judge_return_lines(
    session: AsyncSession,
    customer: db.CustomerRow,
    order: db.OrderRow,
    lines: Sequence[ReturnLine],
    delivered_at: datetime | None,
    now: datetime,
) -> list[LineVerdict]:
    """Every line of a return, judged as the write judges it (create_return raises the first
    refusal; a quote reports them all): one code path, so they cannot disagree."""
    items = {item.sku: item for item in order.items}
    returned = await _returned_quantities(session, order.order_id)
    verdicts: list[LineVerdict] = []
    for line in lines:
        item = items.get(line.sku)
        if item is None:
            refusal = rule_violation(
                ErrorCode.ITEM_NOT_IN_ORDER, f"{line.sku} is not part of {order.order_id}"
            )
            verdicts.append(LineVerdict(line, ZERO, 0, None, refusal))
            continue
        remaining = item.quantity - returned.get(line.sku, 0)
        window = await queries.return_window(
            session, customer.client_id, line.sku, Region(customer.region), Tier(customer.tier)
        )
        refusal = None
        if line.quantity > remaining:
            refusal = rule_violation(
                ErrorCode.QUANTITY_EXCEEDS_RETURNABLE,
                f"only {remaining} of {line.sku} can still be returned",
                sku=line.sku,
                returnable_quantity=remaining,
            )
        else:
            try:
                rules.check_return_window(window, delivered_at, now)
            except PlatformError as exc:
                refusal = exc
        value = item.unit_price * line.quantity
        verdicts.append(LineVerdict(line, value, max(remaining, 0), window, refusal))
    return verdicts


def delivered_at_of(order: db.OrderRow) -> datetime | None:
    """When the order's last delivered shipment arrived (a return's window runs from it)."""
    delivered = [
        s.delivered_at
        for s in order.shipments
        if ShipmentStatus(s.status) in DELIVERED_STATES and s.delivered_at is not None
    ]
    return max(delivered) if delivered else None


async def _return(
    session: AsyncSession,
    customer: db.CustomerRow,
    order: db.OrderRow,
    request: QuoteRequest,
    refundable: Decimal,
    now: datetime,
) -> Quote:
    delivered_at = delivered_at_of(order)
    verdicts = await judge_return_lines(session, customer, order, request.items, delivered_at, now)
    lines = [
        QuoteLine(
            sku=v.line.sku,
            quantity=v.line.quantity,
            eligible=v.refusal is None,
            code=None if v.refusal is None else ErrorCode(v.refusal.code),
            returnable_quantity=v.returnable_quantity,
            window_days=v.window.window_days if v.window else None,
            policy_code=v.window.policy_code if v.window else None,
            value=v.value,
        )
        for v in verdicts
    ]
    value = sum((v.value for v in verdicts if v.refusal is None), ZERO)
    accepted = [line for line in lines if line.eligible]
    refusal = _return_refusal(delivered_at, lines)
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


def _return_refusal(delivered_at: datetime | None, lines: list[QuoteLine]) -> ErrorCode:
    if delivered_at is None:
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
