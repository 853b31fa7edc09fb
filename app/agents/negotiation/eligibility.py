"""Eligibility, asked of the platform: never decided by a model, nor by a copy of its rules.

The agent's part is reading the case: which reason code the customer's story is (a wrong
item, a dispute, a parcel that never came), which of the order's lines they mean, and how much
of them they ask for. Whether the platform accepts that, and up to how much, is the
platform's answer to a quote (`quote_resolution`, a dry run of the write by the platform's own
rules): a proposal is only ever what the quote said would be accepted, and the platform checks
again on the write. No quote (the platform cannot be asked) is a person, never a proposal on
guessed rules. A written policy that contradicts the platform's window is escalated, never
decided either way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from app.agents.negotiation.state import (
    Action,
    CaseRequest,
    EscalationReason,
    FraudCheck,
    ItemFacts,
    OrderFacts,
    Outcome,
    Proposal,
    ProposalItem,
)
from app.agents.negotiation.written_policy import disagreement
from app.platform.contract import (
    DELIVERED_STATES,
    ErrorCode,
    FraudBand,
    Quote,
    QuoteAction,
    QuoteRequest,
    ReasonCode,
    ReturnLine,
    ShipmentStatus,
)

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
    # The lines a refund is for (a return names its own in the proposal): named to the customer.
    refund_items: tuple[ItemFacts, ...] = ()


@dataclass(frozen=True)
class Decline:
    code: str  # not_delivered_yet | nothing_refundable | return_not_eligible
    excluded: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Clarify:
    code: str  # outcome_needed | items_needed


@dataclass(frozen=True)
class Escalate:
    reason: EscalationReason
    note: str


Decision = Propose | Decline | Clarify | Escalate


class FraudCheckMissing(RuntimeError):
    """decide() was reached without a fraud check of this very order: a bug, never a path."""


class QuoteUnavailable(RuntimeError):
    """The platform could not be asked what it would accept (down, timed out, refused)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# Asks the platform for a quote; raises QuoteUnavailable when it cannot answer.
AskQuote = Callable[[QuoteRequest], Awaitable[Quote]]


async def decide(
    case: CaseRequest,
    facts: OrderFacts,
    fraud: FraudCheck | None,
    *,
    ask: AskQuote,
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
    try:
        if case.outcome is Outcome.RETURN:
            return await _return(case, facts, state, ask=ask, proposal_id=proposal_id)
        return await _refund(case, facts, state, ask=ask, proposal_id=proposal_id)
    except QuoteUnavailable as exc:
        return Escalate(EscalationReason.POLICY_UNDECIDABLE, f"quote unavailable ({exc.code})")


async def _quoted(ask: AskQuote, request: QuoteRequest) -> Quote:
    quote = await ask(request)
    if (quote.order_id, quote.action, quote.reason_code) != (
        request.order_id,
        request.action,
        request.reason_code,
    ):
        # An answer to another question is no answer.
        raise QuoteUnavailable("quote_mismatch")
    return quote


async def _refund(
    case: CaseRequest,
    facts: OrderFacts,
    state: ShipmentStatus,
    *,
    ask: AskQuote,
    proposal_id: str,
) -> Decision:
    reason = _refund_reason(case.outcome, state)
    if isinstance(reason, Decline | Clarify | Escalate):
        return reason
    quote = await _quoted(
        ask, QuoteRequest(order_id=facts.order_id, action=QuoteAction.REFUND, reason_code=reason)
    )
    refundable = float(quote.max_amount)
    if not quote.eligible and quote.code is not ErrorCode.AMOUNT_EXCEEDS_REFUNDABLE:
        # The reason read from the case is not one the platform accepts for this order.
        return Escalate(EscalationReason.POLICY_UNDECIDABLE, str(quote.code or "not_eligible"))
    if not quote.eligible or refundable <= 0:
        return Decline("nothing_refundable")
    selected = selected_items(case, facts)
    if selected is None:
        return Clarify("items_needed")
    # The selected items' value, never more than the platform says is refundable; no items
    # named means the whole order (a parcel that never arrived is missing as a whole).
    base = refundable
    if selected:
        base = min(round(sum(i.unit_price * i.quantity for i in selected), 2), refundable)
    amount = base
    capped_from = None
    if case.share is not None:
        amount = round(base * case.share, 2)
    elif case.amount is not None:
        if case.amount > base:
            capped_from = case.amount
        else:
            amount = case.amount
    if amount <= 0:
        return Decline("nothing_refundable")
    return Propose(
        Proposal(
            proposal_id=proposal_id,
            action=Action.REFUND,
            order_id=facts.order_id,
            amount=round(amount, 2),
            currency=facts.currency,
            reason_code=reason,
            for_lines=_part_of(selected, facts),
        ),
        capped_from=capped_from,
        refund_items=tuple(selected),
    )


def _part_of(selected: Sequence[ItemFacts], facts: OrderFacts) -> list[ProposalItem]:
    """The selected lines when they are a part of the order (none for the whole of it)."""
    whole = {(i.sku, i.quantity) for i in facts.items}
    if not selected or {(i.sku, i.quantity) for i in selected} == whole:
        return []
    return [ProposalItem(sku=i.sku, quantity=i.quantity) for i in selected]


def already_returned(case: CaseRequest, facts: OrderFacts) -> list[str]:
    """For a return: the standing returns that already cover every line asked for (all lines
    when none is named), as the platform counts them; [] when something is left to return."""
    if case.outcome is not Outcome.RETURN or not facts.standing_returns:
        return []
    selected = selected_items(case, facts)
    if selected is None:
        return []  # a name not on the order: asked again first
    ordered = {i.sku: i.quantity for i in facts.items}
    wanted = {i.sku for i in (selected or facts.items)}
    if any(facts.returned_quantity(sku) < ordered[sku] for sku in wanted):
        return []
    return [r.return_id for r in facts.standing_returns if any(i.sku in wanted for i in r.items)]


def selected_items(case: CaseRequest, facts: OrderFacts) -> list[ItemFacts] | None:
    """The order's lines the case names, with the quantity asked for (never more than was
    ordered); [] when it names none, None when a name is not on the order (ask again)."""
    chosen: list[ItemFacts] = []
    for pick in case.items:
        line = next((i for i in facts.items if i.name == pick.name), None)
        if line is None:
            return None
        quantity = min(pick.quantity or line.quantity, line.quantity)
        chosen.append(line.model_copy(update={"quantity": quantity}))
    if case.skus and not chosen:
        chosen = [i for i in facts.items if i.sku in case.skus]
    return chosen


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


async def _return(
    case: CaseRequest,
    facts: OrderFacts,
    state: ShipmentStatus,
    *,
    ask: AskQuote,
    proposal_id: str,
) -> Decision:
    if state not in DELIVERED_STATES:
        # Nothing to ask about yet: asking which items first would be a question for nothing
        # (the platform's quote refuses it as order_not_delivered all the same).
        return Decline("not_delivered_yet")
    selected = selected_items(case, facts)
    if selected is None:
        return Clarify("items_needed")
    if not selected and len(facts.items) > 1:
        # A return is of particular items: with several lines and none named, ask.
        return Clarify("items_needed")
    wanted = selected or list(facts.items)
    excluded: dict[str, str] = {}
    asked: list[ItemFacts] = []
    ordered = {i.sku: i.quantity for i in facts.items}
    for item in wanted:
        # Never more than standing returns leave (the platform refuses the rest).
        remaining = ordered.get(item.sku, item.quantity) - facts.returned_quantity(item.sku)
        if remaining <= 0:
            excluded[item.sku] = "already_returned"
            continue
        item = item.model_copy(update={"quantity": min(item.quantity, remaining)})
        window = facts.windows.get(item.sku)
        if window is None:
            # Its written policy could not be checked against a window: not proposed.
            excluded[item.sku] = "no_rule"
            continue
        # The written policy the customer can read must agree with the rule applied.
        conflict = disagreement(window, facts.policies.get(window.policy_code))
        if conflict is not None:
            return Escalate(EscalationReason.POLICY_UNDECIDABLE, f"policy conflict: {conflict}")
        asked.append(item)
    if not asked:
        return Decline("return_not_eligible", excluded)
    wrong = case.outcome is Outcome.WRONG_ITEM or case.reason == "wrong_item"
    reason = ReasonCode.WRONG_ITEM if wrong else ReasonCode.CUSTOMER_REQUEST
    quote = await _quoted(
        ask,
        QuoteRequest(
            order_id=facts.order_id,
            action=QuoteAction.RETURN,
            reason_code=reason,
            items=[ReturnLine(sku=i.sku, quantity=i.quantity) for i in asked],
        ),
    )
    excluded.update({line.sku: str(line.code) for line in quote.lines if not line.eligible})
    accepted = [line for line in quote.lines if line.eligible]
    if quote.code is ErrorCode.ORDER_NOT_DELIVERED:
        return Decline("not_delivered_yet")
    if not quote.eligible or not accepted:
        return Decline("return_not_eligible", excluded)
    amount = round(float(quote.max_amount), 2)
    if amount <= 0:
        return Decline("nothing_refundable")
    return Propose(
        Proposal(
            proposal_id=proposal_id,
            action=Action.RETURN,
            order_id=facts.order_id,
            amount=amount,
            currency=facts.currency,
            reason_code=reason,
            items=[ProposalItem(sku=line.sku, quantity=line.quantity) for line in accepted],
        ),
        excluded=excluded,
    )
