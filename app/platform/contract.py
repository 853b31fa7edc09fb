"""The order platform's REST contract: every request and response body, as pydantic models.

These models are the single source of the OpenAPI document (`python -m app.platform openapi`),
of the reference service's validation, and of the typed client. A platform team that adapts the
contract to its own systems implements exactly these shapes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# Identifier patterns. They are part of the contract: the tool layer narrows on them and the
# guardrails must never scrub them.
ORDER_ID_PATTERN = r"^ORD-[0-9]{6,10}$"
AWB_PATTERN = r"^AWB-[0-9]{10}$"
SKU_PATTERN = r"^SKU-[0-9]{4}-[A-Z]$"
REFUND_ID_PATTERN = r"^REF-[0-9]{6,10}$"
RETURN_ID_PATTERN = r"^RET-[0-9]{6,10}$"
TICKET_ID_PATTERN = r"^TCK-[0-9]{6,10}$"
NOTIFICATION_ID_PATTERN = r"^NTF-[0-9]{6,10}$"
CUSTOMER_ID_PATTERN = r"^CUS-[0-9]{6}$"
CLIENT_ID_PATTERN = r"^[a-z][a-z0-9_]{1,31}$"

OrderId = Annotated[str, Field(pattern=ORDER_ID_PATTERN, examples=["ORD-1000042"])]
Awb = Annotated[str, Field(pattern=AWB_PATTERN, examples=["AWB-7730012345"])]
Sku = Annotated[str, Field(pattern=SKU_PATTERN, examples=["SKU-9942-B"])]
RefundId = Annotated[str, Field(pattern=REFUND_ID_PATTERN)]
ReturnId = Annotated[str, Field(pattern=RETURN_ID_PATTERN)]
TicketId = Annotated[str, Field(pattern=TICKET_ID_PATTERN)]
CustomerId = Annotated[str, Field(pattern=CUSTOMER_ID_PATTERN)]
ClientId = Annotated[str, Field(pattern=CLIENT_ID_PATTERN)]

# The platform's write deadline (seconds): a write request is committed within this long of its
# arrival, or never: a request still waiting (held, queued, hung) at its deadline is refused
# and rolled back. So a caller that stops waiting after this long has a final answer from a
# lookup by its Idempotency-Key (`GET /v1/writes/{key}`) once the deadline of the last request
# it sent has passed. Callers wait at most this long for a write's answer.
WRITE_DEADLINE_S = 10.0

# Money travels as a JSON number with at most two decimals and is held as Decimal everywhere
# inside, so sums of refunds never drift by float rounding.
Money = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=2),
    PlainSerializer(float, return_type=float, when_used="json"),
]


class Tier(StrEnum):
    GOLD = "Gold"
    SILVER = "Silver"
    STANDARD = "Standard"


class Region(StrEnum):
    US = "US"
    UK = "UK"
    EU = "EU"


# The local time of each region: the platform's "delivered today" and the agent's rendering
# of a timestamp agree on the day.
REGION_TIMEZONES = {
    Region.US: "America/New_York",
    Region.UK: "Europe/London",
    Region.EU: "Europe/Berlin",
}


class Category(StrEnum):
    ELECTRONICS = "electronics"
    APPAREL = "apparel"
    FOOTWEAR = "footwear"
    HOME = "home"
    BEAUTY = "beauty"
    ACCESSORIES = "accessories"


class ReasonCode(StrEnum):
    DELIVERY_FAILED = "DELIVERY_FAILED"
    WRONG_ITEM = "WRONG_ITEM"
    DELIVERY_DISPUTE = "DELIVERY_DISPUTE"
    CUSTOMER_REQUEST = "CUSTOMER_REQUEST"


class ShipmentStatus(StrEnum):
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    DELIVERED_DISPUTED = "delivered_disputed"
    LOST = "lost"
    RETURNED = "returned"


DELIVERED_STATES = frozenset({ShipmentStatus.DELIVERED, ShipmentStatus.DELIVERED_DISPUTED})
ACTIVE_STATES = frozenset(
    {
        ShipmentStatus.LABEL_CREATED,
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.DELAYED,
        ShipmentStatus.DELIVERED_DISPUTED,
        ShipmentStatus.LOST,
    }
)


class RefundStatus(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    PENDING = "pending"


class ReturnStatus(StrEnum):
    APPROVED = "approved"
    RECEIVED = "received"
    REJECTED = "rejected"


class NotificationChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class TicketPriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class FraudBand(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ErrorCode(StrEnum):
    """Machine-readable error codes; every 4xx/5xx body carries exactly one."""

    UNAUTHORIZED = "unauthorized"
    INVALID_REQUEST = "invalid_request"
    CLIENT_NOT_FOUND = "client_not_found"  # the caller's X-Client-Id names no tenant
    CUSTOMER_NOT_FOUND = "customer_not_found"
    ORDER_NOT_FOUND = "order_not_found"
    SHIPMENT_NOT_FOUND = "shipment_not_found"
    SKU_NOT_FOUND = "sku_not_found"
    REFUND_NOT_FOUND = "refund_not_found"
    RETURN_NOT_FOUND = "return_not_found"
    TICKET_NOT_FOUND = "ticket_not_found"
    PHOTO_NOT_AVAILABLE = "photo_not_available"
    AMOUNT_EXCEEDS_REFUNDABLE = "amount_exceeds_refundable"
    REASON_NOT_APPLICABLE = "reason_not_applicable"
    RETURN_WINDOW_EXPIRED = "return_window_expired"
    ITEM_NOT_RETURNABLE = "item_not_returnable"
    ITEM_NOT_IN_ORDER = "item_not_in_order"
    QUANTITY_EXCEEDS_RETURNABLE = "quantity_exceeds_returnable"
    ORDER_NOT_DELIVERED = "order_not_delivered"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    WRITE_NOT_FOUND = "write_not_found"
    WRITE_DEADLINE_EXCEEDED = "write_deadline_exceeded"
    IDEMPOTENCY_KEY_REQUIRED = "idempotency_key_required"
    REQUEST_IN_PROGRESS = "request_in_progress"
    INJECTED_FAULT = "injected_fault"
    RESPONSE_LOST = "response_lost"
    INTERNAL = "internal"


class ErrorBody(BaseModel):
    code: ErrorCode
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorResponse(BaseModel):
    error: ErrorBody


# ---------------------------------------------------------------- read models


class Customer(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    customer_id: CustomerId
    client_id: ClientId
    name: str
    email: str
    phone: str | None = None
    tier: Tier
    region: Region
    created_at: datetime


class OrderItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sku: Sku
    name: str
    category: Category
    unit_price: Money
    quantity: int = Field(ge=1)


class ShipmentEvent(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    status: ShipmentStatus
    location: str
    description: str


class Shipment(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    awb: Awb
    order_id: OrderId
    carrier: str
    status: ShipmentStatus
    destination_region: Region
    eta: datetime | None = None
    delivered_at: datetime | None = None
    signed_by: str | None = None
    photo_ref: str | None = None
    timeline: list[ShipmentEvent] = Field(default_factory=list)


class Order(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    order_id: OrderId
    customer_id: CustomerId
    client_id: ClientId
    placed_at: datetime
    currency: str
    items: list[OrderItem]
    shipments: list[Shipment]
    total: Money
    refunded: Money = Field(description="Sum of approved and pending refunds.")
    refundable: Money = Field(description="What may still be refunded on this order.")


class OrderSummary(BaseModel):
    """What hydration shows the agent: one line per active or recent order."""

    order_id: OrderId
    placed_at: datetime
    total: Money
    currency: str
    item_names: list[str]
    shipments: list[ShipmentBrief]


class ShipmentBrief(BaseModel):
    awb: Awb
    status: ShipmentStatus
    eta: datetime | None = None
    delivered_at: datetime | None = None


OrderSummary.model_rebuild()


class DeliveryPhoto(BaseModel):
    awb: Awb
    photo_ref: str
    taken_at: datetime
    signed_by: str | None = None


class Eta(BaseModel):
    awb: Awb
    status: ShipmentStatus
    region: Region
    timezone: str
    eta: datetime | None
    eta_local: str | None = Field(description="ETA rendered in the region's time zone.")
    delivered_at: datetime | None = None


class ReturnWindow(BaseModel):
    client_id: ClientId
    sku: Sku
    category: Category
    region: Region
    tier: Tier
    returnable: bool
    window_days: int
    policy_code: str
    basis: str = Field(
        description="'sku_rule' when a SKU-specific rule applies, else 'category_rule'."
    )


class FraudFactor(BaseModel):
    name: str
    value: float
    contribution: float


class FraudScore(BaseModel):
    customer_id: CustomerId
    order_id: OrderId
    score: float = Field(ge=0, le=1)
    band: FraudBand
    factors: list[FraudFactor]


class Refund(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    refund_id: RefundId
    order_id: OrderId
    customer_id: CustomerId
    amount: Money
    currency: str
    reason_code: ReasonCode
    status: RefundStatus
    decision_reason: str
    created_at: datetime
    settled_at: datetime | None = None


class ReturnLine(BaseModel):
    sku: Sku
    quantity: int = Field(ge=1, le=100)


class Return(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    return_id: ReturnId
    order_id: OrderId
    customer_id: CustomerId
    items: list[ReturnLine]
    reason_code: ReasonCode
    status: ReturnStatus
    refund_on_receipt: Money
    label_ref: str
    created_at: datetime


class Notification(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    notification_id: str
    customer_id: CustomerId
    channel: NotificationChannel
    subject: str
    body: str
    order_id: OrderId | None = None
    status: str
    created_at: datetime


class Ticket(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ticket_id: TicketId
    client_id: ClientId
    customer_id: CustomerId
    order_id: OrderId | None = None
    session_id: str | None = None
    reason: str
    priority: TicketPriority
    status: TicketStatus
    summary: str
    decision_trace: list[str]
    created_at: datetime


class StoredWrite(BaseModel):
    """A committed write, found by the Idempotency-Key it was made with (`GET /v1/writes/{key}`).

    Not found means: not committed *yet*; final only once the write deadline of the last
    request sent with the key has passed (see WRITE_DEADLINE_S)."""

    idempotency_key: str
    operation: str
    created_at: datetime
    # The id of what was written: a refund, return, notification or ticket id.
    record_id: str


# ---------------------------------------------------------------- write requests


class RefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: OrderId
    amount: Money = Field(gt=0)
    reason_code: ReasonCode


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: OrderId
    items: list[ReturnLine] = Field(min_length=1, max_length=50)
    reason_code: ReasonCode


class NotificationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: NotificationChannel
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=2000)
    order_id: OrderId | None = None


class TicketRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=100)
    summary: str = Field(min_length=1, max_length=4000)
    priority: TicketPriority = TicketPriority.NORMAL
    order_id: OrderId | None = None
    session_id: str | None = Field(default=None, max_length=128)
    decision_trace: list[str] = Field(default_factory=list, max_length=100)


class TicketUpdate(BaseModel):
    """Admin: a support agent's change to a ticket (the console's take-over and close)."""

    model_config = ConfigDict(extra="forbid")

    status: TicketStatus


# ---------------------------------------------------------------- quotes (dry runs)


class QuoteAction(StrEnum):
    REFUND = "refund"
    RETURN = "return"


class QuoteRequest(BaseModel):
    """A dry run of a refund or return (`POST /v1/quotes`): what the platform would accept for
    this order, reason and items, decided by the same rules as the write; nothing is written.
    The write re-checks everything: a quote is advice, never a reservation."""

    model_config = ConfigDict(extra="forbid")

    order_id: OrderId
    action: QuoteAction
    reason_code: ReasonCode
    # A return's lines; a refund names none (it is of an amount, not of items).
    items: list[ReturnLine] = Field(default_factory=list, max_length=50)
    # A refund's amount, when the caller has one in mind: checked against what is refundable.
    amount: Money | None = Field(default=None, gt=0)


class QuoteLine(BaseModel):
    sku: Sku
    quantity: int
    eligible: bool
    code: ErrorCode | None = Field(default=None, description="Why this line is refused.")
    returnable_quantity: int = Field(description="How many of this SKU may still go back.")
    window_days: int | None = None
    policy_code: str | None = None
    value: Money = Field(description="unit price x quantity of the line.")


class Quote(BaseModel):
    order_id: OrderId
    action: QuoteAction
    reason_code: ReasonCode
    eligible: bool = Field(
        description="A refund: the reason applies and something is refundable. A return: at "
        "least one line would be accepted (a return of exactly the eligible lines)."
    )
    code: ErrorCode | None = Field(default=None, description="Why nothing would be accepted.")
    message: str
    max_amount: Money = Field(
        description="A refund: what remains refundable. A return: what a return of the "
        "eligible lines refunds on receipt."
    )
    currency: str
    lines: list[QuoteLine] = Field(default_factory=list)
    quoted_at: datetime


# ---------------------------------------------------------------- fault injection (admin)


class FaultSpec(BaseModel):
    """Faults for one operation (an OpenAPI operationId such as `create_refund`)."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(default=0, ge=0, le=60_000)
    error_rate: float = Field(default=0.0, ge=0, le=1, description="Probability of a 5xx.")
    fail_first: int = Field(default=0, ge=0, description="The next N calls answer 5xx.")
    error_status: int = Field(default=503, ge=500, le=599)
    timeout_s: float = Field(
        default=0.0, ge=0, le=600, description="Hold the request this long before answering."
    )
    lose_response_first: int = Field(
        default=0, ge=0, description="Writes: commit, then answer 504 as if the response was lost."
    )
    pending_then_reject: bool = Field(
        default=False, description="Refunds: accept as pending, later settle as rejected."
    )
    settle_after_s: float | None = Field(
        default=None, ge=0, description="Refunds: override the client's review time."
    )
    seed: int = 0


class FaultConfig(BaseModel):
    faults: dict[str, FaultSpec] = Field(default_factory=dict)
