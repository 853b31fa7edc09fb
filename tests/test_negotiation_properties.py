"""Property: whatever the customer says and whatever the platform does, the three invariants
hold: no refund without a fraud check and a yes, no double refund, no false confirmation.

Hypothesis draws a conversation (a dispute, then up to five replies from a vocabulary of yeses,
nos, hedges, amounts, other orders, questions and requests for a person, with duplicates) and
platform faults (5xx, lost responses, pending-then-rejected, failing reads), runs it through the
real graph against the real platform, and checks the invariants on the platform's state.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.platform.contract import FaultSpec
from tests.negotiation_cases import CleanOrder, CleanPool
from tests.negotiation_harness import YES, admin_for, agent_for, assert_invariants, start
from tests.platform_server import RunningPlatform

REPLIES = [
    *sorted(YES),
    "no",
    "you're wrong",
    "yeah right",
    "maybe",
    "what happens next?",
    "make it $10",
    "$20 please",
    "yes, $30",
    "$5000",
    "ORD-9999999 instead",
    "let me talk to a person",
    "never mind",
    "hmm",
    "it never arrived",
    "any news?",
]

OPERATIONS = ["create_refund", "get_refund", "create_notification", "get_order", "create_ticket"]


@st.composite
def faults(draw: st.DrawFn) -> dict[str, FaultSpec]:
    chosen: dict[str, FaultSpec] = {}
    for operation in draw(st.lists(st.sampled_from(OPERATIONS), max_size=2, unique=True)):
        kind = draw(st.sampled_from(["fail", "lose", "pending_reject", "flaky"]))
        if kind == "fail":
            spec = FaultSpec(fail_first=draw(st.integers(1, 8)))
        elif kind == "lose" and operation.startswith("create_"):
            spec = FaultSpec(lose_response_first=draw(st.integers(1, 8)))
        elif kind == "pending_reject" and operation == "create_refund":
            spec = FaultSpec(
                pending_then_reject=True, settle_after_s=draw(st.sampled_from([0, 30]))
            )
        else:
            spec = FaultSpec(error_rate=0.5, seed=draw(st.integers(0, 99)))
        chosen[operation] = spec
    return chosen


async def _run(
    base_url: str,
    checkpoints: Path,
    order: CleanOrder,
    replies: list[str],
    injected: dict[str, FaultSpec],
    fault_at: int,
) -> None:
    agent = agent_for(base_url, checkpoints, recover_delay_s=0.0)
    admin = admin_for(base_url)
    try:
        conv = await start(agent, order.who)
        messages = [f"{order.order_id} never arrived, I want a refund", *replies]
        for index, message in enumerate(messages):
            if index == fault_at:
                for operation, spec in injected.items():
                    await admin.set_fault(operation, spec)
            await conv.say(message, intent="delivery_dispute")
        await admin.clear_faults()
        refunds = await assert_invariants(admin, conv)
        escalated = any(result.tickets for result in conv.results)
        event(f"refunds={len(refunds)} escalated={escalated}")
    finally:
        await admin.clear_faults()
        await admin.aclose()
        await agent.deps.platform.aclose()


@settings(
    max_examples=16,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    replies=st.lists(st.sampled_from(REPLIES), min_size=1, max_size=5),
    injected=faults(),
    fault_at=st.integers(0, 3),
)
def test_invariants_hold_for_any_conversation_and_faults(
    platform_server: RunningPlatform,
    clean_orders: CleanPool,
    replies: list[str],
    injected: dict[str, FaultSpec],
    fault_at: int,
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(
            _run(
                platform_server.base_url,
                Path(directory) / "negotiation.sqlite",
                clean_orders.take(),
                replies,
                injected,
                fault_at,
            )
        )
