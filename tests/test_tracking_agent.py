"""The Tracking worker's harder cases against the real platform service, without a model:
an order in several parcels, an ambiguous question answered by the customer's pick from our
list, a reply that still picks nothing (overview, not a second question), and follow-ups that
must not latch onto an id from our own listing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from app.agents.base import WorkerDeps
from app.agents.events import ChatEvent, EventType
from app.agents.tracking import CLARIFY_DECISION, TrackingAgent, _ids_newest_first, names_nothing
from app.agents.worker import WorkerRequest
from app.platform.client import CustomerRef, PlatformClient
from app.platform.contract import FaultSpec, OrderSummary, ShipmentStatus
from app.routing.order_resolution import choose_candidate
from app.routing.tracking_replies import render_status
from app.tools import AgentTier, CustomerContext, ToolContext, ToolExecutor, ToolSuccess
from app.tools.executor import ExecutorSettings
from tests.fixtures import SeedIndex

FAST = ExecutorSettings(read_timeout_s=1.0, read_attempts=2, backoff_initial_s=0.01)


async def hydrate(platform: PlatformClient, who: CustomerRef) -> CustomerContext:
    ctx = ToolContext(who=who, session_id="sess-hydrate", platform=platform)
    result = await ToolExecutor(FAST).execute(ctx, AgentTier.SYSTEM, "get_customer_context", {})
    assert isinstance(result, ToolSuccess) and isinstance(result.output, CustomerContext)
    return result.output


async def find(
    seed: SeedIndex, platform: PlatformClient, wanted: Callable[[CustomerContext], bool]
) -> tuple[CustomerRef, CustomerContext]:
    for customer in seed.dataset.customers:
        who = CustomerRef(customer.client_id, customer.customer_id)
        context = await hydrate(platform, who)
        if wanted(context):
            return who, context
    raise LookupError("no seed customer fits")


def has_split_order(context: CustomerContext) -> bool:
    return any(len(o.shipments) > 1 for o in context.active_orders)


def several_orders(context: CustomerContext) -> bool:
    orders = context.active_orders
    names = [n.lower() for o in orders for n in o.item_names]
    # Distinct item names, so a pick by name is unambiguous.
    return 3 <= len(orders) <= 5 and len(names) == len(set(names))


def request(
    who: CustomerRef,
    context: CustomerContext,
    message: str,
    intent: str = "order_status",
    history: list[dict[str, Any]] | None = None,
) -> WorkerRequest:
    return WorkerRequest(
        client_id=who.client_id,
        customer_id=who.customer_id,
        session_id=f"sess-{uuid.uuid4().hex[:12]}",
        message=message,
        intent=intent,
        confidence=0.9,
        context=context,
        history=history or [],
    )


async def run(agent: TrackingAgent, req: WorkerRequest) -> list[ChatEvent]:
    events: AsyncIterator[ChatEvent] = agent.handle(req)
    return [event async for event in events]


def text_of(events: list[ChatEvent]) -> str:
    return "".join(str(e.data.get("text", "")) for e in events if e.type is EventType.TOKEN)


def decisions_of(events: list[ChatEvent]) -> list[str]:
    return [f"tracking: {e.data['text']}" for e in events if e.type is EventType.DECISION]


def tools_of(events: list[ChatEvent]) -> list[tuple[str, bool]]:
    return [(str(e.data["name"]), bool(e.data["ok"])) for e in events if e.type is EventType.TOOL]


@pytest.fixture
def agent(platform: PlatformClient) -> TrackingAgent:
    return TrackingAgent(WorkerDeps(platform=platform, executor=ToolExecutor(FAST)))


# ---------------------------------------------------------------- the customer's pick (no server)


def summary(order_id: str, *items: str) -> OrderSummary:
    return OrderSummary.model_validate(
        {
            "order_id": order_id,
            "placed_at": "2026-11-01T10:00:00Z",
            "total": "10.00",
            "currency": "USD",
            "item_names": list(items),
            "shipments": [],
        }
    )


LISTED = [
    summary("ORD-1000003", "Desk Lamp"),
    summary("ORD-1000002", "Trail Running Shoes"),
    summary("ORD-1000001", "Wool Scarf"),
]
IDS = [o.order_id for o in LISTED]


@pytest.mark.parametrize(
    ("reply", "picked"),
    [
        ("the second one", "ORD-1000002"),
        ("2", "ORD-1000002"),
        ("number 3 please", "ORD-1000001"),
        ("the shoes", "ORD-1000002"),
        ("the most recent", "ORD-1000003"),
        ("the oldest one", "ORD-1000001"),
        ("ORD-1000001", "ORD-1000001"),
        ("the first or the second", None),  # two picks: not a pick
        ("the one with the kettle", None),  # nothing listed matches
        ("ORD-1000009", None),  # not in the list
        ("whatever", None),
    ],
)
def test_the_customers_pick_from_our_list(reply: str, picked: str | None) -> None:
    assert choose_candidate(reply, IDS, LISTED) == picked


@pytest.mark.parametrize(
    ("message", "generic"),
    [
        ("where is my order?", True),
        ("hey, any news about my delivery?", True),
        ("When will my parcel arrive??", True),
        ("where is ORD-1000001?", False),
        ("any news about the lamp?", False),
        ("the order for my sister's birthday, where is it?", False),
    ],
)
def test_a_question_that_names_no_order_is_told_apart(message: str, generic: bool) -> None:
    assert names_nothing(message) is generic


def test_our_own_listing_is_never_taken_as_the_order_in_focus() -> None:
    history = [
        {"role": "user", "text": "where is ORD-1000001?"},
        {"role": "assistant", "text": "Your order ORD-1000001 (tracking AWB-1000000001) is ..."},
        {"role": "user", "text": "and my other orders?"},
        {
            "role": "assistant",
            "text": "Which order do you mean?\n1. ORD-1000003 ...\n2. ORD-1000002",
        },
    ]
    assert _ids_newest_first(history)[:2] == ["AWB-1000000001", "ORD-1000001"]


# ---------------------------------------------------------------- against the platform server


async def test_an_order_in_several_parcels_gets_every_parcel_from_its_own_read(
    seed: SeedIndex, platform: PlatformClient, agent: TrackingAgent
) -> None:
    who, context = await find(seed, platform, has_split_order)
    split = next(o for o in context.active_orders if len(o.shipments) > 1)

    events = await run(agent, request(who, context, f"where is {split.order_id}?"))

    text = text_of(events)
    assert f"Order {split.order_id} ships in {len(split.shipments)} parcels." in text
    for brief in split.shipments:
        truth = await platform.get_shipment(who, brief.awb)
        assert render_status(truth, split.order_id, context.region) in text
    assert tools_of(events) == [("get_order_status", True)] * len(split.shipments)


async def test_a_parcel_whose_read_fails_is_said_to_be_unavailable(
    seed: SeedIndex, platform: PlatformClient, agent: TrackingAgent
) -> None:
    who, context = await find(seed, platform, has_split_order)
    split = next(o for o in context.active_orders if len(o.shipments) > 1)
    await platform.set_fault("get_shipment", FaultSpec(error_rate=1.0))

    text = text_of(await run(agent, request(who, context, f"where is {split.order_id}?")))

    for brief in split.shipments:
        assert f"I couldn't load the tracking for {brief.awb} just now." in text
    assert "ships in" in text and "delivered" not in text.lower()


async def test_an_ambiguous_question_then_the_customers_pick(
    seed: SeedIndex, platform: PlatformClient, agent: TrackingAgent
) -> None:
    who, context = await find(seed, platform, several_orders)

    first = await run(agent, request(who, context, "where is my stuff?"))
    question = text_of(first)
    assert question.startswith("Which order do you mean?")
    (decision,) = decisions_of(first)
    listed = [o.order_id for o in context.active_orders]
    assert decision == f"tracking: {CLARIFY_DECISION}: {' '.join(listed)}"
    assert tools_of(first) == []  # asking costs no tool call

    history = [
        {"role": "user", "text": "where is my stuff?"},
        {"role": "assistant", "text": question, "decisions": [decision]},
    ]
    second = await run(agent, request(who, context, "the second one", history=history))

    chosen = context.active_orders[1]
    text = text_of(second)
    assert chosen.order_id in text
    assert all(o.order_id not in text for o in context.active_orders if o is not chosen)
    assert decisions_of(second) == [f"tracking: customer picked {chosen.order_id}"]
    truth = await platform.get_shipment(who, chosen.shipments[0].awb)
    assert render_status(truth, chosen.order_id, context.region) in text


async def test_a_reply_that_picks_nothing_gets_the_overview_not_a_second_question(
    seed: SeedIndex, platform: PlatformClient, agent: TrackingAgent
) -> None:
    who, context = await find(seed, platform, several_orders)
    question = text_of(await run(agent, request(who, context, "where's my order")))
    listed = " ".join(o.order_id for o in context.active_orders)
    history = [
        {"role": "user", "text": "where's my order"},
        {
            "role": "assistant",
            "text": question,
            "decisions": [f"tracking: {CLARIFY_DECISION}: {listed}"],
        },
    ]

    events = await run(agent, request(who, context, "not sure, all of them?", history=history))

    text = text_of(events)
    assert text.startswith("Here is where each of your active orders stands:")
    assert "Which order do you mean?" not in text
    for order in context.active_orders:
        for brief in order.shipments:
            truth = await platform.get_shipment(who, brief.awb)
            assert render_status(truth, order.order_id, context.region) in text
    shipments = sum(len(o.shipments) for o in context.active_orders)
    assert tools_of(events) == [("get_order_status", True)] * shipments


# ---------------------------------------------------------------- an order hydration did not list


async def customer_with_an_old_order(
    seed: SeedIndex, platform: PlatformClient
) -> tuple[CustomerRef, CustomerContext, str]:
    """A customer and one of their orders delivered too long ago to be among the active ones."""
    for _ in range(40):
        pick = seed.take(ShipmentStatus.DELIVERED)
        context = await hydrate(platform, pick.who)
        if pick.order.order_id not in {o.order_id for o in context.active_orders}:
            return pick.who, context, pick.order.order_id
    raise LookupError("no delivered order outside the active list")


async def test_a_named_order_outside_the_active_list_is_read_not_swapped_for_another(
    seed: SeedIndex, platform: PlatformClient, agent: TrackingAgent
) -> None:
    who, context, order_id = await customer_with_an_old_order(seed, platform)

    events = await run(agent, request(who, context, f"Can you track {order_id} for me?"))

    order = await platform.get_order(who, order_id)
    truth = await platform.get_shipment(who, order.shipments[0].awb)
    assert render_status(truth, order_id, context.region) in text_of(events)
    assert tools_of(events)[0] == ("get_order_details", True)
    # Only the named order was read: no other order of theirs is mentioned.
    others = {o.order_id for o in context.active_orders} - {order_id}
    assert not any(other in text_of(events) for other in others)


async def test_another_customers_order_is_not_found_and_nothing_of_it_is_shown(
    seed: SeedIndex, platform: PlatformClient, agent: TrackingAgent
) -> None:
    who, context = await find(seed, platform, lambda c: len(c.active_orders) >= 1)
    theirs = seed.take(
        ShipmentStatus.DELIVERED, where=lambda c, _: c.customer_id != who.customer_id
    )

    events = await run(agent, request(who, context, f"where is {theirs.order.order_id}?"))

    text = text_of(events)
    assert f"I couldn't find {theirs.order.order_id} among the orders on your account" in text
    assert theirs.shipment.awb not in text
    assert tools_of(events) == [("get_order_details", False)]


@pytest.mark.parametrize(
    "message",
    [
        "where is my parcel {awb}?",
        "tracking number 1Z999AA10123456784, where is it",
        "Sendungsnummer 00340434161094042557 - wo ist das Paket?",
        "parcel RR123456785GB hasn't arrived",
    ],
)
async def test_a_parcel_number_that_is_not_the_customers_is_not_found_never_swapped(
    seed: SeedIndex, platform: PlatformClient, agent: TrackingAgent, message: str
) -> None:
    # One active order: "the only candidate shipment" must not stand in for the number asked.
    who, context = await find(seed, platform, lambda c: len(c.active_orders) == 1)
    # Only read (nothing is written on it), so not taken from the pool the writing tests share.
    theirs = next(
        o
        for o in seed.dataset.orders
        if o.customer_id != who.customer_id and o.shipments[0].status is ShipmentStatus.IN_TRANSIT
    )
    asked = message.format(awb=theirs.shipments[0].awb)

    events = await run(agent, request(who, context, asked))

    text = text_of(events)
    assert "I couldn't find" in text and "among the orders on your account" in text
    own = context.active_orders[0]
    assert own.shipments[0].awb not in text and own.order_id not in text
    assert theirs.order_id not in text
    assert tools_of(events) == []


async def test_a_failing_lookup_of_a_named_order_says_so_honestly(
    seed: SeedIndex, platform: PlatformClient, agent: TrackingAgent
) -> None:
    who, context, order_id = await customer_with_an_old_order(seed, platform)
    await platform.set_fault("get_order", FaultSpec(error_rate=1.0))
    try:
        events = await run(agent, request(who, context, f"where is my order {order_id}?"))
    finally:
        await platform.clear_faults()

    assert text_of(events).startswith(f"I couldn't look up {order_id} just now.")
    assert tools_of(events) == [("get_order_details", False)]
