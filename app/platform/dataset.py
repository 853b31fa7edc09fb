"""The platform's documented import/export format (`PlatformDataset`).

Seed data, eval fixtures and exports all use this one JSON shape. `as_of` is the moment the
data describes; importing with `rebase=True` shifts every timestamp so that `as_of` becomes
"now", which keeps "delivered 3 days ago" true however old a fixture file is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.platform import db
from app.platform.contract import (
    Awb,
    Category,
    ClientId,
    Customer,
    CustomerId,
    Money,
    NotificationChannel,
    OrderId,
    OrderItem,
    ReasonCode,
    RefundStatus,
    Region,
    ReturnLine,
    ReturnStatus,
    ShipmentEvent,
    ShipmentStatus,
    Sku,
    TicketPriority,
    TicketStatus,
    Tier,
)

FORMAT_VERSION = 1


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class ClientRecord(_Record):
    client_id: ClientId
    name: str
    regions: list[Region] = Field(min_length=1)


class ReturnRuleRecord(_Record):
    client_id: ClientId
    region: Region
    category: Category
    window_days: int = Field(ge=0, le=365)
    returnable: bool = True
    policy_code: str
    tier_bonus_days: dict[Tier, int] = Field(default_factory=dict)


class SkuRuleRecord(_Record):
    """A SKU-specific rule; it overrides the category rule (tier bonuses do not apply)."""

    client_id: ClientId
    sku: Sku
    region: Region | Literal["ALL"] = "ALL"
    window_days: int = Field(ge=0, le=365)
    returnable: bool = True
    policy_code: str


class RefundRuleRecord(_Record):
    client_id: ClientId
    auto_approve_limit: dict[Tier, float]
    review_settle_s: float = Field(default=120.0, ge=0)
    fraud_review_threshold: float = Field(default=0.5, ge=0, le=1)
    fraud_reject_threshold: float = Field(default=0.85, ge=0, le=1)


class ProductRecord(_Record):
    client_id: ClientId
    sku: Sku
    name: str
    category: Category
    price: Money


class ShipmentRecord(_Record):
    awb: Awb
    carrier: str
    status: ShipmentStatus
    destination_region: Region
    eta: datetime | None = None
    delivered_at: datetime | None = None
    signed_by: str | None = None
    photo_ref: str | None = None
    timeline: list[ShipmentEvent] = Field(default_factory=list)


class OrderRecord(_Record):
    order_id: OrderId
    client_id: ClientId
    customer_id: CustomerId
    placed_at: datetime
    currency: str = Field(min_length=3, max_length=3)
    items: list[OrderItem] = Field(min_length=1)
    shipments: list[ShipmentRecord] = Field(default_factory=list)


class RefundRecord(_Record):
    refund_id: str
    client_id: ClientId
    customer_id: CustomerId
    order_id: OrderId
    amount: Money
    currency: str
    reason_code: ReasonCode
    status: RefundStatus
    decision_reason: str = "imported"
    created_at: datetime
    settled_at: datetime | None = None
    settle_at: datetime | None = None
    settle_outcome: RefundStatus | None = None


class ReturnRecord(_Record):
    return_id: str
    client_id: ClientId
    customer_id: CustomerId
    order_id: OrderId
    items: list[ReturnLine]
    reason_code: ReasonCode
    status: ReturnStatus
    refund_on_receipt: Money
    label_ref: str
    created_at: datetime


class NotificationRecord(_Record):
    notification_id: str
    client_id: ClientId
    customer_id: CustomerId
    channel: NotificationChannel
    subject: str
    body: str
    order_id: OrderId | None = None
    status: str = "sent"
    created_at: datetime


class TicketRecord(_Record):
    ticket_id: str
    client_id: ClientId
    customer_id: CustomerId
    order_id: OrderId | None = None
    session_id: str | None = None
    reason: str
    priority: TicketPriority
    status: TicketStatus
    summary: str
    decision_trace: list[str] = Field(default_factory=list)
    created_at: datetime


class PlatformDataset(_Record):
    format_version: Literal[1] = FORMAT_VERSION
    as_of: datetime
    clients: list[ClientRecord] = Field(default_factory=list)
    return_rules: list[ReturnRuleRecord] = Field(default_factory=list)
    sku_rules: list[SkuRuleRecord] = Field(default_factory=list)
    refund_rules: list[RefundRuleRecord] = Field(default_factory=list)
    products: list[ProductRecord] = Field(default_factory=list)
    customers: list[Customer] = Field(default_factory=list)
    orders: list[OrderRecord] = Field(default_factory=list)
    refunds: list[RefundRecord] = Field(default_factory=list)
    returns: list[ReturnRecord] = Field(default_factory=list)
    notifications: list[NotificationRecord] = Field(default_factory=list)
    tickets: list[TicketRecord] = Field(default_factory=list)

    def rebased(self, now: datetime) -> PlatformDataset:
        """A copy with every timestamp shifted by (now - as_of)."""
        shift = now - self.as_of
        return PlatformDataset.model_validate(_shift_datetimes(self.model_dump(), shift))


def _shift_datetimes(value: Any, shift: timedelta) -> Any:
    if isinstance(value, datetime):
        return value + shift
    if isinstance(value, dict):
        return {k: _shift_datetimes(v, shift) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift_datetimes(v, shift) for v in value]
    return value


_TABLES_CHILD_FIRST = (
    db.IdempotencyRow,
    db.TicketRow,
    db.NotificationRow,
    db.ReturnRow,
    db.RefundRow,
    db.ShipmentEventRow,
    db.ShipmentRow,
    db.OrderItemRow,
    db.OrderRow,
    db.CustomerRow,
    db.ProductRow,
    db.RefundRuleRow,
    db.SkuRuleRow,
    db.ReturnRuleRow,
    db.ClientRow,
)


async def clear_all(session: AsyncSession) -> None:
    for table in _TABLES_CHILD_FIRST:
        await session.execute(delete(table))


async def load_dataset(
    sessions: async_sessionmaker[AsyncSession],
    dataset: PlatformDataset,
    *,
    replace: bool = False,
    now: datetime | None = None,
) -> None:
    """Write a dataset into the database in one transaction.

    `replace` empties every table first; `now` rebases all timestamps onto that moment.
    """
    if now is not None:
        dataset = dataset.rebased(now)
    async with sessions() as session, session.begin():
        if replace:
            await clear_all(session)
        session.add_all(db.ClientRow(**c.model_dump()) for c in dataset.clients)
        await session.flush()
        session.add_all(db.ReturnRuleRow(**r.model_dump(mode="json")) for r in dataset.return_rules)
        session.add_all(db.SkuRuleRow(**r.model_dump(mode="json")) for r in dataset.sku_rules)
        session.add_all(db.RefundRuleRow(**r.model_dump(mode="json")) for r in dataset.refund_rules)
        session.add_all(db.ProductRow(**p.model_dump()) for p in dataset.products)
        session.add_all(db.CustomerRow(**c.model_dump()) for c in dataset.customers)
        await session.flush()
        owners: dict[str, str] = {c.customer_id: c.client_id for c in dataset.customers}
        for order in dataset.orders:
            if owners.get(order.customer_id) not in (None, order.client_id):
                raise ValueError(f"{order.order_id}: customer belongs to another client")
            session.add(_order_row(order))
        await session.flush()
        session.add_all(db.RefundRow(**r.model_dump()) for r in dataset.refunds)
        session.add_all(
            db.ReturnRow(**{**r.model_dump(), "items": [i.model_dump() for i in r.items]})
            for r in dataset.returns
        )
        session.add_all(db.NotificationRow(**n.model_dump()) for n in dataset.notifications)
        session.add_all(db.TicketRow(**t.model_dump()) for t in dataset.tickets)


def _order_row(order: OrderRecord) -> db.OrderRow:
    return db.OrderRow(
        order_id=order.order_id,
        client_id=order.client_id,
        customer_id=order.customer_id,
        placed_at=order.placed_at,
        currency=order.currency,
        items=[db.OrderItemRow(**item.model_dump()) for item in order.items],
        shipments=[
            db.ShipmentRow(
                **shipment.model_dump(exclude={"timeline"}),
                order_id=order.order_id,
                client_id=order.client_id,
                customer_id=order.customer_id,
                timeline=[db.ShipmentEventRow(**e.model_dump()) for e in shipment.timeline],
            )
            for shipment in order.shipments
        ],
    )


async def export_dataset(
    sessions: async_sessionmaker[AsyncSession], *, as_of: datetime, client_id: str | None = None
) -> PlatformDataset:
    """Read the database back into the import format (optionally one client only)."""

    async with sessions() as session:

        async def rows(model: Any) -> list[Any]:
            stmt = select(model)
            if client_id is not None and hasattr(model, "client_id"):
                stmt = stmt.where(model.client_id == client_id)
            return list((await session.scalars(stmt)).all())

        orders = []
        for row in await rows(db.OrderRow):
            orders.append(
                OrderRecord(
                    order_id=row.order_id,
                    client_id=row.client_id,
                    customer_id=row.customer_id,
                    placed_at=row.placed_at,
                    currency=row.currency,
                    items=[OrderItem.model_validate(i) for i in row.items],
                    shipments=[ShipmentRecord.model_validate(s) for s in row.shipments],
                )
            )
        return PlatformDataset(
            as_of=as_of,
            clients=[ClientRecord.model_validate(r) for r in await rows(db.ClientRow)],
            return_rules=[ReturnRuleRecord.model_validate(r) for r in await rows(db.ReturnRuleRow)],
            sku_rules=[SkuRuleRecord.model_validate(r) for r in await rows(db.SkuRuleRow)],
            refund_rules=[RefundRuleRecord.model_validate(r) for r in await rows(db.RefundRuleRow)],
            products=[ProductRecord.model_validate(r) for r in await rows(db.ProductRow)],
            customers=[Customer.model_validate(r) for r in await rows(db.CustomerRow)],
            orders=orders,
            refunds=[RefundRecord.model_validate(r) for r in await rows(db.RefundRow)],
            returns=[ReturnRecord.model_validate(r) for r in await rows(db.ReturnRow)],
            notifications=[
                NotificationRecord.model_validate(r) for r in await rows(db.NotificationRow)
            ],
            tickets=[TicketRecord.model_validate(r) for r in await rows(db.TicketRow)],
        )


def money(value: float | str | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
