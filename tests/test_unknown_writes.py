"""Writes whose outcome is unknown, at the platform boundary: one write deadline for everyone,
and a lookup by idempotency key that is final once that deadline has passed.

Against the real reference platform over HTTP with injected faults (tests/platform_server.py).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from redis.asyncio import Redis

from app.agents.compose import worker_deps
from app.config import AgentSettings
from app.platform.client import PlatformClient
from app.platform.contract import (
    WRITE_DEADLINE_S,
    ErrorCode,
    FaultSpec,
    ReasonCode,
    RefundRequest,
    ShipmentStatus,
)
from app.platform.errors import PlatformError
from app.platform.settings import PlatformSettings
from app.sessions.write_leases import OrderWriteLeases
from app.tools import AgentTier, ToolContext, ToolExecutor
from app.tools.executor import ExecutorSettings, ToolFailure, ToolSuccess
from tests.fixtures import Pick, SeedIndex
from tests.negotiation_cases import CleanPool
from tests.negotiation_harness import admin_for, agent_for, assert_invariants, start
from tests.platform_server import API_KEY, TEST_WRITE_DEADLINE_S, RunningPlatform

# ---------------------------------------------------------------- one deadline


def test_every_write_timeout_is_the_platforms_documented_deadline() -> None:
    client = PlatformClient("http://127.0.0.1:1", "k")
    assert PlatformSettings().write_deadline_s == WRITE_DEADLINE_S
    assert AgentSettings().platform_write_deadline_s == WRITE_DEADLINE_S
    assert ExecutorSettings().write_timeout_s == WRITE_DEADLINE_S
    assert client.write_timeout_s == WRITE_DEADLINE_S


async def test_the_service_wires_one_deadline_into_the_client_and_the_executor() -> None:
    deps = worker_deps(AgentSettings(platform_write_deadline_s=7.5, llm_base_url=None))
    try:
        assert deps.platform.write_timeout_s == 7.5
        assert deps.executor.settings.write_timeout_s == 7.5
    finally:
        await deps.platform.aclose()


def _refund(pick: Pick) -> RefundRequest:
    reason = (
        ReasonCode.DELIVERY_FAILED
        if pick.shipment.status is ShipmentStatus.LOST
        else ReasonCode.DELIVERY_DISPUTE
    )
    return RefundRequest(order_id=pick.order.order_id, amount=Decimal("1.00"), reason_code=reason)


async def _not_found(platform: PlatformClient, pick: Pick, key: str) -> bool:
    try:
        await platform.get_write(pick.who, key)
    except PlatformError as exc:
        assert exc.code == ErrorCode.WRITE_NOT_FOUND
        return True
    return False


# ---------------------------------------------------------------- the platform's side


async def test_a_write_held_past_the_deadline_is_never_committed(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.LOST)
    await platform.set_fault("create_refund", FaultSpec(timeout_s=TEST_WRITE_DEADLINE_S + 0.5))
    started = time.monotonic()
    with pytest.raises(PlatformError) as raised:
        await platform.create_refund(pick.who, _refund(pick), idempotency_key="held-key-1")
    # The client gave up at the deadline, not before (a 5 s default) or long after.
    assert raised.value.code == "timeout"
    assert TEST_WRITE_DEADLINE_S - 0.1 <= time.monotonic() - started < TEST_WRITE_DEADLINE_S + 1
    await platform.clear_faults()
    await asyncio.sleep(1.0)  # the held request has woken up and reached the commit by now
    assert await platform.list_order_refunds(pick.who, pick.order.order_id) == []
    assert await _not_found(platform, pick, "held-key-1")


async def test_a_lost_response_is_found_by_its_key_and_only_by_its_customer(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick, other = seed.take(ShipmentStatus.LOST), seed.take(ShipmentStatus.LOST)
    await platform.set_fault("create_refund", FaultSpec(lose_response_first=1))
    with pytest.raises(PlatformError) as raised:
        await platform.create_refund(pick.who, _refund(pick), idempotency_key="lost-key-1")
    assert raised.value.code == ErrorCode.RESPONSE_LOST
    found = await platform.get_write(pick.who, "lost-key-1")
    (refund,) = await platform.list_order_refunds(pick.who, pick.order.order_id)
    assert found.record_id == refund.refund_id and found.operation == "create_refund"
    # Another customer of the same client: the same answer as for a key never used.
    assert await _not_found(platform, other, "lost-key-1")
    assert await _not_found(platform, pick, "never-used-key")


async def test_a_failed_write_reports_when_its_last_attempt_was_sent(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.LOST)
    executor = ToolExecutor(
        ExecutorSettings(write_timeout_s=TEST_WRITE_DEADLINE_S, backoff_initial_s=0.01)
    )
    ctx = ToolContext(who=pick.who, session_id="sess-last-sent", platform=platform)
    await platform.set_fault("create_refund", FaultSpec(fail_first=10))
    before = time.time()
    result = await executor.execute(
        ctx,
        AgentTier.NEGOTIATION,
        "initiate_refund",
        {"order_id": pick.order.order_id, "amount": 1.0, "reason_code": _refund(pick).reason_code},
        scope="p-last-sent",
    )
    assert isinstance(result, ToolFailure) and result.outcome_unknown
    assert result.last_sent_at is not None and before <= result.last_sent_at <= time.time()
    assert result.attempts == 3
    lookup = await executor.execute(
        ctx,
        AgentTier.NEGOTIATION,
        "get_write_by_key",
        {"idempotency_key": result.idempotency_key},
    )
    assert isinstance(lookup, ToolFailure) and lookup.code == ErrorCode.WRITE_NOT_FOUND


async def test_the_lookup_tool_finds_a_write_made_through_the_executor(
    platform_server: RunningPlatform, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.LOST)
    async with PlatformClient(
        platform_server.base_url, API_KEY, write_timeout_s=TEST_WRITE_DEADLINE_S
    ) as client:
        executor = ToolExecutor(ExecutorSettings(write_timeout_s=TEST_WRITE_DEADLINE_S))
        ctx = ToolContext(who=pick.who, session_id="sess-lookup", platform=client)
        args = {"order_id": pick.order.order_id, "amount": 1.0, "reason_code": "DELIVERY_FAILED"}
        write = await executor.execute(
            ctx, AgentTier.NEGOTIATION, "initiate_refund", args, scope="p-lookup"
        )
        assert isinstance(write, ToolSuccess)
        lookup = await executor.execute(
            ctx,
            AgentTier.NEGOTIATION,
            "get_write_by_key",
            {"idempotency_key": write.idempotency_key},
        )
        assert isinstance(lookup, ToolSuccess)
        assert lookup.output.record_id == write.output.refund_id  # type: ignore[attr-defined]


# ---------------------------------------------------------------- one write per order


async def test_the_lease_is_one_writes_until_that_write_releases_it(redis: Redis) -> None:
    leases = OrderWriteLeases(redis, prefix=f"test-{uuid.uuid4().hex[:8]}")
    take = leases.take
    assert (
        await take("acme", "ORD-1000001", idempotency_key="k1", session_id="a", action="refund")
        is None
    )
    # The same write resumed (a restart, another replica) holds it already.
    assert (
        await take("acme", "ORD-1000001", idempotency_key="k1", session_id="b", action="refund")
        is None
    )
    other = await take("acme", "ORD-1000001", idempotency_key="k2", session_id="b", action="refund")
    assert other is not None and other.idempotency_key == "k1" and other.session_id == "a"
    # Another tenant's order of the same id, and another order, are free.
    assert (
        await take("globex", "ORD-1000001", idempotency_key="k3", session_id="c", action="refund")
        is None
    )
    assert (
        await take("acme", "ORD-1000002", idempotency_key="k4", session_id="c", action="return")
        is None
    )
    assert not await leases.release("acme", "ORD-1000001", "k2")  # not its lease
    assert await leases.release("acme", "ORD-1000001", "k1")
    assert await leases.holder("acme", "ORD-1000001") is None


async def test_a_second_session_waits_for_the_first_writes_outcome_and_never_writes_twice(
    platform_server: RunningPlatform, redis: Redis, tmp_path: Path, clean_orders: CleanPool
) -> None:
    """Issue 15: session 1's refund is unknown (answer lost, platform unreadable); session 2
    asks for the same refund and is told one is already being processed; once resolved, it
    hears "already refunded". One refund on the platform, whatever happens."""
    order = clean_orders.take()
    leases = OrderWriteLeases(redis, prefix=f"test-{uuid.uuid4().hex[:8]}")
    checkpoints = tmp_path / "negotiation.sqlite"
    one = agent_for(platform_server.base_url, checkpoints, leases=leases)
    two = agent_for(platform_server.base_url, checkpoints, leases=leases)  # another replica
    admin = admin_for(platform_server.base_url)
    ask = f"I want a refund for {order.order_id}, it never arrived"
    try:
        first = await start(one, order.who)
        assert (await first.say(ask, intent="delivery_dispute")).proposal is not None
        await admin.set_fault("create_refund", FaultSpec(lose_response_first=100))
        await admin.set_fault("get_write", FaultSpec(fail_first=1000))
        told = await first.say("yes")
        assert "being processed" in told.text
        holder = await leases.holder(order.who.client_id, order.order_id)
        assert holder is not None

        second = await start(two, order.who)
        again = await second.say(ask, intent="delivery_dispute")
        assert again.proposal is None and not again.tools("initiate_refund")
        assert "already being processed" in again.text and holder.reference in again.text

        await admin.clear_faults()
        assert await two.sweep_settlements() == 1  # resolved by key; the lease is released
        assert await leases.holder(order.who.client_id, order.order_id) is None
        (refund,) = await admin.list_order_refunds(order.who, order.order_id)
        later = await second.say(ask, intent="delivery_dispute")
        assert later.proposal is None and f"already been refunded ({refund.refund_id}" in later.text
        assert len(await admin.list_order_refunds(order.who, order.order_id)) == 1
        await assert_invariants(admin, first)
    finally:
        await admin.clear_faults()
        for client in (one.deps.platform, two.deps.platform, admin):
            await client.aclose()


async def test_a_hung_write_costs_one_deadline_not_one_per_attempt(
    platform: PlatformClient, seed: SeedIndex
) -> None:
    pick = seed.take(ShipmentStatus.LOST)
    executor = ToolExecutor(
        ExecutorSettings(write_timeout_s=TEST_WRITE_DEADLINE_S, write_attempts=3)
    )
    ctx = ToolContext(who=pick.who, session_id="sess-hung", platform=platform)
    await platform.set_fault("create_refund", FaultSpec(timeout_s=TEST_WRITE_DEADLINE_S + 0.5))
    args = {"order_id": pick.order.order_id, "amount": 1.0, "reason_code": "DELIVERY_FAILED"}
    started = time.monotonic()
    result = await executor.execute(ctx, AgentTier.NEGOTIATION, "initiate_refund", args, scope="h")
    assert isinstance(result, ToolFailure) and result.outcome_unknown and result.attempts == 1
    assert time.monotonic() - started < TEST_WRITE_DEADLINE_S + 1
