"""The negotiation graph end to end: the real LangGraph machine with a SQLite checkpointer,
the real tool layer, the real platform service with injected faults. Each test ends with the
three invariants read from the platform (tests/negotiation_harness.assert_invariants)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from app.agents.events import EventType
from app.agents.negotiation import NegotiationAgent
from app.agents.worker import WorkerRequest
from app.platform.client import PlatformClient
from app.platform.contract import FaultSpec, FraudBand, ReasonCode, RefundRequest, RefundStatus
from tests import negotiation_cases as cases
from tests.negotiation_cases import CleanOrder, CleanPool
from tests.negotiation_harness import (
    Conversation,
    agent_for,
    assert_invariants,
    start,
    view,
)
from tests.platform_server import TEST_WRITE_DEADLINE_S, RunningPlatform


def dispute(order: CleanOrder) -> str:
    return f"I want a refund for {order.order_id}, it never arrived"


async def proposed(agent: NegotiationAgent, order: CleanOrder) -> Conversation:
    conv = await start(agent, order.who)
    first = await conv.say(dispute(order), intent="delivery_dispute")
    assert first.proposal is not None, first.text
    return conv


# ---------------------------------------------------------------- the case study


async def test_happy_path_disputed_delivery_is_refunded_once_and_notified(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await start(agent, order.who)
    first = await conv.say(dispute(order), intent="delivery_dispute")
    tools = [e.data["name"] for e in first.of(EventType.TOOL)]
    # The order and its refunds so far, the fraud check, then what the platform would accept,
    # before any yes.
    assert tools == [
        "get_order_details",
        "list_order_refunds",
        "check_fraud_score",
        "quote_resolution",
    ]
    proposal = first.proposal
    assert proposal is not None
    assert {k: proposal[k] for k in ("action", "order_id", "amount", "reason_code")} == {
        "action": "refund",
        "order_id": order.order_id,
        "amount": float(cases.CLEAN_PRICE),
        "reason_code": "DELIVERY_DISPUTE",
    }
    assert "delivery dispute" in first.text and "$49.99" in first.text
    assert (await view(admin, order.who, order.order_id)).refunds == []

    second = await conv.say("Yes please")
    assert [e.data["name"] for e in second.of(EventType.TOOL)] == [
        "initiate_refund",
        "get_refund",
        "send_notification",
    ]
    platform = await view(admin, order.who, order.order_id)
    (refund,) = platform.refunds
    assert refund.status is RefundStatus.APPROVED and refund.amount == cases.CLEAN_PRICE
    assert f"approved (refund {refund.refund_id})" in second.text
    assert [n.subject for n in platform.notifications] == [f"Refund {refund.refund_id} approved"]
    assert second.proposal is None and conv.pending is None
    await assert_invariants(admin, conv)


# ---------------------------------------------------------------- anything but a yes


async def test_no_writes_nothing_and_a_later_yes_confirms_nothing(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    stop = await conv.say("no")
    assert "won't make any changes" in stop.text and stop.proposal is None
    again = await conv.say("yes")
    assert "nothing waiting for your confirmation" in again.text
    assert not again.tools("initiate_refund")
    assert (await view(admin, order.who, order.order_id)).refunds == []
    await assert_invariants(admin, conv)


async def test_youre_wrong_is_not_consent(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    first_id = conv.pending and conv.pending["proposal_id"]
    wrong = await conv.say("you're wrong")
    assert not wrong.tools("initiate_refund")
    assert wrong.text.startswith("Sorry about that. I haven't changed anything.")
    assert wrong.proposal is not None and wrong.proposal["proposal_id"] == first_id
    for reply in ("yeah right", "yes, the other one", "maybe"):
        assert not (await conv.say(reply)).tools("initiate_refund")
    assert (await view(admin, order.who, order.order_id)).refunds == []
    await assert_invariants(admin, conv)


async def test_a_changed_amount_is_proposed_again_and_only_that_amount_is_refunded(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    changed = await conv.say("no, make it $10")
    assert not changed.tools("initiate_refund")
    assert changed.proposal is not None and changed.proposal["amount"] == 10.0
    assert changed.tools("check_fraud_score"), "a new proposal goes through the rules again"
    too_much = await conv.say("actually $500")
    assert too_much.proposal is not None and too_much.proposal["amount"] == 49.99
    assert "The most that can still be refunded" in too_much.text
    back = await conv.say("$10 then")
    assert back.proposal is not None and back.proposal["amount"] == 10.0
    await conv.say("yes")
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert float(refund.amount) == 10.0
    await assert_invariants(admin, conv)


async def test_asking_for_a_person_mid_proposal_escalates_without_a_write(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    result = await conv.say("I'd rather talk to a real person")
    (ticket_id,) = result.tickets
    platform = await view(admin, order.who, order.order_id)
    assert platform.refunds == [] and [t.ticket_id for t in platform.tickets] == [ticket_id]
    assert platform.tickets[0].reason == "customer_request"
    assert platform.tickets[0].session_id == conv.session_id
    await assert_invariants(admin, conv)


async def test_five_turns_without_resolution_go_to_a_person(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    for reply in ("hmm", "what?", "maybe", "not sure"):
        result = await conv.say(reply)
    assert len(result.tickets) == 1
    assert (await view(admin, order.who, order.order_id)).refunds == []
    assert [t.reason for t in (await view(admin, order.who, order.order_id)).tickets] == [
        "unresolved"
    ]
    await assert_invariants(admin, conv)


# ---------------------------------------------------------------- risk and rules


@pytest.mark.usefixtures("clean_orders")
async def test_high_fraud_score_escalates_without_a_proposal_or_a_write(
    agent: NegotiationAgent, admin: PlatformClient
) -> None:
    score = await admin.get_fraud_score(cases.RISKY, cases.RISKY_ORDER)
    assert score.band is FraudBand.HIGH
    conv = await start(agent, cases.RISKY)
    result = await conv.say(f"{cases.RISKY_ORDER} never arrived, refund it", "delivery_dispute")
    assert result.proposal is None and len(result.tickets) == 1
    assert "nothing has been changed" in result.text
    platform = await view(admin, cases.RISKY, cases.RISKY_ORDER)
    assert platform.refunds == []
    assert [t.reason for t in platform.tickets if t.ticket_id in result.tickets] == [
        "high_fraud_risk"
    ]
    assert "fraud" not in result.text.lower()  # the customer is not told why
    await assert_invariants(admin, conv)


@pytest.mark.usefixtures("clean_orders")
async def test_an_undelivered_order_is_declined_honestly(
    agent: NegotiationAgent, admin: PlatformClient
) -> None:
    conv = await start(agent, cases.WAITING)
    result = await conv.say(f"refund {cases.WAITING_ORDER}, it never arrived")
    assert result.proposal is None and not result.tickets
    assert "has not been delivered yet" in result.text
    assert (await view(admin, cases.WAITING, cases.WAITING_ORDER)).refunds == []


async def test_when_the_platform_cannot_quote_a_person_decides_and_nothing_is_proposed(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    # Every attempt at the quote fails (the executor retries reads): no proposal on guessed
    # rules, a ticket, and an honest reply.
    await admin.set_fault("quote_resolution", FaultSpec(error_rate=1.0))
    conv = await start(agent, order.who)
    result = await conv.say(dispute(order), intent="delivery_dispute")
    assert result.proposal is None and len(result.tickets) == 1
    assert "nothing has been changed" in result.text
    platform = await view(admin, order.who, order.order_id)
    assert platform.refunds == []
    assert [t.reason for t in platform.tickets if t.ticket_id in result.tickets] == [
        "policy_undecidable"
    ]
    # Once the platform answers again, the same request gets its proposal.
    await admin.clear_faults()
    again = await conv.say(dispute(order), intent="delivery_dispute")
    assert again.proposal is not None and again.proposal["amount"] == float(cases.CLEAN_PRICE)
    await assert_invariants(admin, conv)


async def test_another_customers_order_is_never_looked_up(
    agent: NegotiationAgent, admin: PlatformClient, clean_orders: CleanPool
) -> None:
    mine, theirs = clean_orders.take(), clean_orders.take()
    conv = await start(agent, mine.who)
    result = await conv.say(f"refund {theirs.order_id} please, it never arrived")
    assert f"can't find {theirs.order_id}" in result.text
    assert not result.of(EventType.TOOL)
    assert result.proposal is None
    await assert_invariants(admin, conv)


@pytest.mark.usefixtures("clean_orders")
async def test_a_return_is_proposed_for_the_items_still_in_their_window(
    agent: NegotiationAgent, admin: PlatformClient
) -> None:
    conv = await start(agent, cases.RETURN_WRITER)
    # Two lines and none named: one question listing them, never "the whole order".
    asked = await conv.say(f"I want to return {cases.RETURN_WRITER_ORDER}", "initiate_return")
    assert asked.proposal is None
    assert "ErgoLift Laptop Stand (Silver)" in asked.text
    assert "ErgoLift Laptop Stand (Space Grey)" in asked.text
    first = await conv.say("both stands please", "initiate_return")
    proposal = first.proposal
    assert proposal is not None and proposal["action"] == "return"
    assert proposal["items"] == [{"sku": "SKU-9942-A", "quantity": 1}]
    assert "SKU-9942-B can't be returned: its return window has ended" in first.text
    done = await conv.say("yes")
    (tool,) = done.tools("initiate_return")
    assert tool.data["ok"]
    return_id = done.tools("get_return")[0].data["arguments"]["return_id"]
    returned = await admin.get_return(cases.RETURN_WRITER, return_id)
    assert returned.status == "approved" and returned.items[0].sku == "SKU-9942-A"
    assert f"approved (return {return_id})" in done.text and returned.label_ref in done.text
    await assert_invariants(admin, conv)


@pytest.mark.usefixtures("clean_orders")
async def test_both_please_answers_which_items_without_naming_them(
    agent: NegotiationAgent, admin: PlatformClient
) -> None:
    conv = await start(agent, cases.RETURNER)
    asked = await conv.say(f"I want to return {cases.RETURN_ORDER}", "initiate_return")
    assert asked.proposal is None
    # "both please" names no line, but answers the question about this order's lines.
    answered = await conv.say("both please", "initiate_return")
    proposal = answered.proposal
    assert proposal is not None and proposal["action"] == "return"
    assert proposal["items"] == [{"sku": "SKU-9942-A", "quantity": 1}]
    await assert_invariants(admin, conv)


# ---------------------------------------------------------------- platform faults on the write


async def test_5xx_on_the_write_is_retried_with_the_same_key_and_refunds_once(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    await admin.set_fault("create_refund", FaultSpec(fail_first=2))
    result = await conv.say("yes")
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert refund.status is RefundStatus.APPROVED and refund.refund_id in result.text
    await assert_invariants(admin, conv)


async def test_a_write_that_keeps_failing_is_escalated_and_nothing_is_claimed(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    await admin.set_fault("create_refund", FaultSpec(fail_first=100))
    result = await conv.say("yes")
    assert len(result.tickets) == 1
    assert "did not go through" in result.text and "approved" not in result.text
    platform = await view(admin, order.who, order.order_id)
    assert platform.refunds == [] and platform.notifications == []
    assert [t.reason for t in platform.tickets] == ["write_failed"]
    await assert_invariants(admin, conv)


@pytest.mark.parametrize("lost", [1, 4])
async def test_a_lost_response_is_recovered_by_the_idempotency_key(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder, lost: int
) -> None:
    # 1: the executor's own retry replays it; 4: its three attempts all lose the answer, and
    # the verify step's replay of the same call gets the first result back.
    conv = await proposed(agent, order)
    await admin.set_fault("create_refund", FaultSpec(lose_response_first=lost))
    result = await conv.say("yes")
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert refund.status is RefundStatus.APPROVED
    assert f"approved (refund {refund.refund_id})" in result.text
    await assert_invariants(admin, conv)


async def test_a_response_that_never_arrives_is_found_by_its_key(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    await admin.set_fault("create_refund", FaultSpec(lose_response_first=100))
    result = await conv.say("yes")
    # No write answer ever arrives; the lookup by the write's key finds what was committed.
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert result.tools("get_write_by_key")
    assert f"approved (refund {refund.refund_id})" in result.text
    await assert_invariants(admin, conv)


async def test_an_unknown_outcome_is_never_called_a_failure_and_is_resolved_later(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    """The write committed, its answer was lost, and the platform cannot be asked yet: the
    customer hears "being processed", the ticket names the key, and the resolver (any
    replica, from the durable store) tells the customer once the platform answers."""
    conv = await proposed(agent, order)
    await admin.set_fault("create_refund", FaultSpec(lose_response_first=100))
    await admin.set_fault("get_write", FaultSpec(fail_first=1000))
    result = await conv.say("yes")
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert "did not go through" not in result.text and "nothing has been" not in result.text
    assert "being processed" in result.text and refund.refund_id not in result.text
    (ticket,) = (await view(admin, order.who, order.order_id)).tickets
    key = next(e.data["arguments"] for e in result.tools("get_write_by_key"))["idempotency_key"]
    assert f"outcome unknown, key {key}" in " ".join(ticket.decision_trace)
    assert await agent.sweep_settlements() == 0  # the platform still cannot be asked
    await admin.clear_faults()
    # Another replica (a fresh agent on the same checkpoint store) finishes the job.
    other = agent_for(agent.deps.platform._http.base_url.__str__(), agent.settings.checkpoint_url)
    try:
        assert await other.sweep_settlements() == 1
    finally:
        await other.deps.platform.aclose()
    platform = await view(admin, order.who, order.order_id)
    assert [n.subject for n in platform.notifications] == [f"Refund {refund.refund_id} approved"]
    update = await conv.say("any news?")
    assert refund.refund_id in update.text and "Shall I go ahead" not in update.text
    assert await agent.sweep_settlements() == 0
    await assert_invariants(admin, conv)


async def test_a_write_held_past_the_deadline_is_called_not_made_only_after_it(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    await admin.set_fault("create_refund", FaultSpec(timeout_s=TEST_WRITE_DEADLINE_S + 0.5))
    result = await conv.say("yes")
    await admin.clear_faults()
    await asyncio.sleep(1.0)  # every held request has reached the platform's commit by now
    platform = await view(admin, order.who, order.order_id)
    # The platform refused to commit past its deadline, and a lookup after it found nothing:
    # a final answer, so (and only so) the customer may hear it did not go through.
    assert platform.refunds == []
    assert "did not go through" in result.text and "approved" not in result.text
    await assert_invariants(admin, conv)


async def test_pending_then_rejected_notifies_and_opens_a_ticket_once(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    # Long enough that the turn reads the refund back while it is still pending.
    await admin.set_fault("create_refund", FaultSpec(pending_then_reject=True, settle_after_s=2.0))
    submitted = await conv.say("yes")
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert refund.status is RefundStatus.PENDING
    assert f"submitted (refund {refund.refund_id})" in submitted.text
    assert "approved" not in submitted.text
    assert await agent.sweep_settlements() == 0  # still under review
    await asyncio.sleep(2.2)
    assert await agent.sweep_settlements() == 1
    platform = await view(admin, order.who, order.order_id)
    assert platform.refunds[0].status is RefundStatus.REJECTED
    assert sorted(n.subject for n in platform.notifications) == [
        f"Refund {refund.refund_id} not approved",
        f"Refund {refund.refund_id} under review",
    ]
    (ticket,) = platform.tickets
    assert ticket.reason == "write_failed" and ticket.priority == "high"
    # The next turn tells the customer; acting again replays the same writes (no duplicates).
    update = await conv.say("any news on my refund?")
    assert "was not approved" in update.text and ticket.ticket_id in update.text
    again = await view(admin, order.who, order.order_id)
    assert "Shall I go ahead" not in update.text  # a question about the case, not a new one
    assert len(again.notifications) == 2 and len(again.tickets) == 1
    assert await agent.sweep_settlements() == 0
    await assert_invariants(admin, conv)


async def test_the_replica_follows_pending_refunds_in_the_background(
    platform_server: RunningPlatform,
    checkpoints: Path,
    admin: PlatformClient,
    order: CleanOrder,
) -> None:
    agent = agent_for(platform_server.base_url, checkpoints, settlement_poll_s=0.2)
    try:
        conv = await proposed(agent, order)
        await admin.set_fault(
            "create_refund", FaultSpec(pending_then_reject=True, settle_after_s=1.0)
        )
        await conv.say("yes")
        await asyncio.sleep(2.0)  # no further message: the watcher acts on its own
    finally:
        await agent.aclose()
        await agent.deps.platform.aclose()
    platform = await view(admin, order.who, order.order_id)
    assert len(platform.notifications) == 2 and len(platform.tickets) == 1
    await assert_invariants(admin, conv)


# ---------------------------------------------------------------- duplicates and restarts


async def test_a_duplicate_yes_never_refunds_twice(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    stale = conv.pending
    await conv.say("yes")
    await conv.say("yes")  # after the case closed
    conv.pending = stale  # a client replaying the old confirmation
    replay = await conv.say("yes")
    assert not replay.tools("initiate_refund")
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert refund.refund_id in replay.text  # "nothing pending; your refund ... is approved"
    await assert_invariants(admin, conv)


async def test_a_replica_restart_between_proposal_and_yes_resumes_once(
    platform_server: RunningPlatform,
    checkpoints: Path,
    admin: PlatformClient,
    order: CleanOrder,
) -> None:
    before = agent_for(platform_server.base_url, checkpoints)
    conv = await proposed(before, order)
    await before.deps.platform.aclose()
    # Another process: a new agent, a new platform client, a new saver on the same database.
    after = agent_for(platform_server.base_url, checkpoints)
    try:
        assert await after.proposal_waiting(_request_of(conv)) == conv.pending
        conv.agent = after
        result = await conv.say("yes")
    finally:
        await after.deps.platform.aclose()
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert f"approved (refund {refund.refund_id})" in result.text
    await assert_invariants(admin, conv)


def _request_of(conv: Conversation) -> WorkerRequest:
    return WorkerRequest(
        client_id=conv.who.client_id,
        customer_id=conv.who.customer_id,
        session_id=conv.session_id,
        message="",
        intent="refund_request",
        confidence=1.0,
        context=conv.context,
    )


async def test_the_invariant_check_catches_a_refund_nobody_agreed_to(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    """The checker is not vacuous: a refund written behind the conversation's back fails it."""
    conv = await proposed(agent, order)
    await conv.say("you're wrong")
    await admin.create_refund(
        order.who,
        RefundRequest(
            order_id=order.order_id,
            amount=Decimal("49.99"),
            reason_code=ReasonCode.DELIVERY_DISPUTE,
        ),
        idempotency_key=f"behind-the-back-{order.order_id}",
    )
    with pytest.raises(AssertionError, match="without a fraud check and a yes"):
        await assert_invariants(admin, conv)


async def test_two_identical_refunds_in_one_session_are_two_and_each_is_followed(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    """A second proposal with the same terms is a second refund (never the first replayed as
    "approved (REF-old)"), and every pending refund is followed to its own final state."""
    conv = await start(agent, order.who)
    await admin.set_fault("create_refund", FaultSpec(pending_then_reject=True, settle_after_s=1.0))
    ids: list[str] = []
    for _ in range(2):
        proposal = (
            await conv.say(f"{order.order_id} never arrived, refund $10", "delivery_dispute")
        ).proposal
        assert proposal is not None and proposal["amount"] == 10.0
        submitted = await conv.say("yes")
        ids.append(
            next(
                r
                for r in (await view(admin, order.who, order.order_id)).refunds
                if r.refund_id not in ids
            ).refund_id
        )
        assert f"submitted (refund {ids[-1]})" in submitted.text
    assert len(set(ids)) == 2
    await asyncio.sleep(1.2)
    assert await agent.sweep_settlements() == 2
    platform = await view(admin, order.who, order.order_id)
    assert {r.status for r in platform.refunds} == {RefundStatus.REJECTED}
    assert {f"Refund {i} not approved" for i in ids} <= {n.subject for n in platform.notifications}
    assert len(platform.tickets) == 2
    await assert_invariants(admin, conv)
