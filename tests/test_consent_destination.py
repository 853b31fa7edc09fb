"""'Yes. To my wife.' is no consent and no new request: the customer is told where the money
goes, the proposal stays open, and only a fresh yes writes."""

from __future__ import annotations

from app.agents.negotiation import NegotiationAgent
from app.platform.client import PlatformClient
from tests.negotiation_cases import CleanOrder
from tests.negotiation_harness import assert_invariants, start, view


async def test_another_destination_keeps_the_proposal_and_writes_nothing(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await start(agent, order.who)
    first = await conv.say(
        f"I want a refund for {order.order_id}, it never arrived", intent="delivery_dispute"
    )
    assert first.proposal is not None, first.text
    elsewhere = await conv.say("Yes. To my wife.")
    assert not elsewhere.tools("initiate_refund")
    assert "original payment method" in elsewhere.text and "can't send it" in elsewhere.text
    assert elsewhere.proposal is not None
    assert elsewhere.proposal["proposal_id"] == first.proposal["proposal_id"]
    assert (await view(admin, order.who, order.order_id)).refunds == []
    done = await conv.say("yes")
    assert done.tools("initiate_refund")
    (refund,) = (await view(admin, order.who, order.order_id)).refunds
    assert refund.refund_id in done.text
    await assert_invariants(admin, conv)
