"""Issue 15: the per-order write lease is held while a write's outcome is being resolved, and
refreshed, never left to a fixed TTL that can lapse mid-resolution.

On a real Redis-protocol server (valkey) with short TTLs; the resolver's part against the
reference platform with the write's answer lost and the lookup by key down."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from redis.asyncio import Redis

from app.platform.contract import FaultSpec
from app.sessions.write_leases import DEFAULT_TTL_S, OrderWriteLeases
from tests.negotiation_cases import CleanPool
from tests.negotiation_harness import admin_for, agent_for, start
from tests.platform_server import TEST_WRITE_DEADLINE_S, RunningPlatform

ORDER = "ORD-1000001"


def _leases(redis: Redis, ttl_s: float) -> OrderWriteLeases:
    return OrderWriteLeases(redis, prefix=f"test-{uuid.uuid4().hex[:8]}", ttl_s=ttl_s)


def _terms(key: str) -> dict[str, str]:
    return {"idempotency_key": key, "session_id": "s1", "action": "refund"}


def test_a_lease_outlives_many_write_deadlines() -> None:
    from app.platform.contract import WRITE_DEADLINE_S

    # A lapse is safe only once the platform's state is final: far past the write deadline.
    assert DEFAULT_TTL_S >= 10 * WRITE_DEADLINE_S


async def test_an_unrefreshed_lease_lapses_and_the_order_can_be_taken(redis: Redis) -> None:
    leases = _leases(redis, ttl_s=0.5)
    assert await leases.take("acme", ORDER, **_terms("k1")) is None
    await asyncio.sleep(0.8)
    assert await leases.holder("acme", ORDER) is None
    assert await leases.take("acme", ORDER, **_terms("k2")) is None
    # The lapsed write cannot refresh itself back over the newer one: it is told who holds it.
    other = await leases.refresh("acme", ORDER, **_terms("k1"))
    assert other is not None and other.idempotency_key == "k2"
    holder = await leases.holder("acme", ORDER)
    assert holder is not None and holder.idempotency_key == "k2"


async def test_a_refreshed_lease_outlives_its_ttl(redis: Redis) -> None:
    leases = _leases(redis, ttl_s=0.6)
    assert await leases.take("acme", ORDER, **_terms("k1")) is None
    for _ in range(4):  # 1.6 s in all, well past one TTL
        await asyncio.sleep(0.4)
        assert await leases.refresh("acme", ORDER, **_terms("k1")) is None
    holder = await leases.holder("acme", ORDER)
    assert holder is not None and holder.idempotency_key == "k1"
    key = f"{leases._prefix}:write-lease:acme:{ORDER}"
    assert 0 < await redis.pttl(key) <= 600


async def test_a_lapsed_lease_nobody_took_is_taken_again_by_its_write(redis: Redis) -> None:
    leases = _leases(redis, ttl_s=0.3)
    assert await leases.take("acme", ORDER, **_terms("k1")) is None
    await asyncio.sleep(0.5)
    assert await leases.holder("acme", ORDER) is None
    assert await leases.refresh("acme", ORDER, **_terms("k1")) is None
    holder = await leases.holder("acme", ORDER)
    assert holder is not None and holder.idempotency_key == "k1"


async def test_a_refresh_never_extends_another_writes_lease(redis: Redis) -> None:
    leases = _leases(redis, ttl_s=0.5)
    assert await leases.take("acme", ORDER, **_terms("k1")) is None
    await asyncio.sleep(0.3)
    assert (await leases.refresh("acme", ORDER, **_terms("k2"))) is not None
    await asyncio.sleep(0.4)  # k1's TTL ran out: the other write's refresh did not extend it
    assert await leases.holder("acme", ORDER) is None


async def test_a_kept_lease_lives_through_a_block_longer_than_its_ttl_and_then_lapses(
    redis: Redis,
) -> None:
    leases = _leases(redis, ttl_s=0.6)
    assert await leases.take("acme", ORDER, **_terms("k1")) is None
    async with leases.kept("acme", ORDER, **_terms("k1")):
        await asyncio.sleep(1.5)  # a slow write and its in-turn resolution
        holder = await leases.holder("acme", ORDER)
        assert holder is not None and holder.idempotency_key == "k1"
    # Not released by the block (the caller releases once the platform has answered); with
    # nobody refreshing it, it lapses.
    await asyncio.sleep(0.8)
    assert await leases.holder("acme", ORDER) is None


async def test_the_resolver_keeps_an_unknown_writes_lease_until_the_platform_answers(
    platform_server: RunningPlatform, redis: Redis, tmp_path: Path, clean_orders: CleanPool
) -> None:
    """The write's answer is lost and the lookup by key is down for longer than the lease's
    TTL: every sweep refreshes the lease, so a second session is still told a request is being
    processed; once the platform answers, the sweep resolves the write and frees the order."""
    order = clean_orders.take()
    # Long enough that the turn's wrap-up after its kept-lease block (reply, checkpoint, trace:
    # over half a second on a loaded 2-core box) cannot outlive the last refresh; at 1 s it did.
    ttl_s = 2.0
    leases = _leases(redis, ttl_s=ttl_s)
    checkpoints = tmp_path / "negotiation.sqlite"
    agent = agent_for(platform_server.base_url, checkpoints, leases=leases)
    other_replica = agent_for(platform_server.base_url, checkpoints, leases=leases)
    admin = admin_for(platform_server.base_url)
    ask = f"I want a refund for {order.order_id}, it never arrived"
    try:
        conv = await start(agent, order.who)
        assert (await conv.say(ask, intent="delivery_dispute")).proposal is not None
        await admin.set_fault("create_refund", FaultSpec(lose_response_first=100))
        await admin.set_fault("get_write", FaultSpec(fail_first=100_000))
        told = await conv.say("yes")
        assert "being processed" in told.text
        held = await leases.holder(order.who.client_id, order.order_id)
        assert held is not None
        # Three TTLs of an unreadable platform, a sweep (by another replica) every half TTL.
        for _ in range(6):
            await asyncio.sleep(ttl_s / 2)
            assert await other_replica.sweep_settlements() == 0
        holder = await leases.holder(order.who.client_id, order.order_id)
        assert holder is not None and holder.idempotency_key == held.idempotency_key
        second = await start(other_replica, order.who)
        again = await second.say(ask, intent="delivery_dispute")
        assert again.proposal is None and "already being processed" in again.text

        await admin.clear_faults()
        await asyncio.sleep(TEST_WRITE_DEADLINE_S)
        assert await other_replica.sweep_settlements() == 1
        assert await leases.holder(order.who.client_id, order.order_id) is None
        assert len(await admin.list_order_refunds(order.who, order.order_id)) == 1
    finally:
        await admin.clear_faults()
        for client in (agent.deps.platform, other_replica.deps.platform, admin):
            await client.aclose()
