"""The tracking model turn answers with the template when a streamed sentence makes a claim
this turn's facts do not support: the issue's example, against a real in-transit order, over
a real OpenAI-compatible HTTP fleet and the real platform."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from app.agents.worker import WorkerRequest
from app.llm.tool_calls import ToolCall
from app.platform.client import PlatformClient
from app.platform.contract import Shipment, ShipmentStatus
from app.routing.tracking_replies import render_status
from app.tools import AgentTier, CustomerContext, ToolContext, ToolExecutor, ToolSuccess
from tests.asgi_server import serving
from tests.fixtures import SeedIndex
from tests.test_tracking_answer_deadline import PacedFleet, answer, turn


@pytest.fixture
def fleet() -> Iterator[tuple[PacedFleet, str]]:
    paced = PacedFleet()
    app = Starlette(routes=[Route("/v1/chat/completions", paced.completions, methods=["POST"])])
    with serving(app) as url:
        yield paced, f"{url}/v1"


async def in_transit_parcel(
    seed: SeedIndex, platform: PlatformClient
) -> tuple[WorkerRequest, ToolCall, Shipment]:
    pick = seed.take(ShipmentStatus.IN_TRANSIT)
    executor = ToolExecutor()
    ctx = ToolContext(who=pick.who, session_id="sess-claims", platform=platform)
    hydrated = await executor.execute(ctx, AgentTier.SYSTEM, "get_customer_context", {})
    assert isinstance(hydrated, ToolSuccess) and isinstance(hydrated.output, CustomerContext)
    call = ToolCall(tool="get_order_status", arguments={"awb": pick.shipment.awb})
    status = await executor.execute(ctx, AgentTier.TRACKING, call.tool, call.arguments)
    assert isinstance(status, ToolSuccess) and isinstance(status.output, Shipment)
    request = WorkerRequest(
        client_id=pick.who.client_id,
        customer_id=pick.who.customer_id,
        session_id=f"sess-{uuid.uuid4().hex[:12]}",
        message="where's my parcel?",
        intent="order_status",
        confidence=0.9,
        context=hydrated.output,
        history=[],
    )
    return request, call, status.output


async def test_the_issues_example_is_replaced_by_the_template_for_an_in_transit_order(
    seed: SeedIndex, platform: PlatformClient, fleet: tuple[PacedFleet, str]
) -> None:
    paced, base_url = fleet
    paced.pieces = [
        "<response>",
        "Your parcel was delivered yesterday. ",
        "I've also started a refund for you. ",
        "It is lost.",
    ]
    request, call, shipment = await in_transit_parcel(seed, platform)
    model_turn = turn(platform, base_url, deadline_s=5)
    text, _ = await answer(model_turn, request, call, shipment)
    assert model_turn.outcome.reason == "template after fact check"
    assert "delivered" not in text and "refund for you" not in text and "lost" not in text
    order_id = request.context.active_orders[0].order_id if request.context.active_orders else ""
    assert text == render_status(shipment, shipment.order_id or order_id, request.context.region)


async def test_a_true_sentence_streams_then_a_false_clause_hands_over_to_the_template(
    seed: SeedIndex, platform: PlatformClient, fleet: tuple[PacedFleet, str]
) -> None:
    paced, base_url = fleet
    request, call, shipment = await in_transit_parcel(seed, platform)
    paced.pieces = [
        "<response>",
        f"Your parcel is on its way with {shipment.carrier}. ",
        "It hasn't been delivered yet, but I've escalated it to a colleague.",
    ]
    model_turn = turn(platform, base_url, deadline_s=5)
    text, _ = await answer(model_turn, request, call, shipment)
    assert model_turn.outcome.reason == "template after fact check"
    assert text.startswith(f"Your parcel is on its way with {shipment.carrier}. ")
    assert "escalated" not in text and shipment.awb in text
