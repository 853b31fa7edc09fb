"""The tracking fast path: target resolution, templates, and answers from a real platform server."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import (
    DeliveryPhoto,
    Eta,
    FaultSpec,
    OrderSummary,
    Region,
    Shipment,
    ShipmentBrief,
    ShipmentEvent,
    ShipmentStatus,
)
from app.routing.fast_path import try_fast_path
from app.routing.intents import Intent
from app.routing.order_resolution import resolve_shipment
from app.routing.tracking_replies import render_eta, render_photo, render_status
from app.tools import AgentTier, CustomerContext, ToolContext, ToolExecutor, ToolSuccess
from app.tools.executor import ExecutorSettings
from tests.fixtures import SeedIndex

NOW = datetime(2025, 3, 10, 14, 30, tzinfo=UTC)
FAST = ExecutorSettings(read_timeout_s=1.0, read_attempts=3, backoff_initial_s=0.01)


# ---------------------------------------------------------------- target resolution (no server)


def order(order_id: str, *shipments: tuple[str, ShipmentStatus], items: list[str]) -> OrderSummary:
    return OrderSummary(
        order_id=order_id,
        placed_at=NOW,
        total=Decimal("10.00"),
        currency="GBP",
        item_names=items,
        shipments=[ShipmentBrief(awb=awb, status=status) for awb, status in shipments],
    )


HEADPHONES = order(
    "ORD-1000001",
    ("AWB-1000000001", ShipmentStatus.IN_TRANSIT),
    items=["Noise-Cancelling Headphones"],
)
SHOES = order(
    "ORD-1000002",
    ("AWB-1000000002", ShipmentStatus.DELIVERED),
    items=["Trail Running Shoes", "Hand Cream Set"],
)
BOOTS_AND_SHOES = order(
    "ORD-1000003",
    ("AWB-1000000003", ShipmentStatus.DELAYED),
    items=["Road Running Shoes", "Track Pants"],
)
SPLIT = order(
    "ORD-1000004",
    ("AWB-1000000004", ShipmentStatus.IN_TRANSIT),
    ("AWB-1000000005", ShipmentStatus.DELIVERED),
    items=["Table Lamp"],
)


@pytest.mark.parametrize(
    ("message", "orders", "expected"),
    [
        ("where is AWB-1000000002?", [HEADPHONES, SHOES], "AWB-1000000002"),
        ("status of awb-1000000002 please", [HEADPHONES, SHOES], "AWB-1000000002"),
        ("what about ORD-1000001", [HEADPHONES, SHOES], "AWB-1000000001"),
        ("ORD-1000002 / AWB-1000000002", [HEADPHONES, SHOES], "AWB-1000000002"),
        ("where are my headphones?", [HEADPHONES, SHOES], "AWB-1000000001"),
        ("has the hand cream arrived", [HEADPHONES, SHOES], "AWB-1000000002"),
        ("where are my trail running shoes", [SHOES, BOOTS_AND_SHOES], "AWB-1000000002"),
        ("where's my order", [HEADPHONES], "AWB-1000000001"),
        ("the lamp, the delivered part", [SPLIT], None),  # two shipments: not certain
        ("where is AWB-1000000005", [SPLIT], "AWB-1000000005"),
        ("where's my order", [HEADPHONES, SHOES], None),
        ("where are my shoes", [SHOES, BOOTS_AND_SHOES], None),
        ("can you track my parcel", [HEADPHONES, BOOTS_AND_SHOES], None),  # "Track Pants"
        ("where is AWB-9999999999", [HEADPHONES], None),  # not theirs, even with one order
        ("where is ORD-9999999", [HEADPHONES], None),
        ("AWB-1000000001 and AWB-1000000002", [HEADPHONES, SHOES], None),
        ("ORD-1000001 with AWB-1000000002", [HEADPHONES, SHOES], None),
        ("where's my order", [], None),
    ],
)
def test_a_message_resolves_to_one_certain_shipment(
    message: str, orders: list[OrderSummary], expected: str | None
) -> None:
    target = resolve_shipment(message, orders)
    assert (target.awb if target else None) == expected


def test_a_photo_question_only_considers_delivered_shipments() -> None:
    orders = [HEADPHONES, SHOES]
    assert resolve_shipment("can I see the photo?", orders) is None
    target = resolve_shipment("can I see the photo?", orders, delivered_only=True)
    assert target is not None and target.awb == "AWB-1000000002"


# ---------------------------------------------------------------- templates (no server)


def shipment(status: ShipmentStatus, **fields: object) -> Shipment:
    return Shipment.model_validate(
        {
            "awb": "AWB-1000000001",
            "order_id": "ORD-1000001",
            "carrier": "Parcelio",
            "status": status,
            "destination_region": "UK",
            "timeline": [
                ShipmentEvent(
                    at=NOW - timedelta(hours=3),
                    status=status,
                    location="Leeds hub",
                    description="Arrived at sorting facility",
                )
            ],
            **fields,
        }
    )


STATUS_WORDS = {
    ShipmentStatus.LABEL_CREATED: "waiting to be collected",
    ShipmentStatus.IN_TRANSIT: "is on its way with Parcelio",
    ShipmentStatus.OUT_FOR_DELIVERY: "is out for delivery with Parcelio",
    ShipmentStatus.DELAYED: "is delayed",
    ShipmentStatus.DELIVERED: "was marked as delivered",
    ShipmentStatus.DELIVERED_DISPUTED: "a delivery dispute is open",
    ShipmentStatus.LOST: "declared lost by Parcelio",
    ShipmentStatus.RETURNED: "returned to the sender",
}


@pytest.mark.parametrize("status", list(ShipmentStatus))
def test_every_status_has_its_own_wording_and_no_invented_fields(status: ShipmentStatus) -> None:
    text = render_status(shipment(status), "ORD-1000001", Region.UK)
    assert STATUS_WORDS[status] in text
    assert "ORD-1000001" in text and "AWB-1000000001" in text
    assert "None" not in text and "signed for" not in text  # nothing that was not given


def test_status_times_are_in_the_customers_local_time() -> None:
    delivered = shipment(ShipmentStatus.DELIVERED, delivered_at=NOW, signed_by="Front desk")
    assert "Mon 10 Mar 2025, 14:30 GMT, signed for by Front desk" in render_status(
        delivered, "ORD-1000001", Region.UK
    )
    assert "10:30 EDT" in render_status(delivered, "ORD-1000001", Region.US)
    delayed = shipment(ShipmentStatus.DELAYED, eta=NOW + timedelta(days=2))
    text = render_status(delayed, "ORD-1000001", Region.EU)
    assert "new estimate is Wed 12 Mar 2025, 15:30 CET" in text
    assert "colleague" in text  # a next step the agent can actually take


def test_eta_and_photo_answers_use_the_platform_fields() -> None:
    eta = Eta(
        awb="AWB-1000000001",
        status=ShipmentStatus.IN_TRANSIT,
        region=Region.US,
        timezone="America/New_York",
        eta=NOW,
        eta_local="Mon 10 Mar 2025, 10:30 EDT",
    )
    assert "expected to arrive by Mon 10 Mar 2025, 10:30 EDT" in render_eta(eta, "ORD-1000001")
    no_eta = eta.model_copy(update={"eta": None, "eta_local": None})
    assert "no delivery estimate" in render_eta(no_eta, "ORD-1000001")
    delivered = eta.model_copy(
        update={"status": ShipmentStatus.DELIVERED_DISPUTED, "eta": None, "delivered_at": NOW}
    )
    assert "a delivery dispute is open" in render_eta(delivered, "ORD-1000001")
    returned = delivered.model_copy(update={"status": ShipmentStatus.RETURNED})
    assert "returned to the sender" in render_eta(returned, "ORD-1000001")
    photo = DeliveryPhoto(
        awb="AWB-1000000001", photo_ref="pod://x/AWB-1000000001.jpg", taken_at=NOW
    )
    text = render_photo(photo, "ORD-1000001", Region.UK)
    assert "pod://x/AWB-1000000001.jpg" in text and "signed" not in text


# ---------------------------------------------------------------- against the platform server


@pytest.fixture
def executor() -> ToolExecutor:
    return ToolExecutor(FAST)


def tool_ctx(who: CustomerRef, platform: PlatformClient) -> ToolContext:
    return ToolContext(who=who, session_id=f"sess-{uuid.uuid4().hex[:12]}", platform=platform)


async def hydrate(
    executor: ToolExecutor, platform: PlatformClient, who: CustomerRef
) -> CustomerContext:
    result = await executor.execute(
        tool_ctx(who, platform), AgentTier.SYSTEM, "get_customer_context", {}
    )
    assert isinstance(result, ToolSuccess)
    assert isinstance(result.output, CustomerContext)
    return result.output


async def find_customer(
    seed: SeedIndex,
    executor: ToolExecutor,
    platform: PlatformClient,
    wanted: Callable[[CustomerContext], bool],
) -> tuple[CustomerRef, CustomerContext]:
    """The first seed customer whose hydrated context is what the test needs."""
    for customer in seed.dataset.customers:
        who = CustomerRef(customer.client_id, customer.customer_id)
        context = await hydrate(executor, platform, who)
        if wanted(context):
            return who, context
    raise LookupError("no seed customer with such active orders")


def single_shipment_in(status: ShipmentStatus) -> Callable[[CustomerContext], bool]:
    def wanted(context: CustomerContext) -> bool:
        return any(
            len(o.shipments) == 1 and o.shipments[0].status is status for o in context.active_orders
        )

    return wanted


def only_order_is(*statuses: ShipmentStatus) -> Callable[[CustomerContext], bool]:
    def wanted(context: CustomerContext) -> bool:
        orders = context.active_orders
        return (
            len(orders) == 1
            and len(orders[0].shipments) == 1
            and orders[0].shipments[0].status in statuses
        )

    return wanted


@pytest.mark.parametrize(
    "status",
    [
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.DELAYED,
        ShipmentStatus.LOST,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.DELIVERED_DISPUTED,
    ],
)
async def test_a_status_question_with_the_awb_is_answered_from_the_platform(
    seed: SeedIndex, platform: PlatformClient, executor: ToolExecutor, status: ShipmentStatus
) -> None:
    who, context = await find_customer(seed, executor, platform, single_shipment_in(status))
    target = next(
        o
        for o in context.active_orders
        if o.shipments[0].status is status and len(o.shipments) == 1
    )
    awb = target.shipments[0].awb

    answer = await try_fast_path(
        Intent.ORDER_STATUS,
        f"hi, where is my parcel {awb}?",
        context,
        executor,
        tool_ctx(who, platform),
    )

    assert answer is not None
    truth = await platform.get_shipment(who, awb)
    assert (answer.order_id, answer.awb) == (target.order_id, awb)
    assert answer.text == render_status(truth, target.order_id, context.region)
    assert STATUS_WORDS[status].replace("Parcelio", truth.carrier) in answer.text
    assert answer.tool_calls == [
        {"name": "get_order_status", "arguments": {"awb": awb}, "ok": True}
    ]


async def test_an_eta_question_about_the_only_active_order(
    seed: SeedIndex, platform: PlatformClient, executor: ToolExecutor
) -> None:
    in_flight = (ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELAYED, ShipmentStatus.OUT_FOR_DELIVERY)
    who, context = await find_customer(seed, executor, platform, only_order_is(*in_flight))
    only = context.active_orders[0]

    answer = await try_fast_path(
        Intent.ETA, "when will it get here?", context, executor, tool_ctx(who, platform)
    )

    assert answer is not None
    truth = await platform.get_eta(who, only.shipments[0].awb, context.region)
    assert truth.eta_local is not None and truth.eta_local in answer.text
    assert answer.order_id == only.order_id
    assert answer.tool_calls[0]["arguments"] == {
        "awb": only.shipments[0].awb,
        "region": context.region.value,
    }


async def test_a_delivery_photo_answer_carries_the_photo_reference(
    seed: SeedIndex, platform: PlatformClient, executor: ToolExecutor
) -> None:
    who, context = await find_customer(
        seed, executor, platform, single_shipment_in(ShipmentStatus.DELIVERED)
    )
    delivered = next(
        o
        for o in context.active_orders
        if len(o.shipments) == 1 and o.shipments[0].status is ShipmentStatus.DELIVERED
    )
    awb = delivered.shipments[0].awb

    answer = await try_fast_path(
        Intent.DELIVERY_PHOTO,
        f"can I see the delivery photo for {awb}",
        context,
        executor,
        tool_ctx(who, platform),
    )

    assert answer is not None
    photo = await platform.get_delivery_photo(who, awb)
    assert photo.photo_ref in answer.text
    if photo.signed_by:
        assert f"signed for by {photo.signed_by}" in answer.text


async def test_an_ambiguous_question_is_left_to_the_tracking_worker(
    seed: SeedIndex, platform: PlatformClient, executor: ToolExecutor
) -> None:
    who, context = await find_customer(
        seed, executor, platform, lambda c: len(c.active_orders) >= 2
    )
    for intent in (Intent.ORDER_STATUS, Intent.ETA):
        answer = await try_fast_path(
            intent, "where is my order?", context, executor, tool_ctx(who, platform)
        )
        assert answer is None


async def test_another_customers_awb_gets_no_answer(
    seed: SeedIndex, platform: PlatformClient, executor: ToolExecutor
) -> None:
    # A customer with a single active order: the id must not fall back to "the only order".
    who, context = await find_customer(seed, executor, platform, only_order_is(*ShipmentStatus))
    other = next(
        o
        for o in seed.dataset.orders
        if o.customer_id != who.customer_id and o.client_id == who.client_id
    )

    answer = await try_fast_path(
        Intent.ORDER_STATUS,
        f"where is {other.shipments[0].awb}?",
        context,
        executor,
        tool_ctx(who, platform),
    )

    assert answer is None


async def test_a_tool_failure_gives_no_answer(
    seed: SeedIndex, platform: PlatformClient, executor: ToolExecutor
) -> None:
    who, context = await find_customer(seed, executor, platform, only_order_is(*ShipmentStatus))
    await platform.set_fault("get_shipment", FaultSpec(fail_first=10))

    answer = await try_fast_path(
        Intent.ORDER_STATUS, "where's my parcel?", context, executor, tool_ctx(who, platform)
    )

    assert answer is None


async def test_other_intents_never_take_the_fast_path(
    seed: SeedIndex, platform: PlatformClient, executor: ToolExecutor
) -> None:
    who, context = await find_customer(seed, executor, platform, only_order_is(*ShipmentStatus))
    for intent in set(Intent) - {Intent.ORDER_STATUS, Intent.ETA, Intent.DELIVERY_PHOTO}:
        assert (
            await try_fast_path(intent, "where is it?", context, executor, tool_ctx(who, platform))
            is None
        )
