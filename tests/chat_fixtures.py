"""Fixtures of the chat API tests (loaded by conftest.py as a plugin): `tokens` signs test
tokens, `pipeline` is the real front door and workers on the real platform and Redis (no model
fleet, no policy retrieval), `api` serves it through the real ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.agents.compose import build_local_pipeline
from app.agents.pipeline import ChatPipeline
from app.api.auth import TokenService
from app.api.http import create_chat_app
from app.config import AgentSettings
from tests.platform_server import API_KEY, RunningPlatform

SECRET = "test-secret-" + "x" * 40


@pytest.fixture(scope="module")
def tokens() -> TokenService:
    return TokenService(SECRET)


@pytest.fixture
async def pipeline(
    platform_server: RunningPlatform, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ChatPipeline]:
    # No model fleet (test_llm_serving.py covers the model paths) and no policy retrieval
    # (test_policy_agent.py covers it).
    monkeypatch.setenv("MILVUS_URI", "off")
    settings = AgentSettings(
        platform_url=platform_server.base_url,
        platform_api_key=API_KEY,
        redis_url=redis_url,
        llm_base_url=None,
    )
    built = build_local_pipeline(settings)
    yield built
    await built.deps.platform.aclose()


@pytest.fixture
async def api(pipeline: ChatPipeline, tokens: TokenService) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_chat_app(pipeline, tokens))
    async with httpx.AsyncClient(transport=transport, base_url="http://agent") as client:
        yield client
