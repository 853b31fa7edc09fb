"""One typed tool per platform action the design names, plus hydration's read.

Tiers: Tracking gets the three shipment reads, Policy the two policy reads, Negotiation the
fraud check, the quote (what the platform would accept) and every write, plus the reads it
decides and verifies with (the order, the return window, and the refund or return it wrote,
read back). No tool takes a customer id, and
`client_id` is pinned to the token's client by narrowing.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.platform.contract import (
    AWB_PATTERN,
    CLIENT_ID_PATTERN,
    ORDER_ID_PATTERN,
    REFUND_ID_PATTERN,
    RETURN_ID_PATTERN,
    SKU_PATTERN,
    Customer,
    DeliveryPhoto,
    Eta,
    FraudScore,
    Notification,
    NotificationChannel,
    NotificationRequest,
    Order,
    OrderSummary,
    Quote,
    QuoteAction,
    QuoteRequest,
    ReasonCode,
    Refund,
    RefundRequest,
    Region,
    Return,
    ReturnLine,
    ReturnRequest,
    ReturnWindow,
    Shipment,
    StoredWrite,
    Ticket,
    TicketPriority,
    TicketRequest,
    Tier,
)
from app.tools.narrowing import DecoderLimit, Narrowing, NarrowTo
from app.tools.spec import (
    Access,
    AgentTier,
    PolicySearchResult,
    Tool,
    ToolContext,
)

OrderIdArg = Annotated[str, Field(pattern=ORDER_ID_PATTERN), NarrowTo.ORDER_ID]
AwbArg = Annotated[str, Field(pattern=AWB_PATTERN), NarrowTo.AWB]
SkuArg = Annotated[str, Field(pattern=SKU_PATTERN), NarrowTo.SKU]
RegionArg = Annotated[Region, NarrowTo.REGION]
# Refunds are bounded even before narrowing, so a decoder cannot loop on digits.
AmountArg = Annotated[float, Field(gt=0, le=100_000), NarrowTo.AMOUNT]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AwbInput(_Input):
    awb: AwbArg = Field(description="Air waybill number of one of the customer's shipments.")


class EtaInput(_Input):
    awb: AwbArg = Field(description="Air waybill number of one of the customer's shipments.")
    region: RegionArg = Field(description="Region whose local time the ETA is given in.")


class PolicySearchInput(_Input):
    query: Annotated[str, DecoderLimit(160)] = Field(
        min_length=3, max_length=500, description="Rewritten policy question."
    )
    client_id: Annotated[str, Field(pattern=CLIENT_ID_PATTERN), NarrowTo.CLIENT_ID] = Field(
        description="The customer's client (tenant)."
    )
    region: RegionArg = Field(description="The region whose policy applies.")


class ReturnWindowInput(_Input):
    sku: Annotated[str, Field(pattern=SKU_PATTERN)] = Field(description="Product SKU.")
    tier: Tier = Field(description="Customer tier the window is asked for.")


class OrderInput(_Input):
    order_id: OrderIdArg = Field(description="One of the customer's orders.")


class RefundIdInput(_Input):
    refund_id: Annotated[str, Field(pattern=REFUND_ID_PATTERN)] = Field(
        description="A refund of this customer (another customer's answers not found)."
    )


class ReturnIdInput(_Input):
    return_id: Annotated[str, Field(pattern=RETURN_ID_PATTERN)] = Field(
        description="A return of this customer (another customer's answers not found)."
    )


class WriteKeyInput(_Input):
    # Only keys this service makes (executor.idempotency_key); the platform scopes the lookup
    # to the verified customer.
    idempotency_key: Annotated[str, Field(pattern=r"^osa-[0-9a-f]{48}$")] = Field(
        description="The idempotency key a write was sent with."
    )


class RefundsOfOrderInput(_Input):
    order_id: OrderIdArg = Field(description="One of the customer's orders.")


class OrderRefunds(BaseModel):
    """Every refund on one order, pending and rejected ones included."""

    order_id: str
    refunds: list[Refund]


class ReturnsOfOrderInput(_Input):
    order_id: OrderIdArg = Field(description="One of the customer's orders.")


class OrderReturns(BaseModel):
    """Every return on one order, rejected ones included."""

    order_id: str
    returns: list[Return]


class RefundInput(_Input):
    order_id: OrderIdArg = Field(description="The order to refund.")
    amount: AmountArg = Field(description="Amount to refund, at most what remains refundable.")
    reason_code: ReasonCode


class ReturnItemInput(_Input):
    sku: SkuArg = Field(description="SKU of an item in the order.")
    quantity: int = Field(ge=1, le=20)


class ReturnInput(_Input):
    order_id: OrderIdArg = Field(description="The order the items come from.")
    items: Annotated[list[ReturnItemInput], DecoderLimit(5, per=NarrowTo.SKU)] = Field(
        min_length=1, max_length=10
    )
    reason_code: ReasonCode


class QuoteInput(_Input):
    """What the platform would accept: a refund (of up to an amount) or a return of items."""

    order_id: OrderIdArg = Field(description="The order the refund or return is for.")
    action: QuoteAction
    reason_code: ReasonCode
    items: Annotated[list[ReturnItemInput], DecoderLimit(5, per=NarrowTo.SKU)] = Field(
        default_factory=list, max_length=10, description="A return's items; none for a refund."
    )


class EscalationReason(StrEnum):
    CUSTOMER_REQUEST = "customer_request"
    HIGH_FRAUD_RISK = "high_fraud_risk"
    POLICY_UNDECIDABLE = "policy_undecidable"
    WRITE_FAILED = "write_failed"
    WRITE_NOT_SETTLED = "write_not_settled"
    UNRESOLVED = "unresolved"
    SAFETY = "safety"


class EscalationInput(_Input):
    reason: EscalationReason
    summary: Annotated[str, DecoderLimit(400)] = Field(
        min_length=10, max_length=2000, description="Case summary for a human."
    )
    priority: TicketPriority = TicketPriority.NORMAL
    order_id: Annotated[str | None, Field(pattern=ORDER_ID_PATTERN), NarrowTo.ORDER_ID] = Field(
        default=None, description="The order concerned, if any."
    )
    # The trace is the system's record of what happened; a model never writes it.
    decision_trace: Annotated[list[Annotated[str, Field(max_length=300)]], DecoderLimit(0)] = Field(
        default_factory=list, max_length=50, description="Steps taken and their results."
    )


class NotificationInput(_Input):
    channel: NotificationChannel
    subject: Annotated[str, DecoderLimit(120)] = Field(min_length=1, max_length=200)
    body: Annotated[str, DecoderLimit(400)] = Field(min_length=1, max_length=2000)
    order_id: Annotated[str | None, Field(pattern=ORDER_ID_PATTERN), NarrowTo.ORDER_ID] = Field(
        default=None, description="The order the notification is about, if any."
    )


class NoInput(_Input):
    pass


class CustomerContext(BaseModel):
    """What hydration needs: tier, region and active orders; no name or contact details."""

    customer_id: str
    client_id: str
    tier: Tier
    region: Region
    active_orders: list[OrderSummary]

    @classmethod
    def from_platform(cls, customer: Customer, orders: list[OrderSummary]) -> CustomerContext:
        return cls(
            customer_id=customer.customer_id,
            client_id=customer.client_id,
            tier=customer.tier,
            region=customer.region,
            active_orders=orders,
        )


# ---------------------------------------------------------------- handlers


async def _order_status(ctx: ToolContext, args: AwbInput) -> Shipment:
    return await ctx.platform.get_shipment(ctx.who, args.awb)


async def _delivery_photo(ctx: ToolContext, args: AwbInput) -> DeliveryPhoto:
    return await ctx.platform.get_delivery_photo(ctx.who, args.awb)


async def _eta(ctx: ToolContext, args: EtaInput) -> Eta:
    return await ctx.platform.get_eta(ctx.who, args.awb, args.region)


class PolicySearchUnavailable(RuntimeError):
    """No retrieval backend is configured for this executor."""


async def _search_policy(ctx: ToolContext, args: PolicySearchInput) -> PolicySearchResult:
    if ctx.policy_search is None:
        raise PolicySearchUnavailable("policy search is not configured")
    # The client filter comes from the verified identity, whatever the arguments say.
    chunks = await ctx.policy_search.search(
        args.query, client_id=ctx.who.client_id, region=Region(args.region).value, top_k=5
    )
    return PolicySearchResult(chunks=chunks)


async def _return_window(ctx: ToolContext, args: ReturnWindowInput) -> ReturnWindow:
    return await ctx.platform.get_return_window(ctx.who, args.sku, args.tier)


async def _quote(ctx: ToolContext, args: QuoteInput) -> Quote:
    request = QuoteRequest(
        order_id=args.order_id,
        action=args.action,
        reason_code=args.reason_code,
        items=[ReturnLine(sku=i.sku, quantity=i.quantity) for i in args.items],
    )
    return await ctx.platform.quote(ctx.who, request)


async def _fraud(ctx: ToolContext, args: OrderInput) -> FraudScore:
    return await ctx.platform.get_fraud_score(ctx.who, args.order_id)


async def _order_details(ctx: ToolContext, args: OrderInput) -> Order:
    return await ctx.platform.get_order(ctx.who, args.order_id)


async def _refund_status(ctx: ToolContext, args: RefundIdInput) -> Refund:
    return await ctx.platform.get_refund(ctx.who, args.refund_id)


async def _return_status(ctx: ToolContext, args: ReturnIdInput) -> Return:
    return await ctx.platform.get_return(ctx.who, args.return_id)


async def _write_by_key(ctx: ToolContext, args: WriteKeyInput) -> StoredWrite:
    return await ctx.platform.get_write(ctx.who, args.idempotency_key)


async def _order_refunds(ctx: ToolContext, args: RefundsOfOrderInput) -> OrderRefunds:
    refunds = await ctx.platform.list_order_refunds(ctx.who, args.order_id)
    return OrderRefunds(order_id=args.order_id, refunds=refunds)


async def _order_returns(ctx: ToolContext, args: ReturnsOfOrderInput) -> OrderReturns:
    returns = await ctx.platform.list_order_returns(ctx.who, args.order_id)
    return OrderReturns(order_id=args.order_id, returns=returns)


async def _customer_context(ctx: ToolContext, _: NoInput) -> CustomerContext:
    customer = await ctx.platform.get_customer(ctx.who)
    orders = await ctx.platform.list_orders(ctx.who, active_only=True, limit=10)
    return CustomerContext.from_platform(customer, orders)


# Writes receive their idempotency key from the executor (see executor.idempotency_key).
async def _refund(ctx: ToolContext, args: RefundInput, key: str) -> Refund:
    request = RefundRequest(
        order_id=args.order_id,
        amount=Decimal(str(args.amount)).quantize(Decimal("0.01")),
        reason_code=args.reason_code,
    )
    return await ctx.platform.create_refund(ctx.who, request, idempotency_key=key)


async def _return(ctx: ToolContext, args: ReturnInput, key: str) -> Return:
    request = ReturnRequest(
        order_id=args.order_id,
        items=[ReturnLine(sku=i.sku, quantity=i.quantity) for i in args.items],
        reason_code=args.reason_code,
    )
    return await ctx.platform.create_return(ctx.who, request, idempotency_key=key)


async def _escalate(ctx: ToolContext, args: EscalationInput, key: str) -> Ticket:
    request = TicketRequest(
        reason=args.reason.value,
        summary=args.summary,
        priority=args.priority,
        order_id=args.order_id,
        session_id=ctx.session_id,
        decision_trace=list(args.decision_trace),
    )
    return await ctx.platform.create_ticket(ctx.who, request, idempotency_key=key)


async def _notify(ctx: ToolContext, args: NotificationInput, key: str) -> Notification:
    request = NotificationRequest(
        channel=args.channel, subject=args.subject, body=args.body, order_id=args.order_id
    )
    return await ctx.platform.send_notification(ctx.who, request, idempotency_key=key)


_TRACKING = frozenset({AgentTier.TRACKING})
_POLICY = frozenset({AgentTier.POLICY})
_NEGOTIATION = frozenset({AgentTier.NEGOTIATION})

TOOLS: dict[str, Tool] = {  # type: ignore[type-arg]
    tool.name: tool
    for tool in (
        Tool(
            "get_order_status",
            "Current status, carrier, timeline and delivery confirmation of a shipment.",
            AwbInput,
            Shipment,
            Access.READ,
            _TRACKING,
            _order_status,
        ),
        Tool(
            "get_delivery_photo",
            "Proof-of-delivery photo reference of a delivered shipment.",
            AwbInput,
            DeliveryPhoto,
            Access.READ,
            _TRACKING,
            _delivery_photo,
        ),
        Tool(
            "get_eta",
            "Estimated delivery time of a shipment in a region's local time.",
            EtaInput,
            Eta,
            Access.READ,
            _TRACKING,
            _eta,
        ),
        Tool(
            "search_policy_kb",
            "Search the client's return and refund policy knowledge base.",
            PolicySearchInput,
            PolicySearchResult,
            Access.READ,
            # Negotiation reads the written policy behind a return window before proposing.
            frozenset({AgentTier.POLICY, AgentTier.NEGOTIATION}),
            _search_policy,
        ),
        Tool(
            "get_return_window",
            "Return window in days for a SKU and customer tier.",
            ReturnWindowInput,
            ReturnWindow,
            Access.READ,
            # Negotiation checks the written policy against the platform's window.
            frozenset({AgentTier.POLICY, AgentTier.NEGOTIATION}),
            _return_window,
        ),
        Tool(
            "quote_resolution",
            "What refund or return the platform would accept for an order, reason and items "
            "(a dry run: nothing is written).",
            QuoteInput,
            Quote,
            Access.READ,
            # Negotiation proposes only what the platform says it would accept.
            _NEGOTIATION,
            _quote,
        ),
        Tool(
            "get_order_details",
            "Items, shipments and refundable amount of one order.",
            OrderInput,
            Order,
            Access.READ,
            # Tracking reads it for an order the customer names that hydration did not list
            # (delivered long ago, or past the list's length); the platform checks ownership.
            frozenset({AgentTier.TRACKING, AgentTier.NEGOTIATION}),
            _order_details,
        ),
        Tool(
            "check_fraud_score",
            "Fraud risk score for a refund on an order.",
            OrderInput,
            FraudScore,
            Access.READ,
            _NEGOTIATION,
            _fraud,
        ),
        Tool(
            "get_refund",
            "Current status of one of the customer's refunds (read back after a write).",
            RefundIdInput,
            Refund,
            Access.READ,
            _NEGOTIATION,
            _refund_status,
        ),
        Tool(
            "get_return",
            "Current status of one of the customer's returns (read back after a write).",
            ReturnIdInput,
            Return,
            Access.READ,
            _NEGOTIATION,
            _return_status,
        ),
        Tool(
            "get_write_by_key",
            "What a write sent with this idempotency key created, if the platform committed it "
            "(resolves a write whose answer was lost or timed out).",
            WriteKeyInput,
            StoredWrite,
            Access.READ,
            _NEGOTIATION,
            _write_by_key,
        ),
        Tool(
            "list_order_refunds",
            "Every refund on one of the customer's orders, pending ones included.",
            RefundsOfOrderInput,
            OrderRefunds,
            Access.READ,
            _NEGOTIATION,
            _order_refunds,
        ),
        Tool(
            "list_order_returns",
            "Every return on one of the customer's orders, with its items and status.",
            ReturnsOfOrderInput,
            OrderReturns,
            Access.READ,
            _NEGOTIATION,
            _order_returns,
        ),
        Tool(
            "initiate_refund",
            "Refund an amount on an order (needs explicit customer confirmation first).",
            RefundInput,
            Refund,
            Access.WRITE,
            _NEGOTIATION,
            _refund,
        ),
        Tool(
            "initiate_return",
            "Start a return for items of a delivered order (needs "
            "explicit customer confirmation first).",
            ReturnInput,
            Return,
            Access.WRITE,
            _NEGOTIATION,
            _return,
        ),
        Tool(
            "escalate_to_human",
            "Hand the conversation to a human agent with a ticket and a case summary.",
            EscalationInput,
            Ticket,
            Access.WRITE,
            # The front door escalates for the read-only tiers; their models get no write tool.
            frozenset({AgentTier.NEGOTIATION, AgentTier.SYSTEM}),
            _escalate,
        ),
        Tool(
            "send_notification",
            "Send the customer an email, SMS or push notification.",
            NotificationInput,
            Notification,
            Access.WRITE,
            _NEGOTIATION,
            _notify,
        ),
        Tool(
            "get_customer_context",
            "The customer's tier, region and active orders (context hydration).",
            NoInput,
            CustomerContext,
            Access.READ,
            frozenset({AgentTier.SYSTEM}),
            _customer_context,
        ),
    )
}


def tools_for(tier: AgentTier) -> list[Tool]:  # type: ignore[type-arg]
    return [tool for tool in TOOLS.values() if tier in tool.tiers]


def narrowing_for(
    context: CustomerContext,
    *,
    orders: list[OrderSummary] | None = None,
    max_amount: Decimal | None = None,
    regions: tuple[str, ...] | None = None,
    skus: tuple[str, ...] | None = None,
) -> Narrowing:
    """Narrow tool arguments to what this customer owns (by default: hydrated active orders)."""
    scoped = context.active_orders if orders is None else orders
    return Narrowing(
        order_ids=tuple(o.order_id for o in scoped),
        awbs=tuple(s.awb for o in scoped for s in o.shipments),
        regions=regions or (context.region.value,),
        skus=skus,
        client_id=context.client_id,
        max_amount=max_amount,
    )
