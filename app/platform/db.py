"""Relational schema of the reference order platform (SQLAlchemy 2, async).

SQLite by default; any SQLAlchemy async URL selects another engine
(`postgresql+asyncpg://...` with the `postgres` extra).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no zone, and mixing naive and aware
    datetimes in comparisons is a bug waiting to happen."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the platform database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


MoneyColumn = Numeric(12, 2, asdecimal=True)


class Base(DeclarativeBase):
    pass


class ClientRow(Base):
    __tablename__ = "clients"
    client_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    regions: Mapped[list[str]] = mapped_column(JSON)


class ReturnRuleRow(Base):
    __tablename__ = "return_rules"
    __table_args__ = (UniqueConstraint("client_id", "region", "category"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id"))
    region: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(32))
    window_days: Mapped[int] = mapped_column(Integer)
    returnable: Mapped[bool] = mapped_column(Boolean)
    policy_code: Mapped[str] = mapped_column(String(40))
    tier_bonus_days: Mapped[dict[str, int]] = mapped_column(JSON)


class SkuRuleRow(Base):
    __tablename__ = "sku_rules"
    __table_args__ = (UniqueConstraint("client_id", "sku", "region"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id"))
    sku: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(8))  # a Region value or "ALL"
    window_days: Mapped[int] = mapped_column(Integer)
    returnable: Mapped[bool] = mapped_column(Boolean)
    policy_code: Mapped[str] = mapped_column(String(40))


class RefundRuleRow(Base):
    __tablename__ = "refund_rules"
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id"), primary_key=True)
    auto_approve_limit: Mapped[dict[str, float]] = mapped_column(JSON)
    review_settle_s: Mapped[float] = mapped_column(Float)
    fraud_review_threshold: Mapped[float] = mapped_column(Float)
    fraud_reject_threshold: Mapped[float] = mapped_column(Float)


class ProductRow(Base):
    __tablename__ = "products"
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id"), primary_key=True)
    sku: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    price: Mapped[Decimal] = mapped_column(MoneyColumn)


class CustomerRow(Base):
    __tablename__ = "customers"
    customer_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    tier: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_owner", "client_id", "customer_id"),)
    order_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.client_id"))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    currency: Mapped[str] = mapped_column(String(3))
    items: Mapped[list[OrderItemRow]] = relationship(
        order_by="OrderItemRow.id", lazy="selectin", cascade="all, delete-orphan"
    )
    shipments: Mapped[list[ShipmentRow]] = relationship(
        order_by="ShipmentRow.awb", lazy="selectin", cascade="all, delete-orphan"
    )


class OrderItemRow(Base):
    __tablename__ = "order_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), index=True)
    sku: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    unit_price: Mapped[Decimal] = mapped_column(MoneyColumn)
    quantity: Mapped[int] = mapped_column(Integer)


class ShipmentRow(Base):
    __tablename__ = "shipments"
    __table_args__ = (Index("ix_shipments_owner", "client_id", "customer_id"),)
    awb: Mapped[str] = mapped_column(String(16), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), index=True)
    client_id: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str] = mapped_column(String(16))
    carrier: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    destination_region: Mapped[str] = mapped_column(String(8))
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    photo_ref: Mapped[str | None] = mapped_column(String(300), nullable=True)
    timeline: Mapped[list[ShipmentEventRow]] = relationship(
        order_by="ShipmentEventRow.at", lazy="selectin", cascade="all, delete-orphan"
    )


class ShipmentEventRow(Base):
    __tablename__ = "shipment_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    awb: Mapped[str] = mapped_column(ForeignKey("shipments.awb"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(32))
    location: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(400))


class RefundRow(Base):
    __tablename__ = "refunds"
    refund_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str] = mapped_column(String(16), index=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MoneyColumn)
    currency: Mapped[str] = mapped_column(String(3))
    reason_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    decision_reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Pending refunds settle at settle_at into settle_outcome (hidden from the contract).
    settle_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    settle_outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)


class ReturnRow(Base):
    __tablename__ = "returns"
    return_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str] = mapped_column(String(16), index=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), index=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reason_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    refund_on_receipt: Mapped[Decimal] = mapped_column(MoneyColumn)
    label_ref: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationRow(Base):
    __tablename__ = "notifications"
    notification_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str] = mapped_column(String(16), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    order_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketRow(Base):
    __tablename__ = "tickets"
    ticket_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(32), index=True)
    customer_id: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    session_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reason: Mapped[str] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    decision_trace: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyRow(Base):
    """One row per (client, Idempotency-Key): the first result of a write, replayed verbatim."""

    __tablename__ = "idempotency_keys"
    client_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    operation: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def make_engine(database_url: str) -> AsyncEngine:
    kwargs: dict[str, Any] = {}
    if database_url.startswith("sqlite"):
        # Writers wait for each other instead of failing with "database is locked".
        kwargs["connect_args"] = {"timeout": 30}
    engine = create_async_engine(database_url, **kwargs)
    if database_url.startswith("sqlite"):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)


async def drop_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
