"""The Tracking worker's model answer has a deadline for its first checked sentence.

A slow fleet must not hold a tracking answer hostage: past the deadline the platform's
template answers, and the model's stream is closed, so the engine stops generating for a
client that has gone. The fleet here is a real OpenAI-compatible HTTP server whose pacing the
test scripts (the real client, the real connection), over the real platform."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from app.agents.base import WorkerDeps
from app.agents.events import EventType
from app.agents.tracking_model import TrackingModelTurn
from app.agents.worker import WorkerRequest
from app.llm.client import ModelEndpoint, OpenAIChatModel
from app.llm.prompts import PromptRegistry
from app.llm.tool_calls import ToolCall
from app.platform.client import PlatformClient
from app.platform.contract import ShipmentStatus
from app.tools import AgentTier, CustomerContext, ToolContext, ToolExecutor, ToolSuccess
from tests.asgi_server import serving
from tests.fixtures import SeedIndex

MODEL = "tracking-fleet"


@dataclass
class PacedFleet:
    """Streams `pieces` as chat-completion chunks, sleeping `gap_s` before each one."""

    pieces: list[str] = field(default_factory=list)
    gap_s: float = 0.0
    sent: int = 0
    disconnected: threading.Event = field(default_factory=threading.Event)

    async def completions(self, request: Request) -> StreamingResponse:
        await request.json()

        def chunk(text: str) -> str:
            body = {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": MODEL,
                "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
            }
            return f"data: {json.dumps(body)}\n\n"

        async def body() -> AsyncIterator[str]:
            try:
                for piece in self.pieces:
                    await asyncio.sleep(self.gap_s)
                    self.sent += 1
                    yield chunk(piece)
                yield "data: [DONE]\n\n"
            except asyncio.CancelledError:
                # Starlette cancels the body when the client goes away.
                self.disconnected.set()
                raise

        return StreamingResponse(body(), media_type="text/event-stream")


@pytest.fixture
def fleet() -> Iterator[tuple[PacedFleet, str]]:
    paced = PacedFleet()
    app = Starlette(routes=[Route("/v1/chat/completions", paced.completions, methods=["POST"])])
    with serving(app) as url:
        yield paced, f"{url}/v1"


async def delayed_parcel(
    seed: SeedIndex, platform: PlatformClient
) -> tuple[WorkerRequest, ToolCall, object]:
    pick = seed.take(ShipmentStatus.DELAYED)
    executor = ToolExecutor()
    ctx = ToolContext(who=pick.who, session_id="sess-deadline", platform=platform)
    hydrated = await executor.execute(ctx, AgentTier.SYSTEM, "get_customer_context", {})
    assert isinstance(hydrated, ToolSuccess) and isinstance(hydrated.output, CustomerContext)
    call = ToolCall(tool="get_order_status", arguments={"awb": pick.shipment.awb})
    status = await executor.execute(ctx, AgentTier.TRACKING, call.tool, call.arguments)
    assert isinstance(status, ToolSuccess)
    request = WorkerRequest(
        client_id=pick.who.client_id,
        customer_id=pick.who.customer_id,
        session_id=f"sess-{uuid.uuid4().hex[:12]}",
        message="is it going to be late?",
        intent="eta",
        confidence=0.9,
        context=hydrated.output,
        history=[],
    )
    return request, call, status.output


def turn(platform: PlatformClient, base_url: str, deadline_s: float) -> TrackingModelTurn:
    model = OpenAIChatModel(ModelEndpoint(name=f"fleet:{MODEL}", base_url=base_url, model=MODEL))
    deps = WorkerDeps(platform=platform, executor=ToolExecutor())
    return TrackingModelTurn(
        deps, model, PromptRegistry().select()["tracking"], answer_deadline_s=deadline_s
    )


async def answer(
    model_turn: TrackingModelTurn, request: WorkerRequest, call: ToolCall, output: object
) -> tuple[str, float]:
    started = time.monotonic()
    messages = [{"role": "user", "content": request.message}]
    events = [e async for e in model_turn._answer(request, messages, call, output)]
    text = "".join(e.data["text"] for e in events if e.type is EventType.TOKEN)
    return text, time.monotonic() - started


async def test_a_fleet_that_thinks_past_the_deadline_gets_the_template_and_is_cut_off(
    seed: SeedIndex, platform: PlatformClient, fleet: tuple[PacedFleet, str]
) -> None:
    paced, base_url = fleet
    paced.pieces, paced.gap_s = ["<thought>", " let me", " think"] + [" more"] * 40, 0.1
    request, call, output = await delayed_parcel(seed, platform)
    model_turn = turn(platform, base_url, deadline_s=0.6)
    text, took = await answer(model_turn, request, call, output)
    assert model_turn.outcome.answered and model_turn.outcome.reason == "template after fact check"
    assert request.context.active_orders and call.arguments["awb"] in text
    assert took < 2.0
    # The connection was closed, so the fleet stopped streaming long before its script ended.
    assert paced.disconnected.wait(5)
    assert paced.sent < 20


async def test_a_checked_first_sentence_in_time_lets_the_rest_stream_past_the_deadline(
    seed: SeedIndex, platform: PlatformClient, fleet: tuple[PacedFleet, str]
) -> None:
    paced, base_url = fleet
    request, call, output = await delayed_parcel(seed, platform)
    awb = call.arguments["awb"]
    carrier = output.carrier  # type: ignore[attr-defined]
    paced.pieces = [
        "<response>",
        f"Your parcel {awb} ",
        f"is with {carrier}. ",
        "It is ",
        "on its way.",
    ]
    paced.gap_s = 0.15  # the first sentence is out at 0.45 s, the last piece at 0.75 s
    model_turn = turn(platform, base_url, deadline_s=0.6)
    text, took = await answer(model_turn, request, call, output)
    assert model_turn.outcome.reason == "model answer"
    assert text == f"Your parcel {awb} is with {carrier}. It is on its way."
    assert took > 0.7
    assert not paced.disconnected.is_set()


async def test_an_unsupported_sentence_is_replaced_by_the_template(
    seed: SeedIndex, platform: PlatformClient, fleet: tuple[PacedFleet, str]
) -> None:
    paced, base_url = fleet
    paced.pieces = ["<response>", "Your parcel was delivered yesterday to AWB-0000000000. "]
    request, call, output = await delayed_parcel(seed, platform)
    model_turn = turn(platform, base_url, deadline_s=5)
    text, _ = await answer(model_turn, request, call, output)
    assert model_turn.outcome.reason == "template after fact check"
    assert "AWB-0000000000" not in text and call.arguments["awb"] in text
