"""Platform records for the negotiation tests, in the platform's import format.

Clean customers (old accounts, no refunds) each with one small disputed delivery: a refund of
it is approved at once, so every outcome other than "approved" comes from the conversation or
an injected fault. Plus a returner, a high-risk customer and an order still in transit.
Loaded once per test session through the admin import API; ids stay clear of the seed's.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from app.platform.client import CustomerRef
from app.platform.contract import (
    Category,
    ReasonCode,
    RefundStatus,
    Region,
    ShipmentStatus,
    Tier,
)
from app.platform.dataset import OrderRecord, PlatformDataset, RefundRecord, ShipmentRecord
from tests.special_cases import _customer, _delivered, _item

CLIENT = "globex"
CLEAN_COUNT = 200
CLEAN_PRICE = Decimal("49.99")

RETURNER = CustomerRef(CLIENT, "CUS-910001")
RETURN_ORDER = "ORD-9100001"  # SKU-9942-A (30-day window) and SKU-9942-B (14 days), 20 days ago
# The same order for the test that writes its return (RETURN_ORDER then stays unreturned).
RETURN_WRITER = CustomerRef(CLIENT, "CUS-910006")
RETURN_WRITER_ORDER = "ORD-9100002"
RISKY = CustomerRef(CLIENT, "CUS-910002")
RISKY_ORDER = "ORD-9100010"
WAITING = CustomerRef(CLIENT, "CUS-910003")
WAITING_ORDER = "ORD-9100020"  # in transit
# Several lines on one order: a partial refund (disputed parcel) and a partial return.
MIXED = CustomerRef(CLIENT, "CUS-910004")
MIXED_REFUND_ORDER = "ORD-9100030"  # helmet 39.99 + 2 bottles at 12.50, delivery disputed
MIXED_RETURN_ORDER = "ORD-9100031"  # slippers 29.99 + backpack 54.99, delivered 5 days ago
# The same order for a test that writes the return: proposals on MIXED_RETURN_ORDER stay
# possible for every other test (an item already returned is never proposed again).
MIXED_WRITER = CustomerRef(CLIENT, "CUS-910005")
MIXED_WRITER_ORDER = "ORD-9100032"


@dataclass(frozen=True)
class CleanOrder:
    who: CustomerRef
    order_id: str
    awb: str


def clean(n: int) -> CleanOrder:
    return CleanOrder(CustomerRef(CLIENT, f"CUS-92{n:04d}"), f"ORD-92{n:05d}", f"AWB-920000{n:04d}")


class CleanPool:
    """Hands each test its own clean order (tests that write never share one)."""

    def __init__(self) -> None:
        self._next = itertools.count()

    def take(self) -> CleanOrder:
        n = next(self._next)
        if n >= CLEAN_COUNT:
            raise LookupError("clean negotiation orders used up: raise CLEAN_COUNT")
        return clean(n)


def _disputed(awb: str, delivered_at: datetime) -> ShipmentRecord:
    shipment = _delivered(awb, delivered_at)
    return shipment.model_copy(update={"status": ShipmentStatus.DELIVERED_DISPUTED})


def negotiation_dataset(now: datetime) -> PlatformDataset:
    customers = []
    orders = []
    for n in range(CLEAN_COUNT):
        case = clean(n)
        customers.append(_customer(case.who, Tier.GOLD, Region.US, 800, now))
        orders.append(
            OrderRecord(
                order_id=case.order_id,
                client_id=CLIENT,
                customer_id=case.who.customer_id,
                placed_at=now - timedelta(days=6),
                currency="USD",
                items=[
                    _item(
                        "SKU-9942-A",
                        "ErgoLift Laptop Stand (Silver)",
                        Category.ACCESSORIES,
                        str(CLEAN_PRICE),
                    )
                ],
                shipments=[_disputed(case.awb, now - timedelta(days=2))],
            )
        )
    customers += [
        _customer(RETURNER, Tier.GOLD, Region.US, 800, now),
        _customer(RISKY, Tier.STANDARD, Region.US, 25, now),
        _customer(WAITING, Tier.GOLD, Region.US, 800, now),
    ]
    orders.append(
        OrderRecord(
            order_id=RETURN_ORDER,
            client_id=CLIENT,
            customer_id=RETURNER.customer_id,
            placed_at=now - timedelta(days=24),
            currency="USD",
            items=[
                _item(
                    "SKU-9942-A", "ErgoLift Laptop Stand (Silver)", Category.ACCESSORIES, "49.99"
                ),
                _item(
                    "SKU-9942-B",
                    "ErgoLift Laptop Stand (Space Grey)",
                    Category.ACCESSORIES,
                    "54.99",
                ),
            ],
            shipments=[_delivered("AWB-9100000001", now - timedelta(days=20))],
        )
    )
    customers.append(_customer(RETURN_WRITER, Tier.GOLD, Region.US, 800, now))
    orders.append(
        orders[-1].model_copy(
            update={
                "order_id": RETURN_WRITER_ORDER,
                "customer_id": RETURN_WRITER.customer_id,
                "shipments": [_delivered("AWB-9100000002", now - timedelta(days=20))],
            }
        )
    )
    risky_orders = [
        OrderRecord(
            order_id=f"ORD-91000{10 + i}",
            client_id=CLIENT,
            customer_id=RISKY.customer_id,
            placed_at=now - timedelta(days=20 - i),
            currency="USD",
            items=[
                _item("SKU-9942-A", "ErgoLift Laptop Stand (Silver)", Category.ACCESSORIES, "49.99")
            ],
            shipments=[_delivered(f"AWB-91000000{10 + i}", now - timedelta(days=15 - i))],
        )
        for i in range(4)
    ]
    orders += risky_orders
    waiting = _delivered("AWB-9100000020", now)
    orders.append(
        OrderRecord(
            order_id=WAITING_ORDER,
            client_id=CLIENT,
            customer_id=WAITING.customer_id,
            placed_at=now - timedelta(days=1),
            currency="USD",
            items=[
                _item("SKU-9942-A", "ErgoLift Laptop Stand (Silver)", Category.ACCESSORIES, "49.99")
            ],
            shipments=[
                waiting.model_copy(
                    update={
                        "status": ShipmentStatus.IN_TRANSIT,
                        "delivered_at": None,
                        "signed_by": None,
                        "photo_ref": None,
                        "timeline": [],
                        "eta": now + timedelta(days=2),
                    }
                )
            ],
        )
    )
    customers.append(_customer(MIXED, Tier.GOLD, Region.US, 800, now))
    bottles = _item("SKU-9942-B", "Insulated Water Bottle", Category.ACCESSORIES, "12.50")
    orders += [
        OrderRecord(
            order_id=MIXED_REFUND_ORDER,
            client_id=CLIENT,
            customer_id=MIXED.customer_id,
            placed_at=now - timedelta(days=6),
            currency="USD",
            items=[
                _item("SKU-9942-A", "Commuter Bike Helmet", Category.ACCESSORIES, "39.99"),
                bottles.model_copy(update={"quantity": 2}),
            ],
            shipments=[_disputed("AWB-9100000030", now - timedelta(days=2))],
        ),
        OrderRecord(
            order_id=MIXED_RETURN_ORDER,
            client_id=CLIENT,
            customer_id=MIXED.customer_id,
            placed_at=now - timedelta(days=9),
            currency="USD",
            items=[
                _item("SKU-9942-A", "Fleece Slippers", Category.ACCESSORIES, "29.99"),
                _item("SKU-9942-B", "Hiking Backpack", Category.ACCESSORIES, "54.99"),
            ],
            shipments=[_delivered("AWB-9100000031", now - timedelta(days=5))],
        ),
    ]
    customers.append(_customer(MIXED_WRITER, Tier.GOLD, Region.US, 800, now))
    orders.append(
        orders[-1].model_copy(
            update={
                "order_id": MIXED_WRITER_ORDER,
                "customer_id": MIXED_WRITER.customer_id,
                "shipments": [_delivered("AWB-9100000032", now - timedelta(days=5))],
            }
        )
    )
    return PlatformDataset(
        as_of=now,
        customers=customers,
        orders=orders,
        refunds=[
            RefundRecord(
                refund_id=f"REF-91000{i}",
                client_id=CLIENT,
                customer_id=RISKY.customer_id,
                order_id=order.order_id,
                amount=Decimal("49.99"),
                currency="USD",
                reason_code=ReasonCode.DELIVERY_DISPUTE,
                status=RefundStatus.APPROVED,
                created_at=now - timedelta(days=10 - i),
                settled_at=now - timedelta(days=10 - i),
            )
            for i, order in enumerate(risky_orders[1:])
        ],
    )
