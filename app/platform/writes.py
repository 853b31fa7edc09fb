"""Writes of the reference platform, each idempotent under an `Idempotency-Key`.

The first result of a key is stored in the same transaction as the write itself and replayed
verbatim for every later request with that key, so a retried or duplicated call never writes
twice. A different payload under a used key is refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.platform import db, queries, quotes, rules
from app.platform.contract import (
    ErrorCode,
    Notification,
    NotificationRequest,
    Refund,
    RefundRequest,
    RefundStatus,
    Return,
    ReturnRequest,
    ReturnStatus,
    ShipmentStatus,
    Ticket,
    TicketRequest,
    TicketStatus,
    Tier,
)
from app.platform.errors import PlatformError, rule_violation
from app.platform.faults import FaultInjector
from app.platform.ids import new_id

Handler = Callable[[AsyncSession], Awaitable[BaseModel]]


@dataclass(frozen=True)
class WriteOutcome:
    status_code: int
    body: dict[str, Any]
    replayed: bool


def request_fingerprint(operation: str, customer_id: str, payload: BaseModel) -> str:
    canonical = json.dumps(
        {"op": operation, "customer": customer_id, "body": payload.model_dump(mode="json")},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotentWriter:
    """Runs write handlers exactly once per (client, key).

    SQLite allows one writer at a time and fails fast when two transactions both try to
    upgrade a read lock, so with SQLite this process serialises its writes with one lock.
    Other engines rely on the (client_id, key) primary key: the loser of a race rolls back
    and replays the winner's stored result.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, serialize: bool) -> None:
        self._sessions = sessions
        self._lock = asyncio.Lock() if serialize else None

    async def run(
        self,
        *,
        client_id: str,
        key: str,
        operation: str,
        fingerprint: str,
        handler: Handler,
        now: datetime,
        deadline: datetime | None = None,
    ) -> WriteOutcome:
        """`deadline`: the request's arrival plus the write deadline; past it, nothing commits."""
        # A replay needs no lock: answer it from the stored result straight away.
        async with self._sessions() as session:
            stored = await session.get(db.IdempotencyRow, (client_id, key))
            if stored is not None:
                return _replay(stored, operation, fingerprint)
        async with self.exclusive():
            return await self._run(client_id, key, operation, fingerprint, handler, now, deadline)

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Holds the writer lock (SQLite) for any write, the background settler's too."""
        if self._lock is None:
            yield
            return
        async with self._lock:
            yield

    async def _run(
        self,
        client_id: str,
        key: str,
        operation: str,
        fingerprint: str,
        handler: Handler,
        now: datetime,
        deadline: datetime | None,
    ) -> WriteOutcome:
        try:
            async with self._sessions() as session, session.begin():
                stored = await session.get(db.IdempotencyRow, (client_id, key))
                if stored is not None:
                    return _replay(stored, operation, fingerprint)
                result = await handler(session)
                body = result.model_dump(mode="json")
                session.add(
                    db.IdempotencyRow(
                        client_id=client_id,
                        key=key,
                        operation=operation,
                        request_hash=fingerprint,
                        status_code=201,
                        response=body,
                        created_at=now,
                    )
                )
                # Last thing before the commit: a request past its deadline rolls back, so
                # its caller's lookup by key after the deadline is final.
                if deadline is not None and datetime.now(deadline.tzinfo) > deadline:
                    raise PlatformError(
                        504,
                        ErrorCode.WRITE_DEADLINE_EXCEEDED,
                        f"{operation} was not committed within the write deadline",
                    )
            return WriteOutcome(201, body, replayed=False)
        except IntegrityError:
            # A concurrent request with the same key committed first: answer with its result.
            async with self._sessions() as session:
                stored = await session.get(db.IdempotencyRow, (client_id, key))
                if stored is None:
                    raise
                return _replay(stored, operation, fingerprint)


def record_id_of(stored: db.IdempotencyRow) -> str | None:
    """The id of what a stored write created (refund, return, notification or ticket)."""
    for field in ("refund_id", "return_id", "notification_id", "ticket_id"):
        value = stored.response.get(field)
        if isinstance(value, str):
            return value
    return None


def _replay(stored: db.IdempotencyRow, operation: str, fingerprint: str) -> WriteOutcome:
    if stored.operation != operation or stored.request_hash != fingerprint:
        raise rule_violation(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was already used for a different request",
        )
    return WriteOutcome(stored.status_code, stored.response, replayed=True)


# ---------------------------------------------------------------- the write handlers


async def create_refund(
    session: AsyncSession,
    customer: db.CustomerRow,
    request: RefundRequest,
    now: datetime,
    faults: FaultInjector,
) -> Refund:
    order = await queries.owned_order(session, customer, request.order_id, for_update=True)
    rules.check_reason_applicable(
        request.reason_code, [ShipmentStatus(s.status) for s in order.shipments]
    )
    _, refundable = await queries.refundable_for(session, order, now)
    rules.check_refund_amount(request.amount, refundable)
    fraud = await queries.fraud_score(session, customer, order, now)
    rule = await queries.refund_rule(session, customer.client_id)
    decision = rules.decide_refund(
        amount=request.amount, tier=Tier(customer.tier), fraud_score=fraud.score, rule=rule
    )
    spec = faults.spec("create_refund")
    if spec is not None and spec.pending_then_reject:
        decision = rules.RefundDecision(
            RefundStatus.PENDING, "manual_review_amount", RefundStatus.REJECTED
        )
    settle_after = (
        spec.settle_after_s
        if spec is not None and spec.settle_after_s is not None
        else rule.review_settle_s
    )
    pending = decision.status is RefundStatus.PENDING
    row = db.RefundRow(
        refund_id=new_id("REF"),
        client_id=customer.client_id,
        customer_id=customer.customer_id,
        order_id=order.order_id,
        amount=request.amount,
        currency=order.currency,
        reason_code=request.reason_code.value,
        status=decision.status.value,
        decision_reason=decision.reason,
        created_at=now,
        settled_at=None if pending else now,
        settle_at=now + timedelta(seconds=settle_after) if pending else None,
        settle_outcome=decision.settle_outcome.value if decision.settle_outcome else None,
    )
    session.add(row)
    await session.flush()
    return Refund.model_validate(row)


async def create_return(
    session: AsyncSession, customer: db.CustomerRow, request: ReturnRequest, now: datetime
) -> Return:
    order = await queries.owned_order(session, customer, request.order_id, for_update=True)
    delivered_at = quotes.delivered_at_of(order)
    if delivered_at is None:
        raise rule_violation(
            ErrorCode.ORDER_NOT_DELIVERED, "a return can start once the order is delivered"
        )
    # The same judgement a quote reports: the first refused line refuses the whole write.
    verdicts = await quotes.judge_return_lines(
        session, customer, order, request.items, delivered_at, now
    )
    for verdict in verdicts:
        if verdict.refusal is not None:
            raise verdict.refusal
    value = sum((v.value for v in verdicts), Decimal("0.00"))

    _, refundable = await queries.refundable_for(session, order, now)
    return_id = new_id("RET")
    row = db.ReturnRow(
        return_id=return_id,
        client_id=customer.client_id,
        customer_id=customer.customer_id,
        order_id=order.order_id,
        items=[line.model_dump() for line in request.items],
        reason_code=request.reason_code.value,
        status=ReturnStatus.APPROVED.value,
        refund_on_receipt=min(value, refundable),
        label_ref=f"label://{order.shipments[0].carrier.lower()}/{return_id}"
        if order.shipments
        else f"label://post/{return_id}",
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return Return.model_validate(row)


async def create_notification(
    session: AsyncSession, customer: db.CustomerRow, request: NotificationRequest, now: datetime
) -> Notification:
    if request.order_id is not None:
        await queries.owned_order(session, customer, request.order_id)
    row = db.NotificationRow(
        notification_id=new_id("NTF"),
        client_id=customer.client_id,
        customer_id=customer.customer_id,
        channel=request.channel.value,
        subject=request.subject,
        body=request.body,
        order_id=request.order_id,
        status="sent",
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return Notification.model_validate(row)


async def create_ticket(
    session: AsyncSession, customer: db.CustomerRow, request: TicketRequest, now: datetime
) -> Ticket:
    if request.order_id is not None:
        await queries.owned_order(session, customer, request.order_id)
    row = db.TicketRow(
        ticket_id=new_id("TCK"),
        client_id=customer.client_id,
        customer_id=customer.customer_id,
        order_id=request.order_id,
        session_id=request.session_id,
        reason=request.reason,
        priority=request.priority.value,
        status=TicketStatus.OPEN.value,
        summary=request.summary,
        decision_trace=list(request.decision_trace),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return Ticket.model_validate(row)


__all__ = [
    "IdempotentWriter",
    "PlatformError",
    "WriteOutcome",
    "create_notification",
    "create_refund",
    "create_return",
    "create_ticket",
    "request_fingerprint",
]
