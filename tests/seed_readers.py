"""Customers for read-only tests, picked without `SeedIndex.take`.

`take` hands each order out once per run because writing tests need exclusive orders; a test
that only reads (hydration, prompts) must not use up those scarce states. These picks scan the
dataset from the end, away from the orders `take` hands out first.
"""

from __future__ import annotations

from app.platform.client import CustomerRef
from app.platform.contract import ShipmentStatus, Tier
from tests.fixtures import Pick, SeedIndex


def reader(
    seed: SeedIndex,
    *,
    nth: int = 0,
    status: ShipmentStatus = ShipmentStatus.IN_TRANSIT,
    tier: Tier | None = None,
) -> Pick:
    """The `nth` distinct customer with a single-shipment order in `status` (and `tier`)."""
    seen: list[str] = []
    for order in reversed(seed.dataset.orders):
        customer = seed.customers[order.customer_id]
        if len(order.shipments) != 1 or order.shipments[0].status is not status:
            continue
        if (tier is not None and customer.tier is not tier) or customer.customer_id in seen:
            continue
        if len(seen) == nth:
            who = CustomerRef(order.client_id, order.customer_id)
            return Pick(who, customer, order, order.shipments[0])
        seen.append(customer.customer_id)
    raise LookupError(f"no customer #{nth} with a {status} order (tier {tier})")
