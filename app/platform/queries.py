"""Reads scoped to one customer of one client.

Every lookup filters on both client_id and customer_id in SQL, so an order id or AWB that
belongs to anyone else is indistinguishable from one that does not exist.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform import db, fraud, rules
from app.platform.contract import (
    ACTIVE_STATES,
    REGION_TIMEZONES,
    Category,
    Customer,
    ErrorCode,
    Eta,
    FraudScore,
    Order,
    OrderItem,
    OrderSummary,
    ReasonCode,
    Refund,
    RefundStatus,
    Region,
    ReturnWindow,
    Shipment,
    ShipmentBrief,
    ShipmentStatus,
    Tier,
)
from app.platform.errors import not_found

OwnedRow = TypeVar("OwnedRow", db.RefundRow, db.ReturnRow, db.TicketRow)
OrderChildRow = TypeVar("OrderChildRow", db.RefundRow, db.ReturnRow)


# Orders delivered within this many days still count as "active" for hydration.
RECENT_DELIVERY_DAYS = 30


async def customer_row(session: AsyncSession, client_id: str, customer_id: str) -> db.CustomerRow:
    row = await session.scalar(
        select(db.CustomerRow).where(
            db.CustomerRow.client_id == client_id, db.CustomerRow.customer_id == customer_id
        )
    )
    if row is None:
        # The tenant is the caller's own scope (not a guessed id), so naming it unknown tells a
        # misconfigured integration what is wrong without revealing anyone's data.
        if await session.get(db.ClientRow, client_id) is None:
            raise not_found(ErrorCode.CLIENT_NOT_FOUND, "client")
        raise not_found(ErrorCode.CUSTOMER_NOT_FOUND, "customer")
    return row


async def owned_order(
    session: AsyncSession, customer: db.CustomerRow, order_id: str, *, for_update: bool = False
) -> db.OrderRow:
    stmt = select(db.OrderRow).where(
        db.OrderRow.order_id == order_id,
        db.OrderRow.client_id == customer.client_id,
        db.OrderRow.customer_id == customer.customer_id,
    )
    if for_update:
        stmt = stmt.with_for_update()
    row = await session.scalar(stmt)
    if row is None:
        raise not_found(ErrorCode.ORDER_NOT_FOUND, "order")
    return row


async def owned_shipment(
    session: AsyncSession, customer: db.CustomerRow, awb: str
) -> db.ShipmentRow:
    row = await session.scalar(
        select(db.ShipmentRow).where(
            db.ShipmentRow.awb == awb,
            db.ShipmentRow.client_id == customer.client_id,
            db.ShipmentRow.customer_id == customer.customer_id,
        )
    )
    if row is None:
        raise not_found(ErrorCode.SHIPMENT_NOT_FOUND, "shipment")
    return row


async def owned_record(
    session: AsyncSession,
    customer: db.CustomerRow,
    model: type[OwnedRow],
    id_column: str,
    record_id: str,
    code: ErrorCode,
) -> OwnedRow:
    """A refund, return or ticket by id, only if it belongs to this customer of this client."""
    row = await session.scalar(
        select(model).where(
            getattr(model, id_column) == record_id,
            model.client_id == customer.client_id,  # type: ignore[attr-defined]
            model.customer_id == customer.customer_id,  # type: ignore[attr-defined]
        )
    )
    if row is None:
        raise not_found(code, code.value.removesuffix("_not_found"))
    return row


def order_total(order: db.OrderRow) -> Decimal:
    return sum((i.unit_price * i.quantity for i in order.items), Decimal("0.00"))


def refund_view(row: db.RefundRow, now: datetime) -> Refund:
    """The refund as callers see it at `now`: a pending refund whose review time has passed
    shows its decided outcome even before the settler has written it (reads never write)."""
    refund = Refund.model_validate(row)
    if row.status == RefundStatus.PENDING.value and row.settle_at and row.settle_at <= now:
        outcome = RefundStatus(row.settle_outcome or RefundStatus.APPROVED.value)
        refund = refund.model_copy(
            update={
                "status": outcome,
                "settled_at": row.settle_at,
                "decision_reason": f"review_{outcome.value}",
            }
        )
    return refund


async def settle_due_refunds(session: AsyncSession, now: datetime) -> int:
    """Persist the outcome of every pending refund whose review time has passed."""
    due = (
        await session.scalars(
            select(db.RefundRow).where(
                db.RefundRow.status == RefundStatus.PENDING.value,
                db.RefundRow.settle_at <= now,
            )
        )
    ).all()
    for refund in due:
        refund.status = refund.settle_outcome or RefundStatus.APPROVED.value
        refund.settled_at = refund.settle_at
        refund.decision_reason = f"review_{refund.status}"
    return len(due)


async def _rows_for_order(
    session: AsyncSession, row_type: type[OrderChildRow], order_id: str
) -> list[OrderChildRow]:
    """Every refund or return row of one order, oldest first."""
    rows = await session.scalars(
        select(row_type).where(row_type.order_id == order_id).order_by(row_type.created_at)
    )
    return list(rows.all())


async def refunds_for_order(session: AsyncSession, order_id: str) -> list[db.RefundRow]:
    return await _rows_for_order(session, db.RefundRow, order_id)


async def returns_for_order(session: AsyncSession, order_id: str) -> list[db.ReturnRow]:
    return await _rows_for_order(session, db.ReturnRow, order_id)


async def refundable_for(
    session: AsyncSession, order: db.OrderRow, now: datetime
) -> tuple[Decimal, Decimal]:
    """(held by approved+pending refunds, still refundable), with due refunds settled."""
    refunds = [refund_view(r, now) for r in await refunds_for_order(session, order.order_id)]
    total = order_total(order)
    refundable = rules.refundable_amount(total, ((r.amount, r.status.value) for r in refunds))
    return total - refundable, refundable


async def order_view(session: AsyncSession, order: db.OrderRow, now: datetime) -> Order:
    held, refundable = await refundable_for(session, order, now)
    return Order(
        order_id=order.order_id,
        customer_id=order.customer_id,
        client_id=order.client_id,
        placed_at=order.placed_at,
        currency=order.currency,
        items=[OrderItem.model_validate(i) for i in order.items],
        shipments=[Shipment.model_validate(s) for s in order.shipments],
        total=order_total(order),
        refunded=held,
        refundable=refundable,
    )


def is_active(order: db.OrderRow, now: datetime) -> bool:
    recent = now - timedelta(days=RECENT_DELIVERY_DAYS)
    return any(
        ShipmentStatus(s.status) in ACTIVE_STATES
        or (s.delivered_at is not None and s.delivered_at >= recent)
        for s in order.shipments
    )


async def order_summaries(
    session: AsyncSession, customer: db.CustomerRow, *, active_only: bool, now: datetime, limit: int
) -> list[OrderSummary]:
    orders = (
        await session.scalars(
            select(db.OrderRow)
            .where(
                db.OrderRow.client_id == customer.client_id,
                db.OrderRow.customer_id == customer.customer_id,
            )
            # Newest first, id as tie-breaker: hydration output must be byte-stable.
            .order_by(db.OrderRow.placed_at.desc(), db.OrderRow.order_id)
        )
    ).all()
    selected = [o for o in orders if not active_only or is_active(o, now)][:limit]
    return [
        OrderSummary(
            order_id=o.order_id,
            placed_at=o.placed_at,
            total=order_total(o),
            currency=o.currency,
            item_names=[i.name for i in o.items],
            shipments=[
                ShipmentBrief(
                    awb=s.awb,
                    status=ShipmentStatus(s.status),
                    eta=s.eta,
                    delivered_at=s.delivered_at,
                )
                for s in o.shipments
            ],
        )
        for o in selected
    ]


def eta_view(shipment: db.ShipmentRow, region: Region) -> Eta:
    tz_name = REGION_TIMEZONES[region]
    eta_local = None
    if shipment.eta is not None:
        eta_local = shipment.eta.astimezone(ZoneInfo(tz_name)).strftime("%a %d %b %Y, %H:%M %Z")
    return Eta(
        awb=shipment.awb,
        status=ShipmentStatus(shipment.status),
        region=region,
        timezone=tz_name,
        eta=shipment.eta,
        eta_local=eta_local,
        delivered_at=shipment.delivered_at,
    )


async def return_window(
    session: AsyncSession, client_id: str, sku: str, region: Region, tier: Tier
) -> ReturnWindow:
    product = await session.scalar(
        select(db.ProductRow).where(db.ProductRow.client_id == client_id, db.ProductRow.sku == sku)
    )
    if product is None:
        raise not_found(ErrorCode.SKU_NOT_FOUND, "sku")
    category = Category(product.category)
    category_row = await session.scalar(
        select(db.ReturnRuleRow).where(
            db.ReturnRuleRow.client_id == client_id,
            db.ReturnRuleRow.region == region.value,
            db.ReturnRuleRow.category == category.value,
        )
    )
    sku_rows = (
        await session.scalars(
            select(db.SkuRuleRow).where(
                db.SkuRuleRow.client_id == client_id, db.SkuRuleRow.sku == sku
            )
        )
    ).all()
    return rules.resolve_return_window(
        client_id=client_id,
        sku=sku,
        category=category,
        region=region,
        tier=tier,
        category_rule=(
            rules.CategoryRule(
                window_days=category_row.window_days,
                returnable=category_row.returnable,
                policy_code=category_row.policy_code,
                tier_bonus_days=category_row.tier_bonus_days,
            )
            if category_row
            else None
        ),
        sku_rules=[
            rules.SkuRule(
                region=r.region,
                window_days=r.window_days,
                returnable=r.returnable,
                policy_code=r.policy_code,
            )
            for r in sku_rows
        ],
    )


async def refund_rule(session: AsyncSession, client_id: str) -> rules.RefundRule:
    row = await session.get(db.RefundRuleRow, client_id)
    if row is None:  # a client without explicit rules gets conservative defaults
        return rules.RefundRule(
            auto_approve_limit={},
            review_settle_s=120,
            fraud_review_threshold=0.5,
            fraud_reject_threshold=0.85,
        )
    return rules.RefundRule(
        auto_approve_limit=row.auto_approve_limit,
        review_settle_s=row.review_settle_s,
        fraud_review_threshold=row.fraud_review_threshold,
        fraud_reject_threshold=row.fraud_reject_threshold,
    )


async def fraud_score(
    session: AsyncSession, customer: db.CustomerRow, order: db.OrderRow, now: datetime
) -> FraudScore:
    orders = (
        await session.scalars(
            select(db.OrderRow).where(db.OrderRow.customer_id == customer.customer_id)
        )
    ).all()
    order_values = [order_total(o) for o in orders] or [Decimal("0")]
    refunds = (
        await session.scalars(
            select(db.RefundRow).where(
                db.RefundRow.customer_id == customer.customer_id,
                db.RefundRow.status != RefundStatus.REJECTED.value,
            )
        )
    ).all()
    disputes = await session.scalar(
        select(func.count())
        .select_from(db.RefundRow)
        .where(
            db.RefundRow.customer_id == customer.customer_id,
            db.RefundRow.reason_code == ReasonCode.DELIVERY_DISPUTE.value,
        )
    )
    features = fraud.FraudFeatures(
        refunds_90d=sum(1 for r in refunds if r.created_at >= now - timedelta(days=90)),
        refunded_total=sum((r.amount for r in refunds), Decimal("0")),
        lifetime_spend=sum(order_values, Decimal("0")),
        disputes=int(disputes or 0),
        account_age_days=(now - customer.created_at).total_seconds() / 86400,
        order_value=order_total(order),
        median_order_value=Decimal(str(statistics.median(order_values))),
    )
    score, band, factors = fraud.score(features)
    return FraudScore(
        customer_id=customer.customer_id,
        order_id=order.order_id,
        score=score,
        band=band,
        factors=factors,
    )


def customer_view(row: db.CustomerRow) -> Customer:
    return Customer.model_validate(row)
