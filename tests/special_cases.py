"""Hand-built platform records for rules the random seed may not exercise, loaded through the
admin import API (the documented import format)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from app.platform.client import CustomerRef
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
from app.platform.dataset import OrderRecord, PlatformDataset, RefundRecord, ShipmentRecord

LOOKALIKE = CustomerRef("globex", "CUS-900001")  # bought SKU-9942-A and -B 20 days ago
FINAL_SALE = CustomerRef("northwind", "CUS-900002")  # bought a final-sale scarf 2 days ago
HIGH_RISK = CustomerRef("globex", "CUS-900003")  # new account, repeated disputed refunds

LOOKALIKE_ORDER = "ORD-9000001"
FINAL_SALE_ORDER = "ORD-9000002"
HIGH_RISK_ORDER = "ORD-9000010"


def _customer(
    ref: CustomerRef, tier: Tier, region: Region, age_days: int, now: datetime
) -> Customer:
    return Customer(
        customer_id=ref.customer_id,
        client_id=ref.client_id,
        name="Test Person",
        email=f"{ref.customer_id.lower()}@example.com",
        tier=tier,
        region=region,
        created_at=now - timedelta(days=age_days),
    )


def _delivered(awb: str, delivered_at: datetime) -> ShipmentRecord:
    return ShipmentRecord(
        awb=awb,
        carrier="UPS",
        status=ShipmentStatus.DELIVERED,
        destination_region=Region.US,
        delivered_at=delivered_at,
        signed_by="Front desk",
        photo_ref=f"pod://ups/{awb}.jpg",
        timeline=[
            ShipmentEvent(
                at=delivered_at,
                status=ShipmentStatus.DELIVERED,
                location="Denver CO depot",
                description="Delivered",
            )
        ],
    )


def _item(sku: str, name: str, category: Category, price: str) -> OrderItem:
    return OrderItem(sku=sku, name=name, category=category, unit_price=Decimal(price), quantity=1)


def special_cases(now: datetime) -> PlatformDataset:
    high_risk_orders = [
        OrderRecord(
            order_id=f"ORD-90000{10 + i}",
            client_id="globex",
            customer_id=HIGH_RISK.customer_id,
            placed_at=now - timedelta(days=20 - i),
            currency="USD",
            items=[
                _item("SKU-9942-A", "ErgoLift Laptop Stand (Silver)", Category.ACCESSORIES, "49.99")
            ],
            shipments=[_delivered(f"AWB-90000000{10 + i}", now - timedelta(days=15 - i))],
        )
        for i in range(4)
    ]
    return PlatformDataset(
        as_of=now,
        customers=[
            _customer(LOOKALIKE, Tier.GOLD, Region.US, 800, now),
            _customer(FINAL_SALE, Tier.STANDARD, Region.US, 800, now),
            _customer(HIGH_RISK, Tier.STANDARD, Region.US, 25, now),
        ],
        orders=[
            OrderRecord(
                order_id=LOOKALIKE_ORDER,
                client_id="globex",
                customer_id=LOOKALIKE.customer_id,
                placed_at=now - timedelta(days=24),
                currency="USD",
                items=[
                    _item(
                        "SKU-9942-A",
                        "ErgoLift Laptop Stand (Silver)",
                        Category.ACCESSORIES,
                        "49.99",
                    ),
                    _item(
                        "SKU-9942-B",
                        "ErgoLift Laptop Stand (Space Grey)",
                        Category.ACCESSORIES,
                        "54.99",
                    ),
                ],
                shipments=[_delivered("AWB-9000000001", now - timedelta(days=20))],
            ),
            OrderRecord(
                order_id=FINAL_SALE_ORDER,
                client_id="northwind",
                customer_id=FINAL_SALE.customer_id,
                placed_at=now - timedelta(days=5),
                currency="USD",
                items=[
                    _item("SKU-5100-C", "Final Sale Cashmere Scarf", Category.ACCESSORIES, "89.00")
                ],
                shipments=[_delivered("AWB-9000000002", now - timedelta(days=2))],
            ),
            *high_risk_orders,
        ],
        refunds=[
            RefundRecord(
                refund_id=f"REF-9000000{i}",
                client_id="globex",
                customer_id=HIGH_RISK.customer_id,
                order_id=order.order_id,
                amount=Decimal("49.99"),
                currency="USD",
                reason_code=ReasonCode.DELIVERY_DISPUTE,
                status=RefundStatus.APPROVED,
                created_at=now - timedelta(days=10 - i),
                settled_at=now - timedelta(days=10 - i),
            )
            for i, order in enumerate(high_risk_orders[1:])
        ],
    )
