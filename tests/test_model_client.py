"""The model client is built from the installed OpenAI SDK, whatever HTTP library it uses.

openai 1.x runs on httpx and 3.x on httpx2, and each rejects the other's Timeout type: the
client must pass the SDK's own types, and a timeout must still bound a slow endpoint."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import openai
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.llm.client import ModelEndpoint, ModelUnavailable, OpenAIChatModel
from tests.asgi_server import serving

MODEL = "fleet"


class Fleet:
    """An OpenAI-compatible endpoint that answers after `delay_s`."""

    def __init__(self) -> None:
        self.delay_s = 0.0
        self.requests: list[dict[str, object]] = []

    async def completions(self, request: Request) -> JSONResponse:
        self.requests.append(json.loads(await request.body()))
        await asyncio.sleep(self.delay_s)
        return JSONResponse(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "On its way."},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
            }
        )


@pytest.fixture
def fleet() -> Iterator[tuple[Fleet, str]]:
    scripted = Fleet()
    app = Starlette(routes=[Route("/v1/chat/completions", scripted.completions, methods=["POST"])])
    with serving(app) as url:
        yield scripted, f"{url}/v1"


def test_the_real_client_is_built_with_the_endpoint_timeouts() -> None:
    model = OpenAIChatModel(
        ModelEndpoint(
            name="fleet",
            base_url="http://127.0.0.1:9/v1",
            model=MODEL,
            timeout_s=7.5,
            connect_timeout_s=1.5,
        )
    )
    timeout = model._client.timeout
    assert isinstance(timeout, openai.Timeout)
    assert (timeout.connect, timeout.read) == (1.5, 7.5)


async def test_a_completion_goes_through_the_installed_sdk(fleet: tuple[Fleet, str]) -> None:
    scripted, base_url = fleet
    model = OpenAIChatModel(ModelEndpoint(name="fleet", base_url=base_url, model=MODEL))
    done = await model.complete([{"role": "user", "content": "where is it?"}], max_tokens=8)
    assert done.text == "On its way."
    assert done.usage.prompt_tokens == 7
    assert scripted.requests[0]["max_tokens"] == 8


async def test_the_read_timeout_bounds_a_slow_endpoint(fleet: tuple[Fleet, str]) -> None:
    scripted, base_url = fleet
    scripted.delay_s = 3.0
    model = OpenAIChatModel(
        ModelEndpoint(name="fleet", base_url=base_url, model=MODEL, timeout_s=0.5, max_retries=0)
    )
    started = asyncio.get_running_loop().time()
    with pytest.raises(ModelUnavailable, match="Timeout"):
        await model.complete([{"role": "user", "content": "hello"}])
    assert asyncio.get_running_loop().time() - started < 2.5
