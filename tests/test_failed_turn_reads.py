"""Issue 15: a turn that fails after its write may have been made reads the platform before it
says anything about that write, even when the write was already verified in that very turn
(the failure came later: telling the customer, notifying, saving the session)."""

from __future__ import annotations

from app.agents.negotiation import NegotiationAgent
from app.agents.worker import WorkerRequest
from app.platform.client import PlatformClient
from tests.negotiation_cases import CleanOrder
from tests.negotiation_harness import Conversation, assert_invariants, start


def _answer(conv: Conversation, message: str) -> WorkerRequest:
    return WorkerRequest(
        client_id=conv.who.client_id,
        customer_id=conv.who.customer_id,
        session_id=conv.session_id,
        message=message,
        intent="delivery_dispute",
        confidence=0.9,
        context=conv.context,
        history=list(conv.history),
        pending=conv.pending,
    )


async def test_a_turn_failing_after_its_write_was_verified_reports_the_platforms_record(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await start(agent, order.who)
    assert (
        await conv.say(f"{order.order_id} never arrived, refund it", "delivery_dispute")
    ).proposal
    yes = _answer(conv, "yes")  # the request the failed turn carried (pending: the proposal)
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
    assert await agent.outcome_after_failure(_answer(conv, "thanks, bye")) is None
