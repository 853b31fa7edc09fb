"""The confirm node routes each consent label, against the real platform and graph.

Only `yes` writes. `no` ends the case; a question is answered from the proposal's own terms and
the same proposal is shown again; a condition or a counter is read as a new request, so any
proposal it leads to is a fresh one needing a fresh yes; sarcasm and hesitation ask again.
Each test ends with the invariants read from the platform.
"""

from __future__ import annotations

import pytest

from app.agents.events import EventType
from app.agents.negotiation import NegotiationAgent
from app.platform.client import PlatformClient
from tests import negotiation_cases as cases
from tests.negotiation_cases import CleanOrder, CleanPool
from tests.negotiation_harness import (
    Conversation,
    assert_invariants,
    start,
    view,
)


async def proposed(agent: NegotiationAgent, order: CleanOrder) -> Conversation:
    conv = await start(agent, order.who)
    first = await conv.say(f"I want a refund for {order.order_id}, it never arrived")
    assert first.proposal is not None, first.text
    return conv


async def test_a_question_is_answered_from_the_terms_and_the_same_proposal_shown(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    first = conv.pending
    assert first is not None
    asked = await conv.say("how much would I get back?")
    assert "$49.99" in asked.text and "haven't changed anything" in asked.text
    assert asked.proposal is not None and asked.proposal["proposal_id"] == first["proposal_id"]
    timing = await conv.say("and how long does it take")
    assert "can't tell you the timing" in timing.text
    assert (await view(admin, order.who, order.order_id)).refunds == []
    await assert_invariants(admin, conv)


@pytest.mark.parametrize("reply", ["is that correct", "can i confirm", "will it be ok"])
async def test_a_question_without_a_question_mark_writes_nothing(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder, reply: str
) -> None:
    conv = await proposed(agent, order)
    result = await conv.say(reply)
    assert not result.tools("initiate_refund")
    assert result.proposal is not None
    assert (await view(admin, order.who, order.order_id)).refunds == []
    await assert_invariants(admin, conv)


@pytest.mark.usefixtures("clean_orders")
async def test_the_service_incident_is_a_question_not_a_return(
    agent: NegotiationAgent, admin: PlatformClient
) -> None:
    # The conversation from the running service: a return of one item of two, then a question.
    conv = await start(agent, cases.MIXED)
    first = await conv.say(
        f"I want to return the slippers from {cases.MIXED_RETURN_ORDER}, they don't fit",
        "initiate_return",
    )
    assert first.proposal is not None and first.proposal["action"] == "return"
    assert len(first.proposal["items"]) == 1, "only the slippers, never the backpack too"
    result = await conv.say("is that correct")
    assert not result.tools("initiate_return")
    assert result.proposal is not None
    assert result.proposal["proposal_id"] == first.proposal["proposal_id"]
    assert "haven't changed anything" in result.text


async def test_a_condition_is_read_as_a_new_request_never_as_a_yes(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    first = conv.pending
    assert first is not None
    result = await conv.say("ok if it's the full amount")
    assert not result.tools("initiate_refund")
    notes = [str(e.data) for e in result.of(EventType.DECISION)]
    assert any("confirm: conditional" in note for note in notes), notes
    if result.proposal is not None:
        assert result.proposal["proposal_id"] != first["proposal_id"], "a fresh yes is needed"
    assert (await view(admin, order.who, order.order_id)).refunds == []
    await assert_invariants(admin, conv)


async def test_a_counter_with_an_unknown_order_writes_nothing(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    conv = await proposed(agent, order)
    result = await conv.say("ORD-9999999 instead")
    assert not result.tools("initiate_refund")
    assert (await view(admin, order.who, order.order_id)).refunds == []
    await assert_invariants(admin, conv)


@pytest.mark.parametrize("reply", ["yeah right", "sure... not", "hmm"])
async def test_sarcasm_and_hesitation_ask_again(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder, reply: str
) -> None:
    conv = await proposed(agent, order)
    first = conv.pending
    assert first is not None
    result = await conv.say(reply)
    assert not result.tools("initiate_refund")
    assert result.proposal is not None and result.proposal["proposal_id"] == first["proposal_id"]
    await assert_invariants(admin, conv)


async def test_a_no_ends_the_case_and_a_yes_after_a_question_writes_once(
    agent: NegotiationAgent, admin: PlatformClient, clean_orders: CleanPool
) -> None:
    refused = clean_orders.take()
    conv = await proposed(agent, refused)
    stop = await conv.say("yes I'm sure I don't want it")
    assert "won't make any changes" in stop.text and stop.proposal is None
    assert (await view(admin, refused.who, refused.order_id)).refunds == []
    await assert_invariants(admin, conv)

    accepted = clean_orders.take()
    conv = await proposed(agent, accepted)
    await conv.say("what's the amount?")
    done = await conv.say("yes please")
    assert done.tools("initiate_refund")
    (refund,) = (await view(admin, accepted.who, accepted.order_id)).refunds
    assert float(refund.amount) == 49.99
    await assert_invariants(admin, conv, yes=frozenset({"yes please"}))


@pytest.mark.usefixtures("clean_orders")
async def test_a_conditional_yes_becomes_a_new_proposal_that_needs_a_fresh_yes(
    agent: NegotiationAgent, admin: PlatformClient
) -> None:
    conv = await start(agent, cases.MIXED_WRITER)
    first = await conv.say(
        f"I'd like to return both the slippers and the backpack from {cases.MIXED_WRITER_ORDER}",
        "initiate_return",
    )
    assert first.proposal is not None and len(first.proposal["items"]) == 2
    changed = await conv.say("yes but only the slippers, I'm keeping the backpack")
    assert not changed.tools("initiate_return"), "a conditional yes writes nothing"
    assert changed.proposal is not None
    assert changed.proposal["proposal_id"] != first.proposal["proposal_id"]
    assert len(changed.proposal["items"]) == 1
    done = await conv.say("yes")
    (tool,) = done.tools("initiate_return")
    assert tool.data["ok"]
    return_id = done.tools("get_return")[0].data["arguments"]["return_id"]
    written = await admin.get_return(cases.MIXED_WRITER, return_id)
    assert [item.sku for item in written.items] == [changed.proposal["items"][0]["sku"]]
    await assert_invariants(admin, conv)
