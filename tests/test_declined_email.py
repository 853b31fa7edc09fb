"""A customer who says "yes, but don't send me any emails" gets the write and no email: not the
confirmation, not the review notice, not the settlement's. They are told so, and told in chat."""

from __future__ import annotations

import asyncio

from app.agents.events import EventType
from app.agents.negotiation import NegotiationAgent
from app.platform.client import PlatformClient
from app.platform.contract import FaultSpec, RefundStatus
from tests.negotiation_cases import CleanOrder
from tests.negotiation_harness import YES, Conversation, assert_invariants, start, view

# Consent with an aside about contact, meant as a yes here (decided by the test, not the reader).
QUIET_YES = "yes go ahead, but dont send me any emails"
QUIET_YES_SHORT = "yes please, no emails"


def dispute(order: CleanOrder) -> str:
    return f"I want a refund for {order.order_id}, it never arrived"


async def proposed(agent: NegotiationAgent, order: CleanOrder, request: str) -> Conversation:
    conv = await start(agent, order.who)
    first = await conv.say(request, intent="delivery_dispute")
    assert first.proposal is not None, first.text
    return conv


async def test_a_yes_that_declines_email_writes_and_sends_nothing(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order, dispute(order))
    done = await conv.say(QUIET_YES)
    assert [e.data["name"] for e in done.of(EventType.TOOL)] == ["initiate_refund", "get_refund"]
    platform = await view(admin, order.who, order.order_id)
    (refund,) = platform.refunds
    assert refund.status is RefundStatus.APPROVED
    assert f"approved (refund {refund.refund_id})" in done.text
    assert platform.notifications == []
    assert "haven't emailed you" in done.text and "sent you a confirmation" not in done.text
    await assert_invariants(admin, conv, YES | {QUIET_YES})


async def test_a_preference_in_the_request_holds_for_the_yes(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order, f"{dispute(order)}. please don't email me about it")
    done = await conv.say("yes")
    assert not done.tools("send_notification")
    assert (await view(admin, order.who, order.order_id)).notifications == []
    await assert_invariants(admin, conv)


async def test_a_quiet_pending_refund_settles_without_email_and_is_told_in_chat(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order, dispute(order))
    await admin.set_fault("create_refund", FaultSpec(pending_then_reject=True, settle_after_s=2.0))
    submitted = await conv.say(QUIET_YES_SHORT)
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert f"submitted (refund {refund.refund_id})" in submitted.text
    assert "won't email you" in submitted.text and "We will notify you" not in submitted.text
    await asyncio.sleep(2.2)
    assert await agent.sweep_settlements() == 1
    platform = await view(admin, order.who, order.order_id)
    assert platform.refunds[0].status is RefundStatus.REJECTED
    assert platform.notifications == []
    (ticket,) = platform.tickets  # a rejection still reaches a person
    update = await conv.say("any news on my refund?")
    assert "was not approved" in update.text and ticket.ticket_id in update.text
    await assert_invariants(admin, conv, YES | {QUIET_YES_SHORT})


async def test_a_plain_yes_is_still_emailed(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order, dispute(order))
    done = await conv.say("yes, and you can email me the confirmation")
    assert done.tools("send_notification")
    (note,) = (await view(admin, order.who, order.order_id)).notifications
    assert note.subject.startswith("Refund ")
