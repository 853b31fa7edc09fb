"""/readyz's model check: a fleet is ready once it generates, not when it is merely listed.

Ray Serve LLM's router lists its configured models while their engines are still starting,
so a list-only check once reported ready a minute before the first token could be made. The
fleet here is a real HTTP server that lists its models at once and answers completions only
when the test says it has started."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.agents.compose import readiness_probes
from app.config import AgentSettings
from tests.asgi_server import serving

FLEETS = ("tracking-fleet", "policy-fleet")


@dataclass
class StartingFleet:
    started: bool = False
    completions: int = 0

    async def models(self, _: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": m} for m in FLEETS]})

    async def chat(self, request: Request) -> JSONResponse:
        body = await request.json()
        if not self.started:
            return JSONResponse({"error": {"message": "engine starting"}}, status_code=503)
        self.completions += 1
        return JSONResponse(
            {
                "id": "chatcmpl-probe",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "p"},
                        "finish_reason": "length",
                    }
                ],
            }
        )


@pytest.fixture
def fleet() -> Iterator[tuple[StartingFleet, str]]:
    state = StartingFleet()
    app = Starlette(
        routes=[
            Route("/v1/models", state.models),
            Route("/v1/chat/completions", state.chat, methods=["POST"]),
        ]
    )
    with serving(app) as url:
        yield state, f"{url}/v1"


async def test_a_listed_fleet_is_not_ready_until_it_generates(
    fleet: tuple[StartingFleet, str], redis: Redis
) -> None:
    state, base_url = fleet
    settings = AgentSettings(
        llm_base_url=base_url, tracking_model=FLEETS[0], policy_model=FLEETS[1]
    )
    probe = readiness_probes(settings, redis)["model"]
    assert (await probe()).startswith("error: not generating yet")
    state.started = True
    assert await probe() == "ok"
    assert state.completions == 2  # one token from each fleet
    # Once each has answered, the probe only lists models: it never loads a busy fleet.
    assert await probe() == "ok"
    assert state.completions == 2


async def test_a_fleet_missing_from_the_list_is_reported_by_name(
    fleet: tuple[StartingFleet, str], redis: Redis
) -> None:
    _, base_url = fleet
    settings = AgentSettings(llm_base_url=base_url, tracking_model="other-fleet")
    probe = readiness_probes(settings, redis)["model"]
    assert await probe() == "error: not served: ['other-fleet']"
