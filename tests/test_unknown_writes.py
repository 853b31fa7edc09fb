"""Writes whose outcome is unknown, at the platform boundary: one write deadline for everyone,
and a lookup by idempotency key that is final once that deadline has passed.

Against the real reference platform over HTTP with injected faults (tests/platform_server.py).
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

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
from app.tools import AgentTier, ToolContext, ToolExecutor
from app.tools.executor import ExecutorSettings, ToolFailure, ToolSuccess
from tests.fixtures import Pick, SeedIndex
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
