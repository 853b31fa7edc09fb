"""Builds the negotiation scenario dev set (evals/data/scenarios_dev.jsonl).

    python -m evals.scenario_fixtures [--out evals/data/scenarios_dev.jsonl]

Each line is self-contained: a small platform in the documented import format
(`PlatformDataset`: one client with its rules and products, the customer, their orders and
history), the customer's messages, and what the platform must show afterwards. Deterministic:
re-running it writes the same file. All people and ids are invented.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
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
)

DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "scenarios_dev.jsonl"
AS_OF = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CLIENT = "acme_outdoor"
CUSTOMER = "CUS-700001"

PRODUCTS = {
    "SKU-1001-A": ("Trail Running Shoes", Category.FOOTWEAR, "89.99"),
    "SKU-1002-A": ("Wool Scarf", Category.APPAREL, "35.00"),
    "SKU-1003-A": ("Desk Lamp", Category.HOME, "45.50"),
    "SKU-1004-A": ("Noise Cancelling Headphones", Category.ELECTRONICS, "249.00"),
    "SKU-1005-A": ("Final Sale Sunglasses", Category.ACCESSORIES, "60.00"),
    "SKU-1006-A": ("Laptop Stand", Category.ACCESSORIES, "49.99"),
}


def _price(sku: str) -> float:
    return float(PRODUCTS[sku][2])


def _item(sku: str, quantity: int = 1) -> OrderItem:
    name, category, price = PRODUCTS[sku]
    return OrderItem(
        sku=sku, name=name, category=category, unit_price=Decimal(price), quantity=quantity
    )


def _shipment(n: int, status: ShipmentStatus, days_ago: int = 2) -> ShipmentRecord:
    delivered = status in (ShipmentStatus.DELIVERED, ShipmentStatus.DELIVERED_DISPUTED)
    at = AS_OF - timedelta(days=days_ago)
    return ShipmentRecord(
        awb=f"AWB-70000{n:05d}",
        carrier="UPS",
        status=status,
        destination_region=Region.US,
        eta=None if delivered else AS_OF + timedelta(days=2),
        delivered_at=at if delivered else None,
        signed_by="Front desk" if delivered else None,
        photo_ref=f"pod://ups/AWB-70000{n:05d}.jpg" if delivered else None,
    )


def order(
    n: int,
    status: ShipmentStatus,
    *skus: str,
    days_ago: int = 2,
    customer: str = CUSTOMER,
    shipments: list[ShipmentStatus] | None = None,
) -> OrderRecord:
    states = shipments or [status]
    return OrderRecord(
        order_id=oid(n),
        client_id=CLIENT,
        customer_id=customer,
        placed_at=AS_OF - timedelta(days=days_ago + 4),
        currency="USD",
        items=[_item(sku) for sku in skus],
        shipments=[_shipment(n * 10 + i, s, days_ago) for i, s in enumerate(states)],
    )


def oid(n: int) -> str:
    return f"ORD-70{n:05d}"


def fixture(
    *orders: OrderRecord,
    tier: Tier = Tier.GOLD,
    age_days: int = 900,
    refunds: list[RefundRecord] | None = None,
) -> PlatformDataset:
    return PlatformDataset(
        as_of=AS_OF,
        clients=[ClientRecord(client_id=CLIENT, name="Acme Outdoor", regions=[Region.US])],
        return_rules=[
            ReturnRuleRecord(
                client_id=CLIENT,
                region=Region.US,
                category=category,
                window_days=14 if category is Category.ELECTRONICS else 30,
                policy_code=f"ACME-US-{category.value.upper()}",
            )
            for category in Category
        ],
        sku_rules=[
            SkuRuleRecord(
                client_id=CLIENT,
                sku="SKU-1005-A",
                window_days=0,
                returnable=False,
                policy_code="ACME-FINAL-SALE",
            ),
            SkuRuleRecord(
                client_id=CLIENT, sku="SKU-1006-A", window_days=14, policy_code="ACME-SKU-1006"
            ),
        ],
        refund_rules=[
            RefundRuleRecord(
                client_id=CLIENT,
                auto_approve_limit={Tier.GOLD: 200, Tier.SILVER: 100, Tier.STANDARD: 50},
            )
        ],
        products=[
            ProductRecord(
                client_id=CLIENT, sku=sku, name=name, category=category, price=Decimal(price)
            )
            for sku, (name, category, price) in PRODUCTS.items()
        ],
        customers=[
            Customer(
                customer_id=CUSTOMER,
                client_id=CLIENT,
                name="Robin Example",
                email="robin@example.com",
                tier=tier,
                region=Region.US,
                created_at=AS_OF - timedelta(days=age_days),
            )
        ],
        orders=list(orders),
        refunds=refunds or [],
    )


def refund(order_id: str, amount: float, reason: str, status: str = "approved") -> dict[str, Any]:
    return {"order_id": order_id, "amount": amount, "reason_code": reason, "status": status}


def scenario(
    sid: str,
    data: PlatformDataset,
    turns: list[str],
    *,
    refunds: list[dict[str, Any]] | None = None,
    returns: list[dict[str, Any]] | None = None,
    notifications: int = 0,
    escalated: bool = False,
    must_mention: list[str] | None = None,
    calls: list[dict[str, Any]] | None = None,
    **options: Any,
) -> dict[str, Any]:
    expect: dict[str, Any] = {
        "refunds": refunds or [],
        "returns": returns or [],
        "notifications": notifications,
        "escalated": escalated,
        "must_mention": must_mention or [],
    }
    if calls is not None:
        expect["calls"] = calls
    return {
        "id": sid,
        "fixture": data.model_dump(mode="json"),
        "turns": turns,
        "expect": expect,
        **options,
    }


D, DD, T = ShipmentStatus.DELIVERED, ShipmentStatus.DELIVERED_DISPUTED, ShipmentStatus.IN_TRANSIT
LOST, LATE = ShipmentStatus.LOST, ShipmentStatus.DELAYED
SHOES, SCARF, LAMP, PHONES, FINAL, STAND = (f"SKU-100{i}-A" for i in range(1, 7))


def _high_risk() -> PlatformDataset:
    orders = [order(40 + i, D, STAND, days_ago=15 - i) for i in range(4)]
    history = [
        RefundRecord(
            refund_id=f"REF-70000{i}",
            client_id=CLIENT,
            customer_id=CUSTOMER,
            order_id=o.order_id,
            amount=Decimal("49.99"),
            currency="USD",
            reason_code=ReasonCode.DELIVERY_DISPUTE,
            status=RefundStatus.APPROVED,
            created_at=AS_OF - timedelta(days=10 - i),
            settled_at=AS_OF - timedelta(days=10 - i),
        )
        for i, o in enumerate(orders[1:])
    ]
    return fixture(*orders, tier=Tier.STANDARD, age_days=20, refunds=history)


def scenarios() -> list[dict[str, Any]]:
    one = oid(1)
    shoes = _price(SHOES)
    dispute = f"I want a refund for {one}, it never arrived"
    out = [
        # ---- the case study: disputed delivery, fraud check, yes, refund, notification
        *(
            scenario(
                f"happy-{i}",
                fixture(order(1, DD, SHOES)),
                [dispute, yes],
                refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
                notifications=1,
                must_mention=["approved", "REF-"],
            )
            for i, yes in enumerate(["yes", "Yes please", "go ahead", "y", "ok, do it"])
        ),
        scenario(
            "delivered-not-received",
            fixture(order(1, D, SHOES)),
            [f"{one} says delivered but I never got it", "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            must_mention=["delivery dispute", "approved"],
            intent="delivery_dispute",
        ),
        scenario(
            "lost-parcel",
            fixture(order(1, LOST, SCARF)),
            [f"my parcel {one} is lost, refund please", "yes"],
            refunds=[refund(one, 35.0, "DELIVERY_FAILED")],
            notifications=1,
            must_mention=["lost", "approved"],
        ),
        scenario(
            "delayed-parcel",
            fixture(order(1, LATE, LAMP)),
            [f"refund {one}, it still hasn't arrived", "confirm"],
            refunds=[refund(one, 45.5, "DELIVERY_FAILED")],
            notifications=1,
        ),
        scenario(
            "wrong-item",
            fixture(order(1, D, SHOES)),
            [f"you sent me the wrong item in {one}", "yes"],
            refunds=[refund(one, shoes, "WRONG_ITEM")],
            notifications=1,
            must_mention=["wrong item"],
        ),
        scenario(
            "partial-amount-in-request",
            fixture(order(1, D, SHOES)),
            [f"wrong item in {one}, please refund $20", "yes"],
            refunds=[refund(one, 20.0, "WRONG_ITEM")],
            notifications=1,
            must_mention=["$20.00"],
        ),
        scenario(
            "only-plausible-order",
            fixture(order(1, DD, SHOES), order(2, T, LAMP)),
            ["my parcel never arrived, I want my money back", "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
        ),
        scenario(
            "refund-without-reason-asks-why",
            fixture(order(1, D, SHOES)),
            [f"I want a refund for {one}", "it never arrived", "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            must_mention=["What would you like"],
        ),
        # ---- anything but an unambiguous yes writes nothing
        scenario(
            "no",
            fixture(order(1, DD, SHOES)),
            [dispute, "no"],
            must_mention=["won't make any changes"],
        ),
        scenario("no-thanks", fixture(order(1, DD, SHOES)), [dispute, "No thanks"]),
        scenario(
            "youre-wrong",
            fixture(order(1, DD, SHOES)),
            [dispute, "you're wrong", "no"],
            must_mention=["haven't changed anything"],
        ),
        scenario(
            "youre-wrong-then-yes",
            fixture(order(1, DD, SHOES)),
            [dispute, "you're wrong", "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
        ),
        scenario(
            "yeah-right-is-not-yes",
            fixture(order(1, DD, SHOES)),
            [dispute, "yeah right", "nope"],
        ),
        scenario(
            "changed-amount",
            fixture(order(1, DD, SHOES)),
            [dispute, "no, make it $10", "yes"],
            refunds=[refund(one, 10.0, "DELIVERY_DISPUTE")],
            notifications=1,
            must_mention=["$10.00"],
        ),
        scenario(
            "amount-above-refundable-is-capped",
            fixture(order(1, DD, SHOES)),
            [f"{one} never arrived, refund me $500", "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            must_mention=["most that can still be refunded"],
        ),
        scenario(
            "different-order-instead",
            fixture(order(1, DD, SHOES), order(2, DD, SCARF)),
            [dispute, f"no, I meant {oid(2)}", "yes"],
            refunds=[refund(oid(2), 35.0, "DELIVERY_DISPUTE")],
            notifications=1,
        ),
        scenario(
            "question-then-yes",
            fixture(order(1, DD, SHOES)),
            [dispute, "how long will it take?", "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            must_mention=["clear yes or no"],
        ),
        scenario(
            "hedge-then-no",
            fixture(order(1, DD, SHOES)),
            [dispute, "maybe", "never mind"],
        ),
        scenario(
            "duplicate-yes",
            fixture(order(1, DD, SHOES)),
            [dispute, "yes", "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            must_mention=["nothing waiting for your confirmation"],
        ),
        scenario(
            "replica-restart-before-yes",
            fixture(order(1, DD, SHOES)),
            [dispute, "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            restart_before=1,
        ),
        # ---- a person
        scenario(
            "asks-for-person",
            fixture(order(1, DD, SHOES)),
            ["I want to speak to a real person about my refund"],
            escalated=True,
            must_mention=["ticket"],
        ),
        scenario(
            "person-mid-proposal",
            fixture(order(1, DD, SHOES)),
            [dispute, "let me talk to a human"],
            escalated=True,
        ),
        scenario(
            "five-turns-unresolved",
            fixture(order(1, DD, SHOES)),
            [dispute, "hmm", "what?", "maybe", "not sure"],
            escalated=True,
        ),
        scenario(
            "high-fraud-risk",
            _high_risk(),
            [f"{oid(40)} never arrived, refund it"],
            escalated=True,
            must_mention=["nothing has been changed"],
        ),
        # ---- the rules decide
        scenario(
            "in-transit-dispute-declined",
            fixture(order(1, T, SHOES)),
            [f"refund {one}, it never arrived"],
            must_mention=["not been delivered yet"],
        ),
        scenario(
            "cancel-in-transit-undecidable",
            fixture(order(1, T, SHOES)),
            [f"I want a refund for {one}"],
            escalated=True,
        ),
        scenario(
            "mixed-shipments-undecidable",
            fixture(order(1, D, SHOES, LAMP, shipments=[D, LOST])),
            [f"{one} never arrived, refund please"],
            escalated=True,
        ),
        scenario(
            "already-refunded",
            fixture(
                order(1, DD, SHOES),
                # Earlier orders: one full refund is a small share of what they spent.
                *(order(80 + i, D, SHOES, days_ago=60 + i) for i in range(5)),
                refunds=[
                    RefundRecord(
                        refund_id="REF-7000101",
                        client_id=CLIENT,
                        customer_id=CUSTOMER,
                        order_id=one,
                        amount=Decimal("89.99"),
                        currency="USD",
                        reason_code=ReasonCode.DELIVERY_DISPUTE,
                        status=RefundStatus.APPROVED,
                        created_at=AS_OF - timedelta(days=1),
                        settled_at=AS_OF - timedelta(days=1),
                    )
                ],
            ),
            [dispute],
            # The earlier refund is named, never a second write.
            must_mention=["already been refunded", "REF-7000101"],
        ),
        scenario(
            "ambiguous-order-asks",
            fixture(order(1, DD, SHOES), order(2, DD, SCARF)),
            ["my parcel never arrived", oid(2), "yes"],
            refunds=[refund(oid(2), 35.0, "DELIVERY_DISPUTE")],
            notifications=1,
            must_mention=["Which order"],
        ),
        scenario(
            "someone-elses-order",
            fixture(order(1, DD, SHOES)),
            ["refund ORD-7099999, it never arrived", one, "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            must_mention=["can't find ORD-7099999"],
        ),
        # ---- returns
        scenario(
            "return-approved",
            fixture(order(1, D, SHOES, days_ago=5)),
            [f"I'd like to return {one}", "yes"],
            returns=[{"order_id": one, "skus": [SHOES]}],
            notifications=1,
            must_mention=["label"],
            intent="initiate_return",
        ),
        scenario(
            "return-partly-expired",
            fixture(order(1, D, SHOES, STAND, days_ago=20)),
            [f"return everything from {one}", "yes"],
            returns=[{"order_id": one, "skus": [SHOES]}],
            notifications=1,
            must_mention=["SKU-1006-A can't be returned"],
            intent="initiate_return",
        ),
        scenario(
            "return-window-ended",
            fixture(order(1, D, STAND, days_ago=20)),
            [f"I want to send back {one}"],
            must_mention=["return window has ended"],
            intent="initiate_return",
        ),
        scenario(
            "return-final-sale",
            fixture(order(1, D, FINAL, days_ago=3)),
            [f"return {one} please"],
            must_mention=["not returnable"],
            intent="initiate_return",
        ),
        scenario(
            "return-not-delivered",
            fixture(order(1, T, SHOES)),
            [f"I want to return {one}"],
            must_mention=["not been delivered yet"],
            intent="initiate_return",
        ),
        # ---- the platform misbehaves on the write
        scenario(
            "5xx-then-ok",
            fixture(order(1, DD, SHOES)),
            [dispute, "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            faults={"create_refund": {"fail_first": 2}},
        ),
        scenario(
            "5xx-persistent",
            fixture(order(1, DD, SHOES)),
            [dispute, "yes"],
            calls=[refund(one, shoes, "DELIVERY_DISPUTE")],
            escalated=True,
            must_mention=["did not go through"],
            faults={"create_refund": {"fail_first": 100}},
        ),
        scenario(
            "lost-response-once",
            fixture(order(1, DD, SHOES)),
            [dispute, "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            faults={"create_refund": {"lose_response_first": 1}},
        ),
        scenario(
            "lost-response-past-retries",
            fixture(order(1, DD, SHOES)),
            [dispute, "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            faults={"create_refund": {"lose_response_first": 4}},
        ),
        scenario(
            "response-never-arrives",
            fixture(order(1, DD, SHOES)),
            [dispute, "yes"],
            # Every response is lost, but the platform did refund once: the agent finds the
            # write by its idempotency key and reports what the platform shows.
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            notifications=1,
            must_mention=["approved"],
            faults={"create_refund": {"lose_response_first": 100}},
        ),
        scenario(
            "large-refund-pending",
            fixture(order(1, DD, PHONES)),
            [dispute, "yes"],
            refunds=[refund(one, 249.0, "DELIVERY_DISPUTE", "pending")],
            notifications=1,
            must_mention=["submitted", "notify you"],
        ),
        scenario(
            "pending-then-rejected",
            fixture(order(1, DD, SHOES)),
            [dispute, "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE", "rejected")],
            notifications=2,
            escalated=True,
            must_mention=["submitted"],
            faults={"create_refund": {"pending_then_reject": True, "settle_after_s": 1.5}},
            sweep_after_s=1.7,
        ),
        scenario(
            "rejected-on-read-back",
            fixture(order(1, DD, SHOES)),
            [dispute, "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE", "rejected")],
            escalated=True,
            must_mention=["did not approve"],
            faults={"create_refund": {"pending_then_reject": True, "settle_after_s": 0}},
        ),
        scenario(
            "notification-down",
            fixture(order(1, DD, SHOES)),
            [dispute, "yes"],
            refunds=[refund(one, shoes, "DELIVERY_DISPUTE")],
            must_mention=["approved"],
            faults={"create_notification": {"fail_first": 100}},
        ),
        scenario(
            "order-system-down",
            fixture(order(1, DD, SHOES)),
            [dispute],
            must_mention=["couldn't reach the order system"],
            faults={"get_order": {"fail_first": 100}},
        ),
    ]
    return [_labelled(row) for row in out]


# The first set's scenarios by category (the rest are happy paths): one template family.
CATEGORIES = {
    "question-then-yes": ("youre-wrong-then-yes", "question-then-yes", "duplicate-yes"),
    "question-then-no": (
        "no",
        "no-thanks",
        "youre-wrong",
        "yeah-right-is-not-yes",
        "hedge-then-no",
    ),
    "counter-offers": (
        "changed-amount",
        "amount-above-refundable-is-capped",
        "different-order-instead",
        "partial-amount-in-request",
    ),
    "fraud": ("high-fraud-risk",),
    "item without an order number": ("only-plausible-order", "ambiguous-order-asks"),
    "platform faults": (
        "5xx-then-ok",
        "5xx-persistent",
        "lost-response-once",
        "lost-response-past-retries",
        "response-never-arrives",
        "pending-then-rejected",
        "rejected-on-read-back",
        "notification-down",
        "order-system-down",
        "replica-restart-before-yes",
    ),
}


def _labelled(row: dict[str, Any]) -> dict[str, Any]:
    category = next((c for c, ids in CATEGORIES.items() if row["id"] in ids), "happy paths")
    expect = row["expect"]
    # Every scenario of this set asks for a refund or return (or a person): a proposal
    # that is then declined or refused was asked for.
    if not (expect["refunds"] or expect["returns"] or expect["escalated"]):
        expect["asks_for_write"] = True
    return {**row, "category": category, "voice": "template"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the negotiation scenario dev set")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    from evals.scenario_authoring import authored_scenarios

    rows = scenarios() + authored_scenarios()
    args.out.write_text(
        "".join(json.dumps(row, sort_keys=True, separators=(",", ":")) + "\n" for row in rows),
        encoding="utf-8",
    )
    print(f"wrote {len(rows)} scenarios to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
