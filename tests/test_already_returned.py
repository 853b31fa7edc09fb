"""Issue 15: the facts for a return include the order's returns so far, so a return already
made is answered "already returned (RET-…)" and never written twice; what is left of a line
partly returned is all a new proposal offers. The platform's list-returns read too."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.agents.negotiation import NegotiationAgent
from app.agents.negotiation.eligibility import Decline, Propose, already_returned, decide
from app.agents.negotiation.state import (
    CaseRequest,
    FraudCheck,
    ItemFacts,
    OrderFacts,
    Outcome,
    ProposalItem,
    ReturnFacts,
    ShipmentFacts,
)
from app.platform.client import PlatformClient
from app.platform.contract import (
    Category,
    FraudBand,
    ReasonCode,
    Region,
    ReturnLine,
    ReturnRequest,
    ReturnWindow,
    ShipmentStatus,
    Tier,
)
from app.platform.errors import PlatformError
from tests import negotiation_cases as cases
from tests.negotiation_cases import CleanOrder
from tests.negotiation_harness import assert_invariants, start
from tests.quote_answers import QuoteDesk

# ---------------------------------------------------------------- the platform's read


async def test_the_platform_lists_an_orders_returns_to_its_owner_only(
    admin: PlatformClient, order: CleanOrder
) -> None:
    assert await admin.list_order_returns(order.who, order.order_id) == []
    made = await admin.create_return(
        order.who,
        ReturnRequest(
            order_id=order.order_id,
            items=[ReturnLine(sku="SKU-9942-A", quantity=1)],
            reason_code=ReasonCode.CUSTOMER_REQUEST,
        ),
        idempotency_key=f"test-{uuid.uuid4().hex}",
    )
    (listed,) = await admin.list_order_returns(order.who, order.order_id)
    assert listed == made
    with pytest.raises(PlatformError) as refused:  # someone else's order: not found, no oracle
        await admin.list_order_returns(cases.RETURNER, order.order_id)
    assert refused.value.status == 404


# ---------------------------------------------------------------- the conversation


async def test_a_return_already_made_is_answered_already_returned_and_never_written_again(
    agent: NegotiationAgent, admin: PlatformClient, order: CleanOrder
) -> None:
    ask = f"I want to return my order {order.order_id}"
    first = await start(agent, order.who)
    proposed = await first.say(ask, "initiate_return")
    assert proposed.proposal is not None and proposed.proposal["action"] == "return"
    done = await first.say("yes")
    assert done.tools("initiate_return")
    (made,) = await admin.list_order_returns(order.who, order.order_id)

    second = await start(agent, order.who)  # another session of the same customer
    again = await second.say(ask, "initiate_return")
    assert again.proposal is None and not again.tools("initiate_return")
    assert not again.tools("check_fraud_score"), "answered from the facts, before any proposal"
    assert f"already been returned ({made.return_id}" in again.text, again.text
    assert len(await admin.list_order_returns(order.who, order.order_id)) == 1
    await assert_invariants(admin, first)
    await assert_invariants(admin, second)


async def test_a_rejected_return_does_not_count_as_returned() -> None:
    facts = _facts(returned=[("RET-1000001", "rejected", 2)])
    assert already_returned(_case(), facts) == []
    assert isinstance(await _decide(facts), Propose)


# ---------------------------------------------------------------- pure: facts and rules

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _facts(returned: list[tuple[str, str, int]], quantity: int = 2) -> OrderFacts:
    return OrderFacts(
        order_id="ORD-1000001",
        currency="USD",
        total=20.0 * quantity,
        refunded=0.0,
        refundable=20.0 * quantity,
        items=[ItemFacts(sku="SKU-1000-A", name="Mug", unit_price=20.0, quantity=quantity)],
        shipments=[
            ShipmentFacts(
                awb="AWB-1000000001",
                status=ShipmentStatus.DELIVERED,
                carrier="UPS",
                delivered_at=(NOW - timedelta(days=3)).isoformat(),
                signed_by=None,
            )
        ],
        windows={
            "SKU-1000-A": ReturnWindow(
                client_id="acme",
                sku="SKU-1000-A",
                category=Category.HOME,
                region=Region.US,
                tier=Tier.GOLD,
                returnable=True,
                window_days=30,
                policy_code="STD-30",
                basis="category_rule",
            )
        },
        returns=[
            ReturnFacts(
                return_id=rid, status=status, items=[ProposalItem(sku="SKU-1000-A", quantity=n)]
            )
            for rid, status, n in returned
        ],
    )


def _case() -> CaseRequest:
    return CaseRequest(order_id="ORD-1000001", outcome=Outcome.RETURN)


async def _decide(facts: OrderFacts) -> object:
    checked = FraudCheck(order_id="ORD-1000001", score=0.1, band=FraudBand.LOW)
    # The platform's quote (what it would accept) for what the agent asks: $20 a mug.
    desk = QuoteDesk("40.00", prices={"SKU-1000-A": "20.00"})
    return await decide(_case(), facts, checked, ask=desk, proposal_id="p1")


def test_every_unit_on_standing_returns_is_already_returned() -> None:
    facts = _facts(returned=[("RET-1000001", "approved", 1), ("RET-1000002", "received", 1)])
    assert already_returned(_case(), facts) == ["RET-1000001", "RET-1000002"]


async def test_a_line_partly_returned_is_proposed_for_what_is_left_only() -> None:
    facts = _facts(returned=[("RET-1000001", "approved", 1)])
    assert already_returned(_case(), facts) == []
    decision = await _decide(facts)
    assert isinstance(decision, Propose)
    assert decision.proposal.items == [ProposalItem(sku="SKU-1000-A", quantity=1)]
    assert decision.proposal.amount == 20.0


async def test_a_refund_request_is_never_answered_already_returned() -> None:
    facts = _facts(returned=[("RET-1000001", "approved", 2)])
    refund = CaseRequest(order_id="ORD-1000001", outcome=Outcome.DISPUTE)
    assert already_returned(refund, facts) == []
    # And decide, reached some other way, offers nothing already returned.
    assert isinstance(await _decide(facts), Decline)
