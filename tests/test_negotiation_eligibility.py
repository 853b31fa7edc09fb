"""Eligibility reads the case and asks the platform: what it proposes is what the platform's
quote said it would accept, and no quote is never a proposal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.agents.negotiation.eligibility import Decline, Escalate, Propose, decide
from app.agents.negotiation.state import (
    Action,
    CaseRequest,
    EscalationReason,
    FraudCheck,
    ItemFacts,
    OrderFacts,
    Outcome,
    ShipmentFacts,
)
from app.platform.contract import (
    Category,
    ErrorCode,
    FraudBand,
    QuoteAction,
    ReasonCode,
    Region,
    ReturnWindow,
    ShipmentStatus,
    Tier,
)
from tests.quote_answers import QuoteDesk

ORDER = "ORD-9300001"
LOW = FraudCheck(order_id=ORDER, score=0.1, band=FraudBand.LOW)
A, B = "SKU-1000-A", "SKU-1000-B"


def window(sku: str) -> ReturnWindow:
    return ReturnWindow(
        client_id="globex",
        sku=sku,
        category=Category.HOME,
        region=Region.US,
        tier=Tier.GOLD,
        returnable=True,
        window_days=30,
        policy_code="P",
        basis="category_rule",
    )


def facts(status: ShipmentStatus, refundable: float = 80.0) -> OrderFacts:
    delivered = datetime.now(UTC) - timedelta(days=3)
    return OrderFacts(
        order_id=ORDER,
        currency="USD",
        total=80.0,
        refunded=80.0 - refundable,
        refundable=refundable,
        items=[
            ItemFacts(sku=A, name="Lamp", unit_price=30.0, quantity=1),
            ItemFacts(sku=B, name="Rug", unit_price=50.0, quantity=1),
        ],
        shipments=[
            ShipmentFacts(
                awb="AWB-9300000001",
                status=status,
                carrier="UPS",
                delivered_at=delivered.isoformat() if status == ShipmentStatus.DELIVERED else None,
                signed_by=None,
            )
        ],
        windows={A: window(A), B: window(B)},
    )


async def test_a_refund_is_capped_by_what_the_platform_says_is_refundable() -> None:
    # The agent's own copy of the order says 80; the platform's quote says 25 remain.
    desk = QuoteDesk("25.00")
    case = CaseRequest(order_id=ORDER, outcome=Outcome.DISPUTE, amount=60.0)
    decision = await decide(case, facts(ShipmentStatus.DELIVERED), LOW, ask=desk, proposal_id="p")
    assert isinstance(decision, Propose)
    assert (decision.proposal.amount, decision.capped_from) == (25.0, 60.0)
    (asked,) = desk.asked
    assert (asked.action, asked.reason_code, asked.items) == (
        QuoteAction.REFUND,
        ReasonCode.DELIVERY_DISPUTE,
        [],
    )


async def test_a_reason_the_platform_refuses_goes_to_a_person() -> None:
    desk = QuoteDesk(reason_refused=ErrorCode.REASON_NOT_APPLICABLE)
    case = CaseRequest(order_id=ORDER, outcome=Outcome.WRONG_ITEM)
    decision = await decide(case, facts(ShipmentStatus.DELIVERED), LOW, ask=desk, proposal_id="p")
    assert isinstance(decision, Escalate)
    assert decision.reason is EscalationReason.POLICY_UNDECIDABLE
    assert decision.note == "reason_not_applicable"


async def test_nothing_refundable_by_the_platform_is_declined() -> None:
    desk = QuoteDesk("0.00")
    case = CaseRequest(order_id=ORDER, outcome=Outcome.DISPUTE)
    decision = await decide(case, facts(ShipmentStatus.DELIVERED), LOW, ask=desk, proposal_id="p")
    assert decision == Decline("nothing_refundable")


async def test_no_quote_is_an_escalation_never_a_proposal() -> None:
    for outcome in (Outcome.DISPUTE, Outcome.RETURN):
        desk = QuoteDesk(down="unavailable")
        case = CaseRequest(order_id=ORDER, outcome=outcome, skus=[A])
        decision = await decide(
            case, facts(ShipmentStatus.DELIVERED), LOW, ask=desk, proposal_id="p"
        )
        assert isinstance(decision, Escalate), outcome
        assert decision.note == "quote unavailable (unavailable)"
        assert len(desk.asked) == 1


async def test_a_return_proposes_exactly_the_lines_and_amount_the_quote_accepted() -> None:
    desk = QuoteDesk(prices={A: "30.00", B: "50.00"}, refused={B: ErrorCode.RETURN_WINDOW_EXPIRED})
    case = CaseRequest(order_id=ORDER, outcome=Outcome.RETURN, skus=[A, B])
    decision = await decide(case, facts(ShipmentStatus.DELIVERED), LOW, ask=desk, proposal_id="p")
    assert isinstance(decision, Propose)
    assert decision.proposal.action is Action.RETURN
    assert [(i.sku, i.quantity) for i in decision.proposal.items] == [(A, 1)]
    assert decision.proposal.amount == 30.0
    assert decision.excluded == {B: "return_window_expired"}
    assert [line.sku for line in desk.asked[0].items] == [A, B]


async def test_a_return_the_quote_refuses_whole_is_declined_with_its_reasons() -> None:
    desk = QuoteDesk(prices={A: "30.00"}, refused={A: ErrorCode.QUANTITY_EXCEEDS_RETURNABLE})
    case = CaseRequest(order_id=ORDER, outcome=Outcome.RETURN, skus=[A])
    decision = await decide(case, facts(ShipmentStatus.DELIVERED), LOW, ask=desk, proposal_id="p")
    assert decision == Decline("return_not_eligible", {A: "quantity_exceeds_returnable"})


async def test_an_answer_about_another_order_is_no_answer() -> None:
    class Crossed(QuoteDesk):
        async def __call__(self, request):  # type: ignore[no-untyped-def]
            quote = await super().__call__(request)
            return quote.model_copy(update={"order_id": "ORD-9300002"})

    case = CaseRequest(order_id=ORDER, outcome=Outcome.DISPUTE)
    decision = await decide(
        case, facts(ShipmentStatus.DELIVERED), LOW, ask=Crossed(), proposal_id="p"
    )
    assert isinstance(decision, Escalate) and "quote_mismatch" in decision.note


async def test_what_is_settled_before_asking_never_asks() -> None:
    # High fraud, and a return of a parcel still on its way: no quote is asked for.
    desk = QuoteDesk()
    risky = FraudCheck(order_id=ORDER, score=0.9, band=FraudBand.HIGH)
    case = CaseRequest(order_id=ORDER, outcome=Outcome.DISPUTE)
    high = await decide(case, facts(ShipmentStatus.DELIVERED), risky, ask=desk, proposal_id="p")
    assert isinstance(high, Escalate) and high.reason is EscalationReason.HIGH_FRAUD_RISK
    back = CaseRequest(order_id=ORDER, outcome=Outcome.RETURN, skus=[A])
    moving = await decide(back, facts(ShipmentStatus.IN_TRANSIT), LOW, ask=desk, proposal_id="p")
    assert moving == Decline("not_delivered_yet")
    assert desk.asked == []
