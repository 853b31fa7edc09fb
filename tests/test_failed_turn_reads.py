"""Issue 15: a turn that fails after its write may have been made reads the platform before it
says anything about that write, even when the write was already verified in that very turn
(the failure came later: telling the customer, notifying, saving the session); and a write
whose turn died is finished by the resolver, whether or not the customer comes back."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from pathlib import Path

from redis.asyncio import Redis

from app.agents.negotiation import NegotiationAgent
from app.platform.client import PlatformClient
from app.platform.contract import FaultSpec
from app.sessions.write_leases import OrderWriteLeases
from tests.negotiation_cases import CleanOrder, CleanPool
from tests.negotiation_harness import admin_for, agent_for, assert_invariants, start
from tests.platform_server import RunningPlatform


async def test_a_turn_failing_after_its_write_was_verified_reports_the_platforms_record(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await start(agent, order.who)
    assert (
        await conv.say(f"{order.order_id} never arrived, refund it", "delivery_dispute")
    ).proposal
    # The request the failed turn carried (pending: the proposal).
    yes = conv.request("yes", "delivery_dispute")
    done = await conv.say("yes", "delivery_dispute")
    (refund,) = await admin.list_order_refunds(order.who, order.order_id)
    assert refund.refund_id in done.text
    # The turn then fails on its way out: the pipeline asks what the platform shows.
    told = await agent.outcome_after_failure(yes)
    assert told is not None, "never 'nothing has been changed' after a write"
    assert refund.refund_id in told and "approved" in told
    await assert_invariants(admin, conv)


async def test_a_later_unrelated_failure_says_nothing_about_an_earlier_write(
    agent: NegotiationAgent, order: CleanOrder
) -> None:
    conv = await start(agent, order.who)
    assert (
        await conv.say(f"{order.order_id} never arrived, refund it", "delivery_dispute")
    ).proposal
    await conv.say("yes", "delivery_dispute")
    # A later message that fails answers no proposal: no write of its own could have started.
    assert (
        await agent.outcome_after_failure(conv.request("thanks, bye", "delivery_dispute")) is None
    )


async def test_a_write_whose_turn_died_is_finished_by_the_resolver_without_the_customer(
    platform_server: RunningPlatform, redis: Redis, tmp_path: Path, clean_orders: CleanPool
) -> None:
    """The replica dies with the write in flight and nobody reads the platform for the failed
    turn (the read timed out too), and the customer never comes back: the write was recorded
    ahead, so once the dead turn's time is up the resolver finds the refund by its key and
    notifies the customer. Until then it leaves the write to the turn making it."""
    order = clean_orders.take()
    leases = OrderWriteLeases(redis, prefix=f"test-{uuid.uuid4().hex[:8]}")
    checkpoints = tmp_path / "negotiation.sqlite"
    settings = {"resolve_in_turn_s": 0.5, "recover_attempts": 0}
    dying = agent_for(platform_server.base_url, checkpoints, leases=leases, **settings)
    other = agent_for(platform_server.base_url, checkpoints, leases=leases, **settings)
    admin = admin_for(platform_server.base_url)
    try:
        conv = await start(dying, order.who)
        ask = f"{order.order_id} never arrived, refund it"
        assert (await conv.say(ask, "delivery_dispute")).proposal is not None
        await admin.set_fault("create_refund", FaultSpec(timeout_s=1.0))  # commits, later
        turn = asyncio.create_task(conv.say("yes", "delivery_dispute"))
        for _ in range(500):
            if await leases.holder(order.who.client_id, order.order_id) is not None:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        turn.cancel()  # the replica dies mid-write
        with contextlib.suppress(asyncio.CancelledError):
            await turn
        started = time.monotonic()
        assert await other.sweep_settlements() == 0, "the dead turn's time is not up yet"
        await asyncio.sleep(2.0)
        assert len(await admin.list_order_refunds(order.who, order.order_id)) == 1  # committed
        before = {n.notification_id for n in await admin.list_notifications(order.who)}
        resolved = 0
        while not resolved and time.monotonic() - started < 30:
            await asyncio.sleep(1.0)
            resolved = await other.sweep_settlements()
        assert resolved == 1
        told = [
            n
            for n in await admin.list_notifications(order.who)
            if n.notification_id not in before and n.order_id == order.order_id
        ]
        assert told and "has been approved" in told[0].body
        assert await leases.holder(order.who.client_id, order.order_id) is None
        assert len(await admin.list_order_refunds(order.who, order.order_id)) == 1
    finally:
        await admin.clear_faults()
        for client in (dying.deps.platform, other.deps.platform, admin):
            await client.aclose()
