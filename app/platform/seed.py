"""Deterministic seed data for the reference platform.

`generate(seed)` always returns the same `PlatformDataset` (timestamps are relative to a
fixed `as_of`; loading rebases them onto "now"). Every person in it is invented: names come
from short lists, emails use example.com and phone numbers the ranges reserved for fiction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

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
    SkuRuleRecord,
    money,
)

SEED_AS_OF = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
CURRENCY = {Region.US: "USD", Region.UK: "GBP", Region.EU: "EUR"}


@dataclass(frozen=True)
class ClientProfile:
    client_id: str
    name: str
    prefix: str  # used in policy codes
    regions: tuple[Region, ...]
    categories: dict[Category, int]  # category -> number of products
    base_window: dict[Category, int]  # days, before regional adjustments; 0 = not returnable
    tier_bonus: dict[Tier, int]
    auto_approve: dict[Tier, float]
    sku_rules: tuple[tuple[str, str, int, bool], ...]  # (sku, region|ALL, days, returnable)


CLIENTS: tuple[ClientProfile, ...] = (
    ClientProfile(
        client_id="northwind",
        name="Northwind Outfitters",
        prefix="NWO",
        regions=(Region.US, Region.UK),
        categories={
            Category.APPAREL: 16,
            Category.FOOTWEAR: 10,
            Category.ACCESSORIES: 8,
            Category.BEAUTY: 6,
        },
        base_window={
            Category.APPAREL: 30,
            Category.FOOTWEAR: 30,
            Category.ACCESSORIES: 30,
            Category.BEAUTY: 0,
        },
        tier_bonus={Tier.GOLD: 30, Tier.SILVER: 15, Tier.STANDARD: 0},
        auto_approve={Tier.GOLD: 250.0, Tier.SILVER: 150.0, Tier.STANDARD: 75.0},
        sku_rules=(("SKU-5100-C", "ALL", 0, False),),
    ),
    ClientProfile(
        client_id="globex",
        name="Globex Electronics",
        prefix="GBX",
        regions=(Region.US, Region.UK, Region.EU),
        categories={Category.ELECTRONICS: 18, Category.ACCESSORIES: 10, Category.HOME: 6},
        base_window={Category.ELECTRONICS: 15, Category.ACCESSORIES: 30, Category.HOME: 30},
        tier_bonus={Tier.GOLD: 15, Tier.SILVER: 7, Tier.STANDARD: 0},
        auto_approve={Tier.GOLD: 500.0, Tier.SILVER: 250.0, Tier.STANDARD: 100.0},
        sku_rules=(("SKU-9942-A", "ALL", 30, True), ("SKU-9942-B", "ALL", 14, True)),
    ),
    ClientProfile(
        client_id="kestrel",
        name="Kestrel Home & Living",
        prefix="KHL",
        regions=(Region.UK, Region.EU),
        categories={
            Category.HOME: 16,
            Category.ELECTRONICS: 8,
            Category.APPAREL: 6,
            Category.BEAUTY: 4,
        },
        base_window={
            Category.HOME: 45,
            Category.ELECTRONICS: 30,
            Category.APPAREL: 30,
            Category.BEAUTY: 14,
        },
        tier_bonus={Tier.GOLD: 30, Tier.SILVER: 14, Tier.STANDARD: 0},
        auto_approve={Tier.GOLD: 400.0, Tier.SILVER: 200.0, Tier.STANDARD: 100.0},
        sku_rules=(("SKU-9942-A", "ALL", 45, True), ("SKU-9942-B", "ALL", 21, True)),
    ),
)

# EU and UK consumer law give at least 14 days; UK windows here run 2 days shorter than US ones.
_REGION_ADJUST = {Region.US: 0, Region.UK: -2, Region.EU: 0}
_REGION_MINIMUM = {Region.US: 0, Region.UK: 14, Region.EU: 14}

_PRODUCT_NAMES: dict[Category, tuple[str, ...]] = {
    Category.APPAREL: (
        "Merino Crew Sweater",
        "Linen Shirt",
        "Rain Shell Jacket",
        "Chino Trousers",
        "Organic Cotton Tee",
        "Quilted Vest",
        "Wool Overcoat",
        "Denim Jacket",
        "Fleece Hoodie",
        "Pleated Skirt",
        "Oxford Shirt",
        "Cargo Shorts",
        "Knit Cardigan",
        "Puffer Jacket",
        "Silk Scarf Dress",
        "Track Pants",
    ),
    Category.FOOTWEAR: (
        "Trail Running Shoes",
        "Leather Chelsea Boots",
        "Canvas Sneakers",
        "Hiking Boots",
        "Slip-on Loafers",
        "Court Trainers",
        "Wool Slippers",
        "Rain Boots",
        "Sandals",
        "Road Running Shoes",
    ),
    Category.ACCESSORIES: (
        "Leather Belt",
        "Canvas Tote",
        "Travel Backpack",
        "Wool Beanie",
        "Sunglasses",
        "Phone Case",
        "USB-C Cable 2m",
        "Laptop Sleeve",
        "Card Wallet",
        "Watch Strap",
    ),
    Category.BEAUTY: (
        "Hydrating Face Serum",
        "Mineral Sunscreen",
        "Hand Cream Set",
        "Lip Balm Trio",
        "Hair Repair Mask",
        "Shaving Kit",
    ),
    Category.ELECTRONICS: (
        "Noise-Cancelling Headphones",
        "4K Streaming Stick",
        "Smart Speaker",
        "Wireless Earbuds",
        "27in Monitor",
        "Mechanical Keyboard",
        "Wireless Mouse",
        "Portable SSD 1TB",
        "Action Camera",
        "E-Reader",
        "Smartwatch",
        "Bluetooth Speaker",
        "Webcam 1080p",
        "Power Bank 20000mAh",
        "Robot Vacuum",
        "Air Fryer",
        "Electric Kettle",
        "Tablet 10in",
    ),
    Category.HOME: (
        "Cast Iron Skillet",
        "Linen Duvet Cover",
        "Ceramic Dinner Set",
        "Standing Desk Frame",
        "Table Lamp",
        "Wool Throw",
        "Chef's Knife",
        "Storage Baskets",
        "Bath Towel Set",
        "Glass Carafe",
        "Office Chair",
        "Bookshelf",
        "Blackout Curtains",
        "Area Rug",
        "Coffee Grinder",
        "Plant Pot Set",
    ),
}
_PRICE_RANGE: dict[Category, tuple[int, int]] = {
    Category.APPAREL: (25, 220),
    Category.FOOTWEAR: (45, 240),
    Category.ACCESSORIES: (12, 140),
    Category.BEAUTY: (9, 60),
    Category.ELECTRONICS: (29, 900),
    Category.HOME: (19, 480),
}
_SPECIAL_PRODUCTS = {
    "SKU-9942-A": ("ErgoLift Laptop Stand (Silver)", Category.ACCESSORIES, "49.99"),
    "SKU-9942-B": ("ErgoLift Laptop Stand (Space Grey)", Category.ACCESSORIES, "54.99"),
    "SKU-5100-C": ("Final Sale Cashmere Scarf", Category.ACCESSORIES, "89.00"),
}

_FIRST = (
    "Avery",
    "Jordan",
    "Riley",
    "Morgan",
    "Casey",
    "Quinn",
    "Harper",
    "Rowan",
    "Emerson",
    "Sage",
    "Parker",
    "Reese",
    "Dakota",
    "Skyler",
    "Finley",
    "Hayden",
    "Kendall",
    "Logan",
    "Marlowe",
    "Noel",
    "Oakley",
    "Peyton",
    "Remy",
    "Sutton",
    "Tatum",
    "Wren",
    "Blair",
    "Ellis",
    "Jules",
    "Lane",
)
_LAST = (
    "Ashford",
    "Blackwood",
    "Caldwell",
    "Dunmore",
    "Everly",
    "Fairbanks",
    "Galloway",
    "Hartley",
    "Ingram",
    "Jessup",
    "Kingsley",
    "Langford",
    "Merriweather",
    "Northcott",
    "Oakhurst",
    "Pemberton",
    "Quimby",
    "Radcliffe",
    "Southgate",
    "Thornbury",
    "Underhill",
    "Vance",
    "Whitlock",
    "Yardley",
    "Zeller",
    "Ainsworth",
    "Bramwell",
    "Crowther",
    "Delaney",
    "Eastwood",
)
_CARRIERS = {
    Region.US: ("UPS", "FedEx", "USPS"),
    Region.UK: ("Royal Mail", "DPD", "Evri"),
    Region.EU: ("DHL", "GLS", "PostNL"),
}
_CITIES = {
    Region.US: (
        "Newark NJ hub",
        "Memphis TN hub",
        "Louisville KY hub",
        "Chicago IL depot",
        "Denver CO depot",
        "Austin TX depot",
    ),
    Region.UK: (
        "Heathrow hub",
        "Birmingham hub",
        "Manchester depot",
        "Leeds depot",
        "Bristol depot",
        "Glasgow depot",
    ),
    Region.EU: (
        "Leipzig hub",
        "Cologne hub",
        "Amsterdam depot",
        "Lyon depot",
        "Milan depot",
        "Madrid depot",
    ),
}
_SIGNED_BY = (
    "Front desk",
    "Building staff",
    "Neighbour",
    "Left at front door",
    "Parcel locker",
    "Reception",
    "Customer",
)

# Shipment states every client's data must contain, assigned to its first orders.
REQUIRED_STATES = (
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.DELAYED,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.DELIVERED_DISPUTED,
    ShipmentStatus.LOST,
    ShipmentStatus.RETURNED,
)


def generate(seed: int = 7, customers_per_client: int = 200) -> PlatformDataset:
    rng = random.Random(seed)
    as_of = SEED_AS_OF
    dataset = PlatformDataset(as_of=as_of)
    used_ids: set[str] = set()
    customer_counter = 100000

    def unique(prefix: str, digits: int) -> str:
        while True:
            candidate = f"{prefix}-{rng.randrange(10 ** (digits - 1), 10**digits)}"
            if candidate not in used_ids:
                used_ids.add(candidate)
                return candidate

    for profile in CLIENTS:
        dataset.clients.append(
            ClientRecord(
                client_id=profile.client_id, name=profile.name, regions=list(profile.regions)
            )
        )
        dataset.return_rules.extend(_return_rules(profile))
        dataset.sku_rules.extend(
            SkuRuleRecord(
                client_id=profile.client_id,
                sku=sku,
                region=region,
                window_days=days,
                returnable=returnable,
                policy_code=f"{profile.prefix}-{sku.removeprefix('SKU-')}-"
                + (f"R{days}" if returnable else "FINAL"),
            )
            for sku, region, days, returnable in profile.sku_rules
        )
        dataset.refund_rules.append(
            RefundRuleRecord(client_id=profile.client_id, auto_approve_limit=profile.auto_approve)
        )
        products = _products(profile, rng)
        dataset.products.extend(products)

        for index in range(customers_per_client):
            customer_counter += 1
            risky = rng.random() < 0.05
            customer = _customer(profile, customer_counter, rng, as_of, risky)
            dataset.customers.append(customer)
            order_count = rng.choice((1, 1, 2, 2, 3, 3, 4, 5)) + (2 if risky else 0)
            for order_index in range(order_count):
                forced = None
                if index < len(REQUIRED_STATES) and order_index == 0:
                    forced = REQUIRED_STATES[index]
                order = _order(profile, customer, products, rng, as_of, unique, forced)
                dataset.orders.append(order)
                refund = _history_refund(order, rng, risky, unique)
                if refund is not None:
                    dataset.refunds.append(refund)
    return dataset


def _return_rules(profile: ClientProfile) -> list[ReturnRuleRecord]:
    rules = []
    for region in profile.regions:
        for category, base in profile.base_window.items():
            returnable = base > 0
            days = max(_REGION_MINIMUM[region], base + _REGION_ADJUST[region]) if returnable else 0
            rules.append(
                ReturnRuleRecord(
                    client_id=profile.client_id,
                    region=region,
                    category=category,
                    window_days=days,
                    returnable=returnable,
                    policy_code=f"{profile.prefix}-{region.value}-{category.value[:4].upper()}-"
                    + (f"R{days}" if returnable else "FINAL"),
                    tier_bonus_days=dict(profile.tier_bonus) if returnable else {},
                )
            )
    return rules


def _products(profile: ClientProfile, rng: random.Random) -> list[ProductRecord]:
    products: list[ProductRecord] = []
    taken: set[str] = set(_SPECIAL_PRODUCTS)
    for category, count in profile.categories.items():
        names = _PRODUCT_NAMES[category]
        low, high = _PRICE_RANGE[category]
        for i in range(count):
            while True:
                sku = f"SKU-{rng.randrange(1000, 9999)}-{rng.choice('ABCDEFGH')}"
                if sku not in taken:
                    taken.add(sku)
                    break
            cents = rng.choice((0.0, 0.49, 0.95, 0.99))
            price = money(rng.randrange(low, high) + cents)
            products.append(
                ProductRecord(
                    client_id=profile.client_id,
                    sku=sku,
                    name=names[i % len(names)],
                    category=category,
                    price=price,
                )
            )
    for sku, _region, _days, _returnable in profile.sku_rules:
        name, category, price = _SPECIAL_PRODUCTS[sku]
        products.append(
            ProductRecord(
                client_id=profile.client_id,
                sku=sku,
                name=name,
                category=category,
                price=money(price),
            )
        )
    return products


def _customer(
    profile: ClientProfile, number: int, rng: random.Random, as_of: datetime, risky: bool
) -> Customer:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    region = rng.choice(profile.regions)
    tier = rng.choices((Tier.GOLD, Tier.SILVER, Tier.STANDARD), weights=(15, 30, 55))[0]
    phone = {
        Region.US: f"+1 555 01{rng.randrange(0, 100):02d}",
        Region.UK: f"+44 7700 900{rng.randrange(0, 1000):03d}",
        Region.EU: f"+49 30 555{rng.randrange(0, 10000):04d}",
    }[region]
    return Customer(
        customer_id=f"CUS-{number:06d}",
        client_id=profile.client_id,
        name=f"{first} {last}",
        email=f"{first.lower()}.{last.lower()}{number % 1000}@example.com",
        phone=phone,
        tier=tier,
        region=region,
        # Risky customers are new accounts: account age is one of the fraud signals.
        created_at=as_of
        - timedelta(days=rng.randrange(20, 90) if risky else rng.randrange(120, 6 * 365)),
    )


def _state_for_age(age_days: float, rng: random.Random) -> ShipmentStatus:
    if age_days < 2:
        return rng.choice((ShipmentStatus.LABEL_CREATED, ShipmentStatus.IN_TRANSIT))
    if age_days < 6:
        return rng.choices(
            (
                ShipmentStatus.IN_TRANSIT,
                ShipmentStatus.OUT_FOR_DELIVERY,
                ShipmentStatus.DELAYED,
                ShipmentStatus.DELIVERED,
            ),
            weights=(45, 20, 10, 25),
        )[0]
    return rng.choices(
        (
            ShipmentStatus.DELIVERED,
            ShipmentStatus.DELIVERED_DISPUTED,
            ShipmentStatus.LOST,
            ShipmentStatus.RETURNED,
            ShipmentStatus.DELAYED,
        ),
        weights=(86, 4, 3, 3, 4),
    )[0]


def _order(
    profile: ClientProfile,
    customer: Customer,
    products: list[ProductRecord],
    rng: random.Random,
    as_of: datetime,
    unique: object,
    forced: ShipmentStatus | None,
) -> OrderRecord:
    assert callable(unique)
    age_days = rng.uniform(0.2, 120)
    if forced in (ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY):
        age_days = rng.uniform(2.5, 4.5)
    elif forced is not None:
        age_days = rng.uniform(8, 20)
    placed_at = (as_of - timedelta(days=age_days)).replace(microsecond=0)
    lines = rng.sample(products, k=rng.choice((1, 1, 1, 2, 2, 3)))
    items = [
        OrderItem(
            sku=p.sku,
            name=p.name,
            category=p.category,
            unit_price=p.price,
            quantity=rng.choice((1, 1, 1, 2)),
        )
        for p in lines
    ]
    region = customer.region
    split = len(items) > 1 and rng.random() < 0.15
    groups = [items[:1], items[1:]] if split else [items]
    shipments = []
    for group_index, _group in enumerate(groups):
        status = (
            forced if forced is not None and group_index == 0 else _state_for_age(age_days, rng)
        )
        shipments.append(_shipment(unique("AWB", 10), region, placed_at, as_of, status, rng))
    return OrderRecord(
        order_id=unique("ORD", 7),
        client_id=profile.client_id,
        customer_id=customer.customer_id,
        placed_at=placed_at,
        currency=CURRENCY[region],
        items=items,
        shipments=shipments,
    )


def _shipment(
    awb: str,
    region: Region,
    placed_at: datetime,
    as_of: datetime,
    status: ShipmentStatus,
    rng: random.Random,
) -> ShipmentRecord:
    carrier = rng.choice(_CARRIERS[region])
    cities = _CITIES[region]
    transit_days = rng.randint(2, 5)
    t = placed_at + timedelta(hours=rng.randint(2, 20))
    events = [
        ShipmentEvent(
            at=t,
            status=ShipmentStatus.LABEL_CREATED,
            location=cities[0],
            description="Shipping label created",
        )
    ]

    def add(status_: ShipmentStatus, hours: float, description: str) -> None:
        nonlocal t
        t = min(t + timedelta(hours=hours), as_of - timedelta(minutes=5))
        events.append(
            ShipmentEvent(
                at=t, status=status_, location=rng.choice(cities), description=description
            )
        )

    eta = (placed_at + timedelta(days=transit_days)).replace(hour=18, minute=0, second=0)
    delivered_at = signed_by = photo_ref = None
    if status is not ShipmentStatus.LABEL_CREATED:
        add(ShipmentStatus.IN_TRANSIT, rng.uniform(6, 18), f"Picked up by {carrier}")
        add(ShipmentStatus.IN_TRANSIT, rng.uniform(10, 30), "Arrived at sorting facility")
    if status is ShipmentStatus.DELAYED:
        add(ShipmentStatus.DELAYED, rng.uniform(10, 30), "Delayed: weather disruption at hub")
        eta = max(eta, as_of) + timedelta(days=rng.randint(1, 4))
    elif status is ShipmentStatus.OUT_FOR_DELIVERY:
        add(ShipmentStatus.OUT_FOR_DELIVERY, rng.uniform(4, 12), "Out for delivery")
        eta = as_of.replace(hour=20, minute=0, second=0, microsecond=0)
    elif status in (
        ShipmentStatus.DELIVERED,
        ShipmentStatus.DELIVERED_DISPUTED,
        ShipmentStatus.RETURNED,
    ):
        add(ShipmentStatus.OUT_FOR_DELIVERY, rng.uniform(10, 24), "Out for delivery")
        add(ShipmentStatus.DELIVERED, rng.uniform(2, 8), "Delivered")
        delivered_at = t
        signed_by = rng.choice(_SIGNED_BY)
        photo_ref = f"pod://{carrier.lower().replace(' ', '-')}/{awb}.jpg"
        if status is ShipmentStatus.DELIVERED_DISPUTED:
            add(
                ShipmentStatus.DELIVERED_DISPUTED,
                rng.uniform(6, 30),
                "Customer reports parcel not received; carrier investigation opened",
            )
        if status is ShipmentStatus.RETURNED:
            add(ShipmentStatus.RETURNED, rng.uniform(48, 120), "Returned to sender")
    elif status is ShipmentStatus.LOST:
        add(ShipmentStatus.LOST, rng.uniform(96, 200), "Declared lost by carrier after trace")
    if status in (
        ShipmentStatus.DELIVERED,
        ShipmentStatus.DELIVERED_DISPUTED,
        ShipmentStatus.RETURNED,
        ShipmentStatus.LOST,
    ):
        eta = None if status is not ShipmentStatus.LOST else eta
    return ShipmentRecord(
        awb=awb,
        carrier=carrier,
        status=status,
        destination_region=region,
        eta=eta if status is not ShipmentStatus.LOST else None,
        delivered_at=delivered_at,
        signed_by=signed_by,
        photo_ref=photo_ref,
        timeline=events,
    )


def _history_refund(
    order: OrderRecord, rng: random.Random, risky: bool, unique: object
) -> RefundRecord | None:
    """Past refunds: rare for most customers, frequent for the risky few (fraud signal)."""
    assert callable(unique)
    delivered = [s for s in order.shipments if s.delivered_at is not None]
    if not delivered or rng.random() > (0.6 if risky else 0.06):
        return None
    total = sum((i.unit_price * i.quantity for i in order.items), Decimal("0"))
    reason = (
        ReasonCode.DELIVERY_DISPUTE
        if risky and rng.random() < 0.6
        else rng.choice((ReasonCode.WRONG_ITEM, ReasonCode.CUSTOMER_REQUEST))
    )
    amount = total if reason is ReasonCode.DELIVERY_DISPUTE else money(total * Decimal("0.5"))
    delivered_at = delivered[0].delivered_at
    assert delivered_at is not None
    created = min(delivered_at + timedelta(days=rng.randint(1, 5)), SEED_AS_OF - timedelta(hours=1))
    return RefundRecord(
        refund_id=unique("REF", 8),
        client_id=order.client_id,
        customer_id=order.customer_id,
        order_id=order.order_id,
        amount=amount,
        currency=order.currency,
        reason_code=reason,
        status=RefundStatus.APPROVED,
        decision_reason="auto_approved",
        created_at=created,
        settled_at=created,
    )
