"""Property: two conversations of one customer about one order, interleaved, with replica
restarts (between turns, and a crash while the write is in flight) and faults on the write
(lost answers, 5xx, hangs shorter and longer than the write deadline, the lookup by key down)
keep the three invariants, read from the platform's state once every write is final:

1. no double write: at most one refund (one order, one full refund asked for twice), and never
   a refund without a consented proposal;
2. no false confirmation: every "approved"/"submitted" claim names a refund the platform has
   (and an "approved" one is approved);
3. no false denial: a reply that says a write did not happen is about a write whose
   idempotency key the platform has no record of.

Each conversation runs on its own agent (its own replica); they share the checkpoint store and
the Redis write leases, as replicas do. A crash cancels the turn mid-flight (as a killed
process stops) and a fresh agent takes over; the failed turn's answer is what the pipeline
would say (`outcome_after_failure`), and the customer goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from app.agents.negotiation import NegotiationAgent
from app.agents.negotiation.state import Proposal
from app.platform.client import PlatformClient
from app.platform.contract import ErrorCode, FaultSpec
from app.platform.errors import PlatformError
from app.sessions.write_leases import OrderWriteLeases
from app.tools import ToolContext
from tests.negotiation_cases import CleanOrder, CleanPool
from tests.negotiation_harness import Conversation, admin_for, agent_for, start
from tests.platform_server import TEST_WRITE_DEADLINE_S, RunningPlatform

STEPS = ["ask", "yes", "restart", "yes+crash", "any news?"]
REFUND_ID = re.compile(r"\bREF-[0-9]{6,10}\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
CLAIM = re.compile(r"has been approved|has now been approved|has been submitted", re.I)
DENIAL = re.compile(r"did not go through|was not made|nothing has been changed", re.I)


@st.composite
def write_faults(draw: st.DrawFn) -> dict[str, FaultSpec]:
    kind = draw(st.sampled_from(["none", "lose", "fail", "lose_and_lookup_down", "hang"]))
    if kind == "hang":  # held, then committed before the deadline, or rolled back after it
        held = draw(st.sampled_from([1.0, TEST_WRITE_DEADLINE_S + 1.0]))
        return {"create_refund": FaultSpec(timeout_s=held)}
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


@dataclass
class Said:
    """A reply and the consented proposal it is about (the latest "yes" of its conversation)."""

    text: str
    about: Proposal | None


@dataclass
class Session:
    conv: Conversation
    said: list[Said] = field(default_factory=list)
    consented: Proposal | None = None
    # Every proposal a "yes" answered (crashed turns too: the yes was sent).
    yeses: list[Proposal] = field(default_factory=list)


async def _crash_mid_turn(
    session: Session, leases: OrderWriteLeases, order: CleanOrder, fresh: NegotiationAgent
) -> None:
    """Say "yes", and kill the replica once its write is on its way (the lease is taken just
    before the write is sent) or the turn ends; the `fresh` replica answers the failed turn as
    the pipeline does, by reading the platform, and serves the conversation from then on."""
    conv = session.conv
    request = conv.request("yes", "delivery_dispute")
    turn = asyncio.create_task(conv.say("yes", intent="delivery_dispute"))
    holder = None
    for _ in range(1000):
        holder = await leases.holder(order.who.client_id, order.order_id)
        if turn.done() or holder is not None:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)  # the request reaches the platform
    crashed = not turn.done()
    turn.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await turn
    await conv.agent.deps.platform.aclose()
    conv.agent = fresh
    if not crashed:
        session.said.append(Said(conv.results[-1].text, session.consented))
        return
    # The answer to the failed turn comes from the platform, never from a guess. It is about
    # the consented proposal only if that write was sent before the crash.
    sent = holder is not None and holder.session_id == conv.session_id
    text = await fresh.outcome_after_failure(request)
    about = session.consented if sent else None
    session.said.append(Said(text or "Nothing has been changed.", about))


async def _written(admin: PlatformClient, conv: Conversation, proposal: Proposal) -> bool:
    """Whether the platform has a write under this proposal's idempotency key (final: every
    write's deadline has passed when this is asked)."""
    name, arguments = proposal.write_arguments()
    ctx = ToolContext(who=conv.who, session_id=conv.session_id, platform=admin)
    key = conv.agent.deps.executor.write_key(ctx, name, arguments, scope=proposal.proposal_id)
    try:
        await admin.get_write(conv.who, key)
    except PlatformError as exc:
        assert exc.code == ErrorCode.WRITE_NOT_FOUND, exc
        return False
    return True


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
        sessions = [Session(await start(agent, order.who)) for agent in agents]
        for operation, spec in injected.items():
            await admin.set_fault(operation, spec)
        for who, step in steps:
            session = sessions[who]
            conv = session.conv
            if step == "restart":  # this replica is replaced by a fresh one between turns
                await conv.agent.deps.platform.aclose()
                conv.agent = agent_for(base_url, checkpoints, leases=leases)
                agents.append(conv.agent)
                continue
            waiting = Proposal.model_validate(conv.pending) if conv.pending else None
            if step.startswith("yes") and waiting is not None:
                session.consented = waiting
                session.yeses.append(waiting)
            if step == "yes+crash":
                event("crash mid-turn")
                agents.append(agent_for(base_url, checkpoints, leases=leases))
                await _crash_mid_turn(session, leases, order, agents[-1])
                continue
            message = f"{order.order_id} never arrived, I want a refund" if step == "ask" else step
            result = await conv.say(message, "delivery_dispute")
            session.said.append(Said(result.text, session.consented))
        await admin.clear_faults()
        await asyncio.sleep(TEST_WRITE_DEADLINE_S + 0.5)  # every write sent is final now
        await agents[-1].sweep_settlements()
        refunds = await admin.list_order_refunds(order.who, order.order_id)
        # 1. One order, one full refund asked for twice: at most one refund, and consented.
        assert len(refunds) <= 1, f"double refund: {refunds}"
        consented = {(p.order_id, round(p.amount, 2)) for s in sessions for p in s.yeses}
        for refund in refunds:
            assert (refund.order_id, round(float(refund.amount), 2)) in consented
        by_id = {r.refund_id: r.status.value for r in refunds}
        for session in sessions:
            for said in session.said:
                for sentence in SENTENCE.split(said.text):
                    # 2. A claim names a refund the platform has, in the state it claims.
                    if CLAIM.search(sentence):
                        named = REFUND_ID.findall(sentence)
                        assert named, f"a claim without a refund id: {sentence!r}"
                        for refund_id in named:
                            assert refund_id in by_id, f"claimed {refund_id}, platform {refunds}"
                            if "approved" in sentence:
                                assert by_id[refund_id] == "approved", sentence
                    # 3. A denial is about a write the platform has no record of.
                    if DENIAL.search(sentence) and said.about is not None:
                        assert not await _written(admin, session.conv, said.about), (
                            f"false denial: {sentence!r}, platform {refunds}"
                        )
        named = {m for s in sessions for said in s.said for m in REFUND_ID.findall(said.text)}
        assert named <= set(by_id), f"named {named}, platform {refunds}"
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
