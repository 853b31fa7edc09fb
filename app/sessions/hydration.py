"""Context hydration: tier, region and active orders, fetched once and rendered byte-stable.

The facts come through the tool executor (`get_customer_context`, SYSTEM tier), never the
platform client directly, and are cached briefly in Redis so a burst of turns costs one fetch.
When the platform cannot answer and nothing is cached, the result is a `HydrationFailure`:
the caller says so honestly; nothing is ever invented. Names and contact details are not part
of the block (the platform model has none of them to begin with).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.platform.client import CustomerRef
from app.platform.contract import DELIVERED_STATES, OrderSummary, ShipmentBrief, ShipmentStatus
from app.sessions.render import money, one_line, utc_date
from app.tools.definitions import CustomerContext
from app.tools.executor import ToolExecutor, ToolFailure
from app.tools.spec import AgentTier, ToolContext

log = logging.getLogger("app.sessions.hydration")

HYDRATION_TOOL = "get_customer_context"
CONTEXT_OPEN = "[CONTEXT]"
CONTEXT_CLOSE = "[/CONTEXT]"
# Static lines first: every customer's prompt shares them, up to the first per-customer value.
CONTEXT_PREAMBLE = "Account facts from the order platform (dates in UTC):"
UNAVAILABLE_LINE = (
    "Unavailable: the order platform could not be reached. Do not guess the customer's tier, "
    "region or orders; say the account details cannot be checked right now."
)
MAX_ITEM_NAMES = 5


def _shipment_line(shipment: ShipmentBrief) -> str:
    status = shipment.status
    if status is ShipmentStatus.DELIVERED and shipment.delivered_at is not None:
        text = f"delivered {utc_date(shipment.delivered_at)}"
    else:
        text = status.value.replace("_", " ")
        if shipment.delivered_at is not None:
            text += f", delivered {utc_date(shipment.delivered_at)}"
        if shipment.eta is not None and status not in DELIVERED_STATES:
            text += f", ETA {utc_date(shipment.eta)}"
    return f"  - {shipment.awb}: {text}"


def _order_lines(order: OrderSummary) -> list[str]:
    names = [one_line(n, 60) for n in order.item_names]
    count = len(names)
    shown = ", ".join(names[:MAX_ITEM_NAMES])
    if count > MAX_ITEM_NAMES:
        shown += f", +{count - MAX_ITEM_NAMES} more"
    items = "no items" if count == 0 else f"{count} item{'s' if count != 1 else ''}: {shown}"
    head = (
        f"- {order.order_id} ({items}) placed {utc_date(order.placed_at)}, "
        f"total {money(order.total)} {one_line(order.currency, 8)}"
    )
    return [head, *(_shipment_line(s) for s in sorted(order.shipments, key=lambda s: s.awb))]


def _newest_first(orders: list[OrderSummary]) -> list[OrderSummary]:
    # placed_at descending, then order id ascending (stable sort: ids first, then dates).
    by_id = sorted(orders, key=lambda o: o.order_id)
    return sorted(by_id, key=lambda o: o.placed_at.timestamp(), reverse=True)


class HydratedContext(BaseModel):
    context: CustomerContext
    # Observability only; never rendered (cached and fresh reads render identically).
    from_cache: bool = False

    def known_ids(self) -> list[str]:
        """The customer's own order ids, AWBs and item names: what the PII scrubber must keep
        however the customer writes it ("7730012345" without its "AWB-" is their parcel, not a
        phone; "my Hiking Boots" are the catalogue's, not a person)."""
        ids = []
        for order in self.context.active_orders:
            ids.append(order.order_id)
            ids.extend(shipment.awb for shipment in order.shipments)
            ids.extend(name for name in order.item_names if name.strip())
        return ids

    def render(self) -> str:
        """The context block, deterministic to the byte: `\\n` endings, no trailing spaces."""
        lines = [
            CONTEXT_OPEN,
            CONTEXT_PREAMBLE,
            f"Tier: {self.context.tier.value}",
            f"Region: {self.context.region.value}",
        ]
        orders = _newest_first(self.context.active_orders)
        if orders:
            lines.append("Active orders:")
            for order in orders:
                lines.extend(_order_lines(order))
        else:
            lines.append("Active orders: none")
        lines.append(CONTEXT_CLOSE)
        return "\n".join(lines)


@dataclass(frozen=True)
class HydrationFailure:
    """The platform could not tell us who this customer is right now."""

    code: str
    message: str
    retryable: bool = False

    def render(self) -> str:
        return "\n".join((CONTEXT_OPEN, CONTEXT_PREAMBLE, UNAVAILABLE_LINE, CONTEXT_CLOSE))


HydrationResult = HydratedContext | HydrationFailure


class Hydrator:
    def __init__(
        self,
        executor: ToolExecutor,
        redis: Redis,
        *,
        ttl_s: float = 30.0,
        key_prefix: str = "osa",
    ) -> None:
        self._executor = executor
        self._redis = redis
        self._ttl_ms = max(1, int(ttl_s * 1000))
        self._prefix = key_prefix

    def key(self, who: CustomerRef) -> str:
        return f"{self._prefix}:{who.client_id}:hydration:{who.customer_id}"

    async def hydrate(self, ctx: ToolContext) -> HydrationResult:
        key = self.key(ctx.who)
        cached = await self._read(key, ctx.who)
        if cached is not None:
            return HydratedContext(context=cached, from_cache=True)
        result = await self._executor.execute(ctx, AgentTier.SYSTEM, HYDRATION_TOOL, {})
        if isinstance(result, ToolFailure):
            return HydrationFailure(result.code, result.message, result.retryable)
        context = result.output
        if not isinstance(context, CustomerContext) or not _belongs_to(context, ctx.who):
            # Defence in depth: never show one customer another's facts.
            return HydrationFailure("identity_mismatch", "platform answered for someone else")
        await self._write(key, context)
        return HydratedContext(context=context)

    async def invalidate(self, who: CustomerRef) -> None:
        """Drop the cached facts (after a write changed them, e.g. a refund or a return)."""
        try:
            await self._redis.delete(self.key(who))
        except (RedisError, OSError) as exc:
            log.warning("hydration cache invalidation failed: %s", type(exc).__name__)

    # The cache is an optimisation: Redis trouble degrades to a platform fetch, never an error.
    async def _read(self, key: str, who: CustomerRef) -> CustomerContext | None:
        try:
            raw = await self._redis.get(key)
        except (RedisError, OSError) as exc:
            log.warning("hydration cache read failed: %s", type(exc).__name__)
            return None
        if raw is None:
            return None
        try:
            context = CustomerContext.model_validate_json(raw)
        except ValidationError:
            return None  # an older shape: refetch and overwrite
        return context if _belongs_to(context, who) else None

    async def _write(self, key: str, context: CustomerContext) -> None:
        try:
            await self._redis.set(key, context.model_dump_json(), px=self._ttl_ms)
        except (RedisError, OSError) as exc:
            log.warning("hydration cache write failed: %s", type(exc).__name__)


def _belongs_to(context: CustomerContext, who: CustomerRef) -> bool:
    return (context.client_id, context.customer_id) == (who.client_id, who.customer_id)
