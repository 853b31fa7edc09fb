"""Property: two conversations of one customer about one order, interleaved, with replica
restarts and faults on the write, never make more than one refund, never refund without a
consented proposal, and never name a refund the platform does not have.

Each conversation runs on its own agent (its own replica); they share the checkpoint store and
the Redis write leases, as replicas do. Checked against the platform's state, not the words.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from app.platform.contract import FaultSpec
from app.sessions.write_leases import OrderWriteLeases
from tests.negotiation_cases import CleanOrder, CleanPool
from tests.negotiation_harness import Conversation, admin_for, agent_for, start
from tests.platform_server import RunningPlatform

STEPS = ["ask", "yes", "restart", "any news?"]
REFUND_ID = re.compile(r"\bREF-[0-9]{6,10}\b")


@st.composite
def write_faults(draw: st.DrawFn) -> dict[str, FaultSpec]:
    kind = draw(st.sampled_from(["none", "lose", "fail", "lose_and_lookup_down"]))
    if kind == "lose":
        return {"create_refund": FaultSpec(lose_response_first=draw(st.integers(1, 6)))}
    if kind == "fail":
        return {"create_refund": FaultSpec(fail_first=draw(st.integers(1, 6)))}
    if kind == "lose_and_lookup_down":
        return {
            "create_refund": FaultSpec(lose_response_first=100),
            "get_write": FaultSpec(fail_first=draw(st.integers(1, 30))),
        }
    return {}


async def _run(
    base_url: str,
    redis_url: str,
    checkpoints: Path,
    order: CleanOrder,
    steps: list[tuple[int, str]],
    injected: dict[str, FaultSpec],
) -> None:
    redis = Redis.from_url(redis_url)
    leases = OrderWriteLeases(redis, prefix=f"prop-{uuid.uuid4().hex[:8]}")
    admin = admin_for(base_url)
    agents = [agent_for(base_url, checkpoints, leases=leases) for _ in range(2)]
    try:
        convs: list[Conversation] = [await start(agent, order.who) for agent in agents]
        for operation, spec in injected.items():
            await admin.set_fault(operation, spec)
        for who, step in steps:
            conv = convs[who]
            if step == "restart":  # this replica is replaced by a fresh one
                await conv.agent.deps.platform.aclose()
                conv.agent = agent_for(base_url, checkpoints, leases=leases)
                agents.append(conv.agent)
            elif step == "ask":
                await conv.say(
                    f"{order.order_id} never arrived, I want a refund", "delivery_dispute"
                )
            else:
                await conv.say(step, intent="delivery_dispute")
        await admin.clear_faults()
        await agents[-1].sweep_settlements()
        refunds = await admin.list_order_refunds(order.who, order.order_id)
        # One order, one full refund asked for twice: at most one refund, whatever happened.
        assert len(refunds) <= 1, f"double refund: {refunds}"
        consented = {
            (str(r.proposal["order_id"]), round(float(r.proposal["amount"]), 2))
            for conv in convs
            for r, turn in zip(conv.results[:-1], conv.history[2::2], strict=False)
            if r.proposal is not None and turn["text"] == "yes"
        }
        for refund in refunds:
            assert (refund.order_id, round(float(refund.amount), 2)) in consented
        named = {m for conv in convs for r in conv.results for m in REFUND_ID.findall(r.text)}
        assert named <= {r.refund_id for r in refunds}, f"named {named}, platform {refunds}"
        event(f"refunds={len(refunds)}")
    finally:
        await admin.clear_faults()
        await admin.aclose()
        for agent in agents:
            await agent.deps.platform.aclose()
        await redis.aclose()


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(st.tuples(st.integers(0, 1), st.sampled_from(STEPS)), min_size=2, max_size=7),
    injected=write_faults(),
)
def test_two_sessions_and_restarts_on_one_order_write_at_most_once(
    platform_server: RunningPlatform,
    redis_url: str,
    clean_orders: CleanPool,
    steps: list[tuple[int, str]],
    injected: dict[str, FaultSpec],
) -> None:
    # Both sessions start by asking, so every example reaches the proposal at least once.
    script = [(0, "ask"), (1, "ask"), *steps]
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(
            _run(
                platform_server.base_url,
                redis_url,
                Path(directory) / "negotiation.sqlite",
                clean_orders.take(),
                script,
                injected,
            )
        )
