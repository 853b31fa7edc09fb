"""Negotiation checkpoints in PostgreSQL, as the cluster runs them (a real server).

`OSA_NEGOTIATION_CHECKPOINTS=postgresql://...` selects langgraph-checkpoint-postgres, which
every environment installs. A proposal made by one replica is resumed by another after a
restart: one refund, and the reply says what the platform shows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from app.agents.negotiation.checkpoints import open_checkpoints
from app.platform.client import PlatformClient
from tests.negotiation_cases import CleanOrder, CleanPool
from tests.negotiation_harness import agent_for, assert_invariants, start, view
from tests.platform_server import RunningPlatform
from tests.postgres_server import running_postgres


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with running_postgres() as url:
        yield url


async def test_a_proposal_survives_a_replica_restart_in_postgres(
    platform_server: RunningPlatform,
    postgres_url: str,
    admin: PlatformClient,
    order: CleanOrder,
) -> None:
    before = agent_for(platform_server.base_url, postgres_url)
    conv = await start(before, order.who)
    first = await conv.say(
        f"I want a refund for {order.order_id}, it never arrived", intent="delivery_dispute"
    )
    assert first.proposal is not None, first.text
    await before.aclose()
    await before.deps.platform.aclose()
    # Another replica: a new agent, a new platform client, new connections to the same database.
    after = agent_for(platform_server.base_url, postgres_url)
    try:
        conv.agent = after
        result = await conv.say("yes")
    finally:
        await after.aclose()
        await after.deps.platform.aclose()
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert f"approved (refund {refund.refund_id})" in result.text
    await assert_invariants(admin, conv)


async def test_the_schema_is_set_up_once_per_process(postgres_url: str) -> None:
    async with open_checkpoints(postgres_url) as (saver, store):
        assert saver is not None and store is not None
    async with open_checkpoints(postgres_url) as (saver, _):
        # The saver's tables exist: a fresh connection reads an absent thread without error.
        config = {"configurable": {"thread_id": "nobody:none", "checkpoint_ns": ""}}
        assert await saver.aget_tuple(config) is None  # type: ignore[arg-type]


async def test_one_replica_serves_concurrent_sessions_on_one_pool_compiled_once(
    platform_server: RunningPlatform,
    postgres_url: str,
    admin: PlatformClient,
    clean_orders: CleanPool,
) -> None:
    agent = agent_for(platform_server.base_url, postgres_url, postgres_pool_size=2)
    orders = [clean_orders.take() for _ in range(3)]
    try:
        convs = [await start(agent, o.who) for o in orders]
        firsts = await asyncio.gather(
            *(
                c.say(f"refund {o.order_id}, it never arrived", "delivery_dispute")
                for c, o in zip(convs, orders, strict=True)
            )
        )
        assert all(f.proposal is not None for f in firsts), [f.text for f in firsts]
        opened = await agent.replica.get()
        await asyncio.gather(*(c.say("yes") for c in convs))
        # The same compiled graph and pool served every turn.
        assert await agent.replica.get() is opened
    finally:
        await agent.aclose()
        await agent.deps.platform.aclose()
    for conv, o in zip(convs, orders, strict=True):
        assert len((await view(admin, o.who, o.order_id)).refunds) == 1
        await assert_invariants(admin, conv)
