"""The reference order platform: a FastAPI service over SQLAlchemy.

Callers are trusted integrations (the support agent) that authenticate with a service key and
act for one customer at a time through the `X-Client-Id` / `X-Customer-Id` headers. Every
customer-scoped read and write is confined to that customer's records.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.platform import db, queries, quotes, writes
from app.platform.contract import (
    AWB_PATTERN,
    CLIENT_ID_PATTERN,
    CUSTOMER_ID_PATTERN,
    ORDER_ID_PATTERN,
    REFUND_ID_PATTERN,
    RETURN_ID_PATTERN,
    SKU_PATTERN,
    TICKET_ID_PATTERN,
    Customer,
    DeliveryPhoto,
    ErrorCode,
    ErrorResponse,
    Eta,
    FaultConfig,
    FaultSpec,
    FraudScore,
    Notification,
    NotificationRequest,
    Order,
    OrderSummary,
    Quote,
    QuoteRequest,
    Refund,
    RefundRequest,
    Region,
    Return,
    ReturnRequest,
    ReturnWindow,
    Shipment,
    ShipmentStatus,
    StoredWrite,
    Ticket,
    TicketRequest,
    TicketStatus,
    TicketUpdate,
    Tier,
)
from app.platform.dataset import PlatformDataset, export_dataset, load_dataset
from app.platform.errors import PlatformError
from app.platform.faults import FaultInjector, lost_response
from app.platform.settings import PlatformSettings

log = logging.getLogger("app.platform")

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 404, 422, 503)
}


def _path(pattern: str) -> Any:
    # Ids are validated against the contract's patterns before any query runs.
    return PathParam(pattern=pattern)


def utcnow() -> datetime:
    return datetime.now(UTC)


class PlatformState:
    def __init__(self, settings: PlatformSettings) -> None:
        self.settings = settings
        self.engine = db.make_engine(settings.database_url)
        self.sessions: async_sessionmaker[AsyncSession] = db.make_sessionmaker(self.engine)
        self.faults = FaultInjector()
        self.faults.load(settings.faults)
        self.writer = writes.IdempotentWriter(
            self.sessions, serialize=settings.database_url.startswith("sqlite")
        )


def _state(request: Request) -> PlatformState:
    return request.app.state.platform


def _check_key(authorization: str | None, expected: str) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise PlatformError(401, ErrorCode.UNAUTHORIZED, "missing or invalid service credentials")


async def service_auth(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    _check_key(authorization, _state(request).settings.api_key)


async def admin_auth(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    _check_key(authorization, _state(request).settings.admin_key)


async def inject_faults(request: Request) -> None:
    # The write deadline runs from here, before any injected latency or hang.
    request.state.received_at = utcnow()
    route = request.scope.get("route")
    operation = getattr(route, "operation_id", None)
    if operation:
        await _state(request).faults.before(operation)


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with _state(request).sessions() as session:
        yield session


Session = Annotated[AsyncSession, Depends(db_session)]


class CustomerScope:
    """The customer the caller acts for, resolved within its client."""

    def __init__(self, row: db.CustomerRow) -> None:
        self.row = row


async def customer_scope(
    session: Session,
    x_client_id: Annotated[str, Header(pattern=CLIENT_ID_PATTERN)],
    x_customer_id: Annotated[str, Header(pattern=CUSTOMER_ID_PATTERN)],
) -> CustomerScope:
    row = await queries.customer_row(session, x_client_id, x_customer_id)
    # End the lookup's transaction so the request gives its pooled connection back: a write
    # runs in a second session (behind the SQLite writer lock), and requests that kept one
    # connection while waiting for another exhausted the pool and deadlocked for its 30 s
    # timeout once more writes were in flight than the pool holds (15). The row stays loaded
    # (expire_on_commit=False).
    await session.commit()
    return CustomerScope(row)


Scope = Annotated[CustomerScope, Depends(customer_scope)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Required on every write; the same key replays the first result.",
    ),
]


def _require_key(key: str | None) -> str:
    if not key:
        raise PlatformError(
            400, ErrorCode.IDEMPOTENCY_KEY_REQUIRED, "writes need an Idempotency-Key header"
        )
    return key


async def _write(
    request: Request,
    response: Response,
    scope: CustomerScope,
    key: str | None,
    operation: str,
    payload: Any,
    handler: Any,
) -> dict[str, Any]:
    state = _state(request)
    now = utcnow()
    received: datetime = getattr(request.state, "received_at", now)
    outcome = await state.writer.run(
        client_id=scope.row.client_id,
        key=_require_key(key),
        operation=operation,
        fingerprint=writes.request_fingerprint(operation, scope.row.customer_id, payload),
        handler=lambda session: handler(session, now),
        now=now,
        deadline=received + timedelta(seconds=state.settings.write_deadline_s),
    )
    if state.faults.take_lost_response(operation):
        raise lost_response(operation)
    response.status_code = outcome.status_code
    response.headers["Idempotent-Replayed"] = "true" if outcome.replayed else "false"
    return outcome.body


# ---------------------------------------------------------------- customer-scoped API

api = APIRouter(
    prefix="/v1",
    dependencies=[Depends(service_auth), Depends(inject_faults)],
    responses=ERROR_RESPONSES,
)


@api.get("/me", operation_id="get_customer", response_model=Customer, tags=["customers"])
async def get_customer(scope: Scope) -> Customer:
    return queries.customer_view(scope.row)


@api.get("/orders", operation_id="list_orders", response_model=list[OrderSummary], tags=["orders"])
async def list_orders(
    session: Session,
    scope: Scope,
    active: Annotated[bool, Query(description="Only orders in flight or delivered lately.")] = True,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[OrderSummary]:
    return await queries.order_summaries(
        session, scope.row, active_only=active, now=utcnow(), limit=limit
    )


@api.get("/orders/{order_id}", operation_id="get_order", response_model=Order, tags=["orders"])
async def get_order(
    session: Session, scope: Scope, order_id: Annotated[str, _path(ORDER_ID_PATTERN)]
) -> Order:
    order = await queries.owned_order(session, scope.row, order_id)
    return await queries.order_view(session, order, utcnow())


@api.get(
    "/orders/{order_id}/fraud-score",
    operation_id="get_fraud_score",
    response_model=FraudScore,
    tags=["fraud"],
)
async def get_fraud_score(
    session: Session, scope: Scope, order_id: Annotated[str, _path(ORDER_ID_PATTERN)]
) -> FraudScore:
    order = await queries.owned_order(session, scope.row, order_id)
    return await queries.fraud_score(session, scope.row, order, utcnow())


@api.get(
    "/orders/{order_id}/refunds",
    operation_id="list_order_refunds",
    response_model=list[Refund],
    tags=["refunds"],
)
async def list_order_refunds(
    session: Session, scope: Scope, order_id: Annotated[str, _path(ORDER_ID_PATTERN)]
) -> list[Refund]:
    order = await queries.owned_order(session, scope.row, order_id)
    now = utcnow()
    return [
        queries.refund_view(r, now)
        for r in await queries.refunds_for_order(session, order.order_id)
    ]


@api.get(
    "/orders/{order_id}/returns",
    operation_id="list_order_returns",
    response_model=list[Return],
    tags=["returns"],
)
async def list_order_returns(
    session: Session, scope: Scope, order_id: Annotated[str, _path(ORDER_ID_PATTERN)]
) -> list[Return]:
    order = await queries.owned_order(session, scope.row, order_id)
    return [
        Return.model_validate(r) for r in await queries.returns_for_order(session, order.order_id)
    ]


@api.get(
    "/shipments/{awb}", operation_id="get_shipment", response_model=Shipment, tags=["logistics"]
)
async def get_shipment(
    session: Session, scope: Scope, awb: Annotated[str, _path(AWB_PATTERN)]
) -> Shipment:
    return Shipment.model_validate(await queries.owned_shipment(session, scope.row, awb))


@api.get(
    "/shipments/{awb}/photo",
    operation_id="get_delivery_photo",
    response_model=DeliveryPhoto,
    tags=["logistics"],
)
async def get_delivery_photo(
    session: Session, scope: Scope, awb: Annotated[str, _path(AWB_PATTERN)]
) -> DeliveryPhoto:
    shipment = await queries.owned_shipment(session, scope.row, awb)
    if shipment.photo_ref is None or shipment.delivered_at is None:
        raise PlatformError(
            409,
            ErrorCode.PHOTO_NOT_AVAILABLE,
            f"no delivery photo: the shipment is {ShipmentStatus(shipment.status).value}",
        )
    return DeliveryPhoto(
        awb=shipment.awb,
        photo_ref=shipment.photo_ref,
        taken_at=shipment.delivered_at,
        signed_by=shipment.signed_by,
    )


@api.get("/shipments/{awb}/eta", operation_id="get_eta", response_model=Eta, tags=["logistics"])
async def get_eta(
    session: Session,
    scope: Scope,
    awb: Annotated[str, _path(AWB_PATTERN)],
    region: Annotated[Region | None, Query(description="Defaults to the customer's.")] = None,
) -> Eta:
    shipment = await queries.owned_shipment(session, scope.row, awb)
    return queries.eta_view(shipment, region or Region(scope.row.region))


@api.get(
    "/return-window",
    operation_id="get_return_window",
    response_model=ReturnWindow,
    tags=["policy"],
)
async def get_return_window(
    session: Session,
    scope: Scope,
    sku: Annotated[str, Query(pattern=SKU_PATTERN)],
    tier: Annotated[Tier | None, Query(description="Defaults to the customer's.")] = None,
    region: Annotated[Region | None, Query(description="Defaults to the customer's.")] = None,
) -> ReturnWindow:
    return await queries.return_window(
        session,
        scope.row.client_id,
        sku,
        region or Region(scope.row.region),
        tier or Tier(scope.row.tier),
    )


@api.post(
    "/quotes",
    operation_id="quote_resolution",
    response_model=Quote,
    tags=["policy"],
    description=(
        "A dry run of a refund or return: what would be accepted for this order, reason and "
        "items, by the write's own rules. Nothing is written; the write checks again."
    ),
)
async def quote_resolution(session: Session, scope: Scope, body: QuoteRequest) -> Quote:
    return await quotes.quote(session, scope.row, body, utcnow())


@api.post(
    "/refunds",
    operation_id="create_refund",
    response_model=Refund,
    status_code=201,
    tags=["refunds"],
)
async def create_refund(
    request: Request,
    response: Response,
    scope: Scope,
    body: RefundRequest,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    faults = _state(request).faults
    return await _write(
        request,
        response,
        scope,
        key,
        "create_refund",
        body,
        lambda session, now: writes.create_refund(session, scope.row, body, now, faults),
    )


@api.get(
    "/writes/{idempotency_key}",
    operation_id="get_write",
    response_model=StoredWrite,
    tags=["writes"],
    description=(
        "The write committed under this Idempotency-Key. Not found is final only once the "
        "write deadline of the last request sent with the key has passed."
    ),
)
async def get_write(
    session: Session,
    scope: Scope,
    idempotency_key: Annotated[str, _path(r"^[A-Za-z0-9._:-]{1,200}$")],
) -> StoredWrite:
    stored = await session.get(db.IdempotencyRow, (scope.row.client_id, idempotency_key))
    record_id = writes.record_id_of(stored) if stored is not None else None
    # Another customer's key answers exactly like an unknown one: no oracle.
    if (
        stored is None
        or record_id is None
        or stored.response.get("customer_id") != (scope.row.customer_id)
    ):
        raise PlatformError(404, ErrorCode.WRITE_NOT_FOUND, "no write under this key")
    return StoredWrite(
        idempotency_key=idempotency_key,
        operation=stored.operation,
        created_at=stored.created_at,
        record_id=record_id,
    )


@api.get("/refunds/{refund_id}", operation_id="get_refund", response_model=Refund, tags=["refunds"])
async def get_refund(
    session: Session, scope: Scope, refund_id: Annotated[str, _path(REFUND_ID_PATTERN)]
) -> Refund:
    row = await queries.owned_record(
        session, scope.row, db.RefundRow, "refund_id", refund_id, ErrorCode.REFUND_NOT_FOUND
    )
    return queries.refund_view(row, utcnow())


@api.post(
    "/returns",
    operation_id="create_return",
    response_model=Return,
    status_code=201,
    tags=["returns"],
)
async def create_return(
    request: Request,
    response: Response,
    scope: Scope,
    body: ReturnRequest,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    return await _write(
        request,
        response,
        scope,
        key,
        "create_return",
        body,
        lambda session, now: writes.create_return(session, scope.row, body, now),
    )


@api.get("/returns/{return_id}", operation_id="get_return", response_model=Return, tags=["returns"])
async def get_return(
    session: Session, scope: Scope, return_id: Annotated[str, _path(RETURN_ID_PATTERN)]
) -> Return:
    row = await queries.owned_record(
        session, scope.row, db.ReturnRow, "return_id", return_id, ErrorCode.RETURN_NOT_FOUND
    )
    return Return.model_validate(row)


@api.post(
    "/notifications",
    operation_id="create_notification",
    response_model=Notification,
    status_code=201,
    tags=["notifications"],
)
async def create_notification(
    request: Request,
    response: Response,
    scope: Scope,
    body: NotificationRequest,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    return await _write(
        request,
        response,
        scope,
        key,
        "create_notification",
        body,
        lambda session, now: writes.create_notification(session, scope.row, body, now),
    )


@api.get(
    "/notifications",
    operation_id="list_notifications",
    response_model=list[Notification],
    tags=["notifications"],
)
async def list_notifications(
    session: Session, scope: Scope, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[Notification]:
    rows = await session.scalars(
        select(db.NotificationRow)
        .where(
            db.NotificationRow.client_id == scope.row.client_id,
            db.NotificationRow.customer_id == scope.row.customer_id,
        )
        .order_by(db.NotificationRow.created_at.desc())
        .limit(limit)
    )
    return [Notification.model_validate(r) for r in rows]


@api.post(
    "/tickets",
    operation_id="create_ticket",
    response_model=Ticket,
    status_code=201,
    tags=["escalation"],
)
async def create_ticket(
    request: Request,
    response: Response,
    scope: Scope,
    body: TicketRequest,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    return await _write(
        request,
        response,
        scope,
        key,
        "create_ticket",
        body,
        lambda session, now: writes.create_ticket(session, scope.row, body, now),
    )


@api.get(
    "/tickets/{ticket_id}", operation_id="get_ticket", response_model=Ticket, tags=["escalation"]
)
async def get_ticket(
    session: Session, scope: Scope, ticket_id: Annotated[str, _path(TICKET_ID_PATTERN)]
) -> Ticket:
    row = await queries.owned_record(
        session, scope.row, db.TicketRow, "ticket_id", ticket_id, ErrorCode.TICKET_NOT_FOUND
    )
    return Ticket.model_validate(row)


# ---------------------------------------------------------------- admin API (ops, tests, evals)

admin = APIRouter(
    prefix="/v1/admin",
    dependencies=[Depends(admin_auth)],
    tags=["admin"],
    responses=ERROR_RESPONSES,
)


@admin.get("/faults", operation_id="get_faults", response_model=FaultConfig)
async def get_faults(request: Request) -> FaultConfig:
    return _state(request).faults.snapshot()


@admin.put("/faults/{operation}", operation_id="set_fault", response_model=FaultConfig)
async def set_fault(request: Request, operation: str, spec: FaultSpec) -> FaultConfig:
    known = {r.operation_id for r in api.routes if getattr(r, "operation_id", None)}
    if operation not in known:
        raise PlatformError(
            404,
            ErrorCode.INVALID_REQUEST,
            f"unknown operation {operation!r}",
            {"operations": sorted(known)},
        )
    _state(request).faults.configure(operation, spec)
    return _state(request).faults.snapshot()


@admin.delete("/faults", operation_id="clear_faults", response_model=FaultConfig)
async def clear_faults(request: Request) -> FaultConfig:
    _state(request).faults.clear()
    return _state(request).faults.snapshot()


@admin.post("/refunds/settle", operation_id="settle_refunds")
async def settle_refunds(request: Request) -> dict[str, int]:
    return {"settled": await _settle(_state(request))}


async def _settle(state: PlatformState) -> int:
    async with state.writer.exclusive(), state.sessions() as session, session.begin():
        return await queries.settle_due_refunds(session, utcnow())


async def _settle_forever(state: PlatformState, interval_s: float) -> None:
    """Persists review outcomes as they fall due (reads already show them)."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await _settle(state)
        except Exception:  # keep settling after a transient database error
            log.exception("refund settlement failed")


@admin.get("/tickets", operation_id="list_tickets", response_model=list[Ticket])
async def list_tickets(
    session: Session,
    client_id: Annotated[str, Query(pattern=CLIENT_ID_PATTERN)],
    status: TicketStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Ticket]:
    stmt = select(db.TicketRow).where(db.TicketRow.client_id == client_id)
    if status is not None:
        stmt = stmt.where(db.TicketRow.status == status.value)
    rows = await session.scalars(stmt.order_by(db.TicketRow.created_at.desc()).limit(limit))
    return [Ticket.model_validate(r) for r in rows]


@admin.get("/tickets/{ticket_id}", operation_id="get_client_ticket", response_model=Ticket)
async def get_client_ticket(
    session: Session,
    ticket_id: Annotated[str, _path(TICKET_ID_PATTERN)],
    client_id: Annotated[str, Query(pattern=CLIENT_ID_PATTERN)],
) -> Ticket:
    """One ticket of one client, for its support agents (the queue lists only the newest)."""
    row = await session.get(db.TicketRow, ticket_id)
    if row is None or row.client_id != client_id:
        raise PlatformError(404, ErrorCode.TICKET_NOT_FOUND, "no such ticket for this client")
    return Ticket.model_validate(row)


@admin.patch("/tickets/{ticket_id}", operation_id="update_ticket", response_model=Ticket)
async def update_ticket(
    request: Request,
    ticket_id: Annotated[str, _path(TICKET_ID_PATTERN)],
    client_id: Annotated[str, Query(pattern=CLIENT_ID_PATTERN)],
    body: TicketUpdate,
) -> Ticket:
    """Set a ticket's status (a support agent took it, or closed it); scoped to one client."""
    state = _state(request)
    async with state.writer.exclusive(), state.sessions() as session, session.begin():
        row = await session.get(db.TicketRow, ticket_id)
        if row is None or row.client_id != client_id:
            raise PlatformError(404, ErrorCode.TICKET_NOT_FOUND, "no such ticket for this client")
        row.status = body.status.value
        return Ticket.model_validate(row)


@admin.get("/dataset", operation_id="export_dataset", response_model=PlatformDataset)
async def get_dataset(
    request: Request,
    client_id: Annotated[str | None, Query(pattern=CLIENT_ID_PATTERN)] = None,
) -> PlatformDataset:
    return await export_dataset(_state(request).sessions, as_of=utcnow(), client_id=client_id)


@admin.post("/dataset", operation_id="import_dataset")
async def post_dataset(
    request: Request,
    dataset: PlatformDataset,
    replace: bool = False,
    rebase: Annotated[bool, Query(description="Shift timestamps so as_of becomes now.")] = True,
) -> dict[str, int]:
    await load_dataset(
        _state(request).sessions, dataset, replace=replace, now=utcnow() if rebase else None
    )
    return {"customers": len(dataset.customers), "orders": len(dataset.orders)}


# ---------------------------------------------------------------- app factory


def _error(status: int, code: ErrorCode | str, message: str, details: Any = None) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"code": str(code), "message": message, "details": details or {}}},
    )


def create_app(settings: PlatformSettings | None = None) -> FastAPI:
    settings = settings or PlatformSettings.from_env()
    state = PlatformState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await db.create_schema(state.engine)
        settler = asyncio.create_task(_settle_forever(state, settings.settle_interval_s))
        yield
        settler.cancel()
        await state.engine.dispose()

    app = FastAPI(
        title="Order platform API",
        version="1.0.0",
        description=(
            "The order-management, logistics, fraud, notification and escalation systems the "
            "support agent acts on. Every write takes an Idempotency-Key; every error body "
            "carries a machine-readable code."
        ),
        lifespan=lifespan,
    )
    app.state.platform = state

    @app.exception_handler(PlatformError)
    async def _platform_error(_: Request, exc: PlatformError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        # The offending values are left out: they may carry customer data.
        problems = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        return _error(
            422, ErrorCode.INVALID_REQUEST, "request failed validation", {"errors": problems}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, ErrorCode.INVALID_REQUEST, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error: %s", type(exc).__name__)
        return _error(500, ErrorCode.INTERNAL, "internal error")

    @app.get("/healthz", tags=["health"], operation_id="healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], operation_id="readyz")
    async def readyz() -> JSONResponse:
        try:
            async with state.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:
            return _error(503, ErrorCode.INTERNAL, f"database unavailable: {type(exc).__name__}")
        return JSONResponse({"status": "ready"})

    app.include_router(api)
    app.include_router(admin)
    return app
