"""Eligibility, decided from the platform's facts and rules and the written policy: never by
a model.

A pure function of the case, the order as read this case (with the KB's statement for each
return window's policy code), and its fraud check. It uses the platform's own rule functions
(app.platform.rules), so the agent proposes exactly what the order system would accept; the
platform still enforces them again on the write. A written policy that contradicts the rule
applied is escalated, never decided either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.agents.negotiation.state import (
    Action,
    CaseRequest,
    EscalationReason,
    FraudCheck,
    OrderFacts,
    Outcome,
    Proposal,
    ProposalItem,
)
from app.agents.negotiation.written_policy import disagreement
from app.platform import rules
from app.platform.contract import DELIVERED_STATES, FraudBand, ReasonCode, ShipmentStatus
from app.platform.errors import PlatformError

IN_FLIGHT = frozenset(
    {ShipmentStatus.LABEL_CREATED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY}
)
FAILED = frozenset({ShipmentStatus.LOST, ShipmentStatus.RETURNED, ShipmentStatus.DELAYED})


@dataclass(frozen=True)
class Propose:
    proposal: Proposal
    # The customer asked for more than remains refundable, or some items cannot go back.
    capped_from: float | None = None
    excluded: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Decline:
    code: str  # not_delivered_yet | nothing_refundable | return_not_eligible
    excluded: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Clarify:
    code: str  # outcome_needed


@dataclass(frozen=True)
class Escalate:
    reason: EscalationReason
    note: str


Decision = Propose | Decline | Clarify | Escalate


class FraudCheckMissing(RuntimeError):
    """decide() was reached without a fraud check of this very order: a bug, never a path."""


def decide(
    case: CaseRequest,
    facts: OrderFacts,
    fraud: FraudCheck | None,
    *,
    now: datetime,
    proposal_id: str,
) -> Decision:
    if fraud is None or fraud.order_id != facts.order_id or case.order_id != facts.order_id:
        raise FraudCheckMissing(f"no fraud check for {facts.order_id}")
    if fraud.band is FraudBand.HIGH:
        return Escalate(EscalationReason.HIGH_FRAUD_RISK, f"fraud score {fraud.score:.2f}")
    if not facts.shipments:
        return Escalate(EscalationReason.POLICY_UNDECIDABLE, "order has no shipment")
    states = {s.status for s in facts.shipments}
    if len(states) > 1:
        # Which parcel a dispute is about is a judgement the rules do not make.
        return Escalate(
            EscalationReason.POLICY_UNDECIDABLE,
            f"shipments in different states: {', '.join(sorted(states))}",
        )
    (state,) = states
    if case.outcome is Outcome.RETURN:
        return _return(case, facts, state, now=now, proposal_id=proposal_id)
    reason = _refund_reason(case.outcome, state)
    if isinstance(reason, Decline | Clarify | Escalate):
        return reason
    try:
        rules.check_reason_applicable(reason, [state])
    except PlatformError as exc:
        return Escalate(EscalationReason.POLICY_UNDECIDABLE, exc.code)
    if facts.refundable <= 0:
        return Decline("nothing_refundable")
    amount = facts.refundable
    capped_from = None
    if case.amount is not None:
        if case.amount > facts.refundable:
            capped_from = case.amount
        else:
            amount = case.amount
    return Propose(
        Proposal(
            proposal_id=proposal_id,
            action=Action.REFUND,
            order_id=facts.order_id,
            amount=round(amount, 2),
            currency=facts.currency,
            reason_code=reason,
        ),
        capped_from=capped_from,
    )


def _refund_reason(
    outcome: Outcome | None, state: ShipmentStatus
) -> ReasonCode | Decline | Clarify | Escalate:
    if outcome is Outcome.WRONG_ITEM:
        return ReasonCode.WRONG_ITEM if state in DELIVERED_STATES else Decline("not_delivered_yet")
    if outcome is Outcome.DISPUTE:
        if state in DELIVERED_STATES:
            return ReasonCode.DELIVERY_DISPUTE
        if state in FAILED:
            return ReasonCode.DELIVERY_FAILED
        return Decline("not_delivered_yet")
    # A refund with no reason given yet.
    if state is ShipmentStatus.DELIVERED_DISPUTED:
        return ReasonCode.DELIVERY_DISPUTE
    if state in FAILED:
        return ReasonCode.DELIVERY_FAILED
    if state is ShipmentStatus.DELIVERED:
        return Clarify("outcome_needed")
    # Cancelling an order that is still on its way is not in the platform's rules.
    return Escalate(EscalationReason.POLICY_UNDECIDABLE, f"refund requested while {state}")


def _return(
    case: CaseRequest,
    facts: OrderFacts,
    state: ShipmentStatus,
    *,
    now: datetime,
    proposal_id: str,
) -> Decision:
    delivered = [
        datetime.fromisoformat(s.delivered_at)
        for s in facts.shipments
        if s.status in DELIVERED_STATES and s.delivered_at
    ]
    if state not in DELIVERED_STATES or not delivered:
        return Decline("not_delivered_yet")
    wanted = [i for i in facts.items if not case.skus or i.sku in case.skus]
    if not wanted:
        return Escalate(EscalationReason.POLICY_UNDECIDABLE, "named items are not in the order")
    excluded: dict[str, str] = {}
    eligible = []
    for item in wanted:
        window = facts.windows.get(item.sku)
        if window is None:
            excluded[item.sku] = "no_rule"
            continue
        # The written policy the customer can read must agree with the rule applied.
        conflict = disagreement(window, facts.policies.get(window.policy_code))
        if conflict is not None:
            return Escalate(EscalationReason.POLICY_UNDECIDABLE, f"policy conflict: {conflict}")
        try:
            rules.check_return_window(window, max(delivered), now)
        except PlatformError as exc:
            excluded[item.sku] = exc.code
            continue
        eligible.append(item)
    if not eligible:
        return Decline("return_not_eligible", excluded)
    value = sum(i.unit_price * i.quantity for i in eligible)
    amount = round(min(value, facts.refundable), 2)
    if amount <= 0:
        return Decline("nothing_refundable")
    reason = (
        ReasonCode.WRONG_ITEM if case.outcome is Outcome.WRONG_ITEM else ReasonCode.CUSTOMER_REQUEST
    )
    return Propose(
        Proposal(
            proposal_id=proposal_id,
            action=Action.RETURN,
            order_id=facts.order_id,
            amount=amount,
            currency=facts.currency,
            reason_code=reason,
            items=[ProposalItem(sku=i.sku, quantity=i.quantity) for i in eligible],
        ),
        excluded=excluded,
    )
