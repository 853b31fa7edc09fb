"""Fixtures the negotiation tests share (loaded by conftest.py as a plugin).

`agent`: the negotiation agent on the real reference platform, checkpoints in a per-test SQLite
file (`checkpoints`, so a test can build a second agent on the same file: a restart);
`admin`: an admin client that clears injected faults afterwards; `order`: a clean order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.agents.negotiation import NegotiationAgent
from app.platform.client import PlatformClient
from tests.negotiation_cases import CleanOrder, CleanPool
from tests.negotiation_harness import admin_for, agent_for
from tests.platform_server import RunningPlatform


@pytest.fixture
def checkpoints(tmp_path: Path) -> Path:
    return tmp_path / "negotiation.sqlite"


@pytest.fixture
async def agent(
    platform_server: RunningPlatform, checkpoints: Path
) -> AsyncIterator[NegotiationAgent]:
    built = agent_for(platform_server.base_url, checkpoints)
    yield built
    await built.aclose()
    await built.deps.platform.aclose()


@pytest.fixture
async def admin(platform_server: RunningPlatform) -> AsyncIterator[PlatformClient]:
    client = admin_for(platform_server.base_url)
    yield client
    await client.clear_faults()
    await client.aclose()


@pytest.fixture
def order(clean_orders: CleanPool) -> CleanOrder:
    return clean_orders.take()
