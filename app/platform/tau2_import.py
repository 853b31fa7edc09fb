"""Import of the tau2-bench retail data set as one extra platform client, `tau2_retail`.

Source: `data/tau2/domains/retail/db.json` of https://github.com/sierra-research/tau2-bench
(MIT licence, Copyright (c) 2025 Sierra Research). The file is not copied into this repository;
it is read at run time from the shared data folder (`python -m app.platform seed --tau2 PATH`).

The mapping is deterministic: the same file and `as_of` always give the same dataset. tau2
records carry no timestamps, carriers or delivery details, so those are synthesised from a
`random.Random` seeded per record with a fixed string (never the wall clock), all before `as_of`.

    users        -> customers  CUS-900001... in sorted user_id order, region US
    variants     -> products   SKU-<4 digits per product>-<letter per variant>
    #W1234567    -> ORD-1234567 (duplicate item lines merge into one line with a quantity)
    tracking id  -> AWB-<last 10 digits>; a pending order without one gets a synthetic AWB
    status       -> shipment state (see _SHIPMENT_STATE); cancelled orders are left out
    payment_history refunds of imported orders -> approved refunds
"""

from __future__ import annotations

import hashlib
import json
import random
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.platform.contract import (
    Category,
    Customer,
    OrderItem,
    ReasonCode,
    RefundStatus,
    Region,
    ShipmentEvent,
    ShipmentStatus,
    Tier,
)
from app.platform.dataset import (
    ClientRecord,
    OrderRecord,
    PlatformDataset,
    ProductRecord,
    RefundRecord,
    RefundRuleRecord,
    ReturnRuleRecord,
    ShipmentRecord,
    money,
)

CLIENT_ID = "tau2_retail"
CLIENT_NAME = "Tau2 Retail"
REGION = Region.US
CURRENCY = "USD"
POLICY_PREFIX = "T2R"
FIRST_CUSTOMER_NUMBER = 900001

# The seed data's special SKUs (SKU-9942-A/B, SKU-5100-C) carry per-SKU rules in other
# clients; tau2 products never take their product numbers so an id never means two things.
_RESERVED_PRODUCT_NUMBERS = frozenset({9942, 5100})

# The platform has six categories; tau2 has 50 product types. There is no sports category:
# worn or carried sports gear goes to accessories, larger home-fitness and leisure items to home.
PRODUCT_CATEGORIES: dict[str, Category] = {
    "Action Camera": Category.ELECTRONICS,
    "Air Purifier": Category.HOME,
    "Backpack": Category.ACCESSORIES,
    "Bicycle": Category.ACCESSORIES,
    "Bluetooth Speaker": Category.ELECTRONICS,
    "Bookshelf": Category.HOME,
    "Coffee Maker": Category.HOME,
    "Cycling Helmet": Category.ACCESSORIES,
    "Desk Lamp": Category.HOME,
    "Digital Camera": Category.ELECTRONICS,
    "Dumbbell Set": Category.HOME,
    "E-Reader": Category.ELECTRONICS,
    "Electric Kettle": Category.HOME,
    "Electric Toothbrush": Category.BEAUTY,
    "Espresso Machine": Category.HOME,
    "Fleece Jacket": Category.APPAREL,
    "Gaming Mouse": Category.ELECTRONICS,
    "Garden Hose": Category.HOME,
    "Grill": Category.HOME,
    "Headphones": Category.ELECTRONICS,
    "Hiking Boots": Category.FOOTWEAR,
    "Indoor Security Camera": Category.ELECTRONICS,
    "Jigsaw Puzzle": Category.HOME,
    "LED Light Bulb": Category.HOME,
    "Laptop": Category.ELECTRONICS,
    "Luggage Set": Category.ACCESSORIES,
    "Makeup Kit": Category.BEAUTY,
    "Mechanical Keyboard": Category.ELECTRONICS,
    "Notebook": Category.ACCESSORIES,
    "Office Chair": Category.HOME,
    "Patio Umbrella": Category.HOME,
    "Perfume": Category.BEAUTY,
    "Pet Bed": Category.HOME,
    "Portable Charger": Category.ELECTRONICS,
    "Running Shoes": Category.FOOTWEAR,
    "Skateboard": Category.ACCESSORIES,
    "Smart Thermostat": Category.ELECTRONICS,
    "Smart Watch": Category.ELECTRONICS,
    "Smartphone": Category.ELECTRONICS,
    "Sneakers": Category.FOOTWEAR,
    "Sunglasses": Category.ACCESSORIES,
    "T-Shirt": Category.APPAREL,
    "Tablet": Category.ELECTRONICS,
    "Tea Kettle": Category.HOME,
    "Vacuum Cleaner": Category.HOME,
    "Wall Clock": Category.HOME,
    "Water Bottle": Category.ACCESSORIES,
    "Wireless Earbuds": Category.ELECTRONICS,
    "Wristwatch": Category.ACCESSORIES,
    "Yoga Mat": Category.ACCESSORIES,
}

# tau2 order status -> shipment state. "pending (item modified)", "return requested" and
# "exchange requested" appear once tau2 tools have acted on the data.
_SHIPMENT_STATE: dict[str, ShipmentStatus] = {
    "pending": ShipmentStatus.LABEL_CREATED,
    "pending (item modified)": ShipmentStatus.LABEL_CREATED,
    "processed": ShipmentStatus.IN_TRANSIT,
    "delivered": ShipmentStatus.DELIVERED,
    "return requested": ShipmentStatus.DELIVERED,
    "exchange requested": ShipmentStatus.DELIVERED,
}
_SKIPPED_STATUSES = frozenset({"cancelled"})

# Order age in days by shipment state: delivered orders straddle the 30-day return window.
_ORDER_AGE_DAYS: dict[ShipmentStatus, tuple[float, float]] = {
    ShipmentStatus.LABEL_CREATED: (0.1, 1.5),
    ShipmentStatus.IN_TRANSIT: (1.0, 4.0),
    ShipmentStatus.DELIVERED: (6.0, 90.0),
}

RETURN_WINDOW_DAYS = 30
TIER_BONUS_DAYS = {Tier.GOLD: 30, Tier.SILVER: 15, Tier.STANDARD: 0}
AUTO_APPROVE_LIMIT = {Tier.GOLD: 300.0, Tier.SILVER: 150.0, Tier.STANDARD: 75.0}

_CARRIERS = ("UPS", "FedEx", "USPS")
_HUBS = (
    "Newark NJ hub",
    "Memphis TN hub",
    "Louisville KY hub",
    "Chicago IL depot",
    "Denver CO depot",
    "Austin TX depot",
)
_SIGNED_BY = (
    "Front desk",
    "Building staff",
    "Neighbour",
    "Left at front door",
    "Parcel locker",
    "Reception",
    "Customer",
)


def tau2_dataset(path: Path, *, as_of: datetime) -> PlatformDataset:
    """The tau2 retail `db.json` at `path` as a dataset for client `tau2_retail`."""
    raw = json.loads(path.read_text())
    products = _products(raw["products"])
    by_item = {p.item_id: p for p in products}
    customers = _customers(raw["users"], as_of)
    customer_ids = {user_id: c.customer_id for user_id, c in customers.items()}
    importable = list(_importable_orders(raw["orders"]))
    awbs = _AwbRegistry.for_orders(importable)
    orders: list[OrderRecord] = []
    refunds: list[RefundRecord] = []
    for tau2_order in importable:
        order = _order(tau2_order, customer_ids, by_item, awbs, as_of)
        orders.append(order)
        refunds.extend(_refunds(tau2_order, order, as_of))
    return PlatformDataset(
        as_of=as_of,
        clients=[ClientRecord(client_id=CLIENT_ID, name=CLIENT_NAME, regions=[REGION])],
        return_rules=_return_rules({p.record.category for p in products}),
        refund_rules=[RefundRuleRecord(client_id=CLIENT_ID, auto_approve_limit=AUTO_APPROVE_LIMIT)],
        products=[p.record for p in products],
        customers=list(customers.values()),
        orders=orders,
        refunds=refunds,
    )


# ---------------------------------------------------------------- deterministic helpers


def _digest(*parts: str) -> int:
    # hashlib, not hash(): str hashes are salted per process (PYTHONHASHSEED).
    return int.from_bytes(hashlib.sha256("|".join(("tau2", *parts)).encode()).digest()[:8])


def _rng(*parts: str) -> random.Random:
    """A generator per record, so one record's values do not depend on any other's."""
    return random.Random(_digest(*parts))


# ---------------------------------------------------------------- products


@dataclass(frozen=True)
class _Variant:
    item_id: str
    record: ProductRecord


def _products(raw_products: dict[str, Any]) -> list[_Variant]:
    """Each product type gets a 4-digit number, each of its variants a letter (A, B, ...) in
    item_id order: the seed data's convention (SKU-9942-A and -B are one stand in two colours)."""
    taken: set[int] = set(_RESERVED_PRODUCT_NUMBERS)
    variants: list[_Variant] = []
    for product_id in sorted(raw_products):
        product = raw_products[product_id]
        name = product["name"]
        category = PRODUCT_CATEGORIES.get(name)
        if category is None:
            raise ValueError(f"tau2 product {name!r} has no category in PRODUCT_CATEGORIES")
        number = _product_number(product_id, taken)
        item_ids = sorted(product["variants"])
        if len(item_ids) > len(string.ascii_uppercase):
            raise ValueError(f"tau2 product {name!r} has more than 26 variants")
        for letter, item_id in zip(string.ascii_uppercase, item_ids, strict=False):
            variant = product["variants"][item_id]
            variants.append(
                _Variant(
                    item_id=item_id,
                    record=ProductRecord(
                        client_id=CLIENT_ID,
                        sku=f"SKU-{number:04d}-{letter}",
                        name=_variant_name(name, variant["options"]),
                        category=category,
                        price=money(variant["price"]),
                    ),
                )
            )
    return variants


def _product_number(product_id: str, taken: set[int]) -> int:
    attempt = 0
    while True:
        number = 1000 + _digest("product", product_id, str(attempt)) % 9000
        if number not in taken:
            taken.add(number)
            return number
        attempt += 1


def _variant_name(name: str, options: dict[str, str]) -> str:
    # The agent tells variants apart by name; keys keep "waterproof: yes" from reading "yes".
    described = ", ".join(f"{key}: {value}" for key, value in options.items())
    return f"{name} ({described})" if described else name


# ---------------------------------------------------------------- customers


def _customers(raw_users: dict[str, Any], as_of: datetime) -> dict[str, Customer]:
    customers: dict[str, Customer] = {}
    for number, user_id in enumerate(sorted(raw_users), start=FIRST_CUSTOMER_NUMBER):
        user = raw_users[user_id]
        rng = _rng("customer", user_id)
        customers[user_id] = Customer(
            customer_id=f"CUS-{number:06d}",
            client_id=CLIENT_ID,
            name=f"{user['name']['first_name']} {user['name']['last_name']}",
            email=user["email"],
            tier=_tier(user_id),
            region=REGION,
            # Older than any order (at most 90 days), and mostly over a year old, because
            # account age is a fraud signal and tau2 users are established customers.
            created_at=(as_of - timedelta(days=rng.randrange(120, 6 * 365))).replace(microsecond=0),
        )
    return customers


def _tier(user_id: str) -> Tier:
    bucket = _digest("tier", user_id) % 100
    if bucket < 15:
        return Tier.GOLD
    return Tier.SILVER if bucket < 45 else Tier.STANDARD


# ---------------------------------------------------------------- orders and shipments


def _importable_orders(raw_orders: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Orders in id order, without cancelled ones: the platform has no cancelled state, and a
    cancelled tau2 order is already refunded in full, so it would only skew fraud history."""
    for order_id in sorted(raw_orders):
        order = raw_orders[order_id]
        status = order["status"]
        if status in _SKIPPED_STATUSES:
            continue
        if status not in _SHIPMENT_STATE:
            raise ValueError(f"tau2 order {order_id}: unknown status {status!r}")
        yield order


def _order_id(tau2_id: str) -> str:
    digits = tau2_id.removeprefix("#W")
    if not digits.isdigit():
        raise ValueError(f"unexpected tau2 order id {tau2_id!r}")
    return f"ORD-{digits}"


def _order(
    tau2_order: dict[str, Any],
    customer_ids: dict[str, str],
    by_item: dict[str, _Variant],
    awbs: _AwbRegistry,
    as_of: datetime,
) -> OrderRecord:
    order_id = _order_id(tau2_order["order_id"])
    state = _SHIPMENT_STATE[tau2_order["status"]]
    rng = _rng("order", order_id)
    low, high = _ORDER_AGE_DAYS[state]
    placed_at = (as_of - timedelta(days=rng.uniform(low, high))).replace(microsecond=0)
    address = tau2_order["address"]
    city = f"{address['city']} {address['state']}"
    tracking = [t for f in tau2_order["fulfillments"] for t in f["tracking_id"]]
    if not tracking and state is ShipmentStatus.LABEL_CREATED:
        tracking = [""]  # a pending order has no label yet: synthesise one so it shows as active
    shipments = [
        _shipment(awbs.claim(tracking_id, order_id), state, placed_at, as_of, city, rng)
        for tracking_id in tracking
    ]
    return OrderRecord(
        order_id=order_id,
        client_id=CLIENT_ID,
        customer_id=customer_ids[tau2_order["user_id"]],
        placed_at=placed_at,
        currency=CURRENCY,
        items=_order_items(tau2_order["items"], by_item),
        shipments=shipments,
    )


def _order_items(
    raw_items: Iterable[dict[str, Any]], by_item: dict[str, _Variant]
) -> list[OrderItem]:
    """One line per variant: tau2 repeats a line for a second unit, but returns count
    quantities per SKU, so repeated lines are merged into one with a quantity."""
    quantities: dict[str, int] = {}
    for item in raw_items:
        quantities[item["item_id"]] = quantities.get(item["item_id"], 0) + 1
    lines = []
    for item_id, quantity in quantities.items():
        product = by_item[item_id].record
        lines.append(
            OrderItem(
                sku=product.sku,
                name=product.name,
                category=product.category,
                unit_price=product.price,
                quantity=quantity,
            )
        )
    return lines


def _tracking_awb(tracking_id: str) -> str | None:
    digits = "".join(c for c in tracking_id if c.isdigit())
    return f"AWB-{digits[-10:]}" if len(digits) >= 10 else None


@dataclass
class _AwbRegistry:
    """Hands out unique AWBs: a tracking id's last 10 digits where free, else a hash.

    Every real tracking id's AWB is reserved up front, so a synthetic AWB handed out earlier
    can never push a real one onto a hash.
    """

    reserved: set[str]
    used: set[str] = field(default_factory=set)

    @classmethod
    def for_orders(cls, orders: Iterable[dict[str, Any]]) -> _AwbRegistry:
        tracking = (t for o in orders for f in o["fulfillments"] for t in f["tracking_id"])
        return cls(reserved={awb for t in tracking if (awb := _tracking_awb(t)) is not None})

    def claim(self, tracking_id: str, order_id: str) -> str:
        candidate = _tracking_awb(tracking_id)
        attempt = 0
        while candidate is None or candidate in self.used:
            number = _digest("awb", order_id, tracking_id, str(attempt)) % 9_000_000_000
            candidate = f"AWB-{1_000_000_000 + number}"
            if candidate in self.reserved:
                candidate = None
            attempt += 1
        self.used.add(candidate)
        return candidate


def _shipment(
    awb: str,
    state: ShipmentStatus,
    placed_at: datetime,
    as_of: datetime,
    city: str,
    rng: random.Random,
) -> ShipmentRecord:
    carrier = rng.choice(_CARRIERS)
    latest = as_of - timedelta(minutes=5)  # no event may lie in the future
    at = min(placed_at + timedelta(hours=rng.uniform(1, 12)), latest)
    origin = rng.choice(_HUBS)
    events = [_event(at, ShipmentStatus.LABEL_CREATED, origin, "Shipping label created")]

    def add(status: ShipmentStatus, hours: float, location: str, description: str) -> datetime:
        nonlocal at
        at = min(at + timedelta(hours=hours), latest)
        events.append(_event(at, status, location, description))
        return at

    eta = (placed_at + timedelta(days=rng.randint(3, 6))).replace(hour=18, minute=0, second=0)
    if state is ShipmentStatus.LABEL_CREATED:
        return ShipmentRecord(
            awb=awb,
            carrier=carrier,
            status=state,
            destination_region=REGION,
            eta=max(eta, _next_evening(as_of)),
            timeline=events,
        )
    add(ShipmentStatus.IN_TRANSIT, rng.uniform(6, 18), rng.choice(_HUBS), f"Picked up by {carrier}")
    add(
        ShipmentStatus.IN_TRANSIT,
        rng.uniform(10, 30),
        rng.choice(_HUBS),
        "Arrived at sorting facility",
    )
    if state is ShipmentStatus.IN_TRANSIT:
        return ShipmentRecord(
            awb=awb,
            carrier=carrier,
            status=state,
            destination_region=REGION,
            eta=max(eta, _next_evening(as_of)),
            timeline=events,
        )
    add(ShipmentStatus.OUT_FOR_DELIVERY, rng.uniform(10, 24), city, "Out for delivery")
    delivered_at = add(ShipmentStatus.DELIVERED, rng.uniform(2, 8), city, "Delivered")
    return ShipmentRecord(
        awb=awb,
        carrier=carrier,
        status=ShipmentStatus.DELIVERED,
        destination_region=REGION,
        delivered_at=delivered_at,
        signed_by=rng.choice(_SIGNED_BY),
        photo_ref=f"pod://{carrier.lower()}/{awb}.jpg",
        timeline=events,
    )


def _event(at: datetime, status: ShipmentStatus, location: str, description: str) -> ShipmentEvent:
    return ShipmentEvent(
        at=at.replace(microsecond=0), status=status, location=location, description=description
    )


def _next_evening(as_of: datetime) -> datetime:
    """An ETA for a parcel still on its way must lie after `as_of`."""
    return (as_of + timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)


# ---------------------------------------------------------------- refunds and rules


def _refunds(tau2_order: dict[str, Any], order: OrderRecord, as_of: datetime) -> list[RefundRecord]:
    """tau2 refund transactions (item modifications, payment changes) as approved refunds,
    capped at the order total so `refundable` never goes negative."""
    remaining = sum((i.unit_price * i.quantity for i in order.items), Decimal("0"))
    created = min(order.placed_at + timedelta(hours=6), as_of - timedelta(hours=1))
    digits = order.order_id.removeprefix("ORD-")
    refunds = []
    payments = [p for p in tau2_order["payment_history"] if p["transaction_type"] == "refund"]
    for index, payment in enumerate(payments):
        amount = min(money(payment["amount"]), remaining)
        if amount <= 0:
            continue
        remaining -= amount
        refunds.append(
            RefundRecord(
                # 9 digits: seeded and run-time refund ids have 8, so these never collide.
                refund_id=f"REF-{digits}{index:02d}",
                client_id=CLIENT_ID,
                customer_id=order.customer_id,
                order_id=order.order_id,
                amount=amount,
                currency=CURRENCY,
                reason_code=ReasonCode.CUSTOMER_REQUEST,
                status=RefundStatus.APPROVED,
                decision_reason="imported",
                created_at=created,
                settled_at=created,
            )
        )
    return refunds


def _return_rules(categories: Iterable[Category]) -> list[ReturnRuleRecord]:
    return [
        ReturnRuleRecord(
            client_id=CLIENT_ID,
            region=REGION,
            category=category,
            window_days=RETURN_WINDOW_DAYS,
            returnable=True,
            policy_code=f"{POLICY_PREFIX}-{REGION.value}-{category.value[:4].upper()}-"
            f"R{RETURN_WINDOW_DAYS}",
            tier_bonus_days=dict(TIER_BONUS_DAYS),
        )
        for category in sorted(categories)
    ]
