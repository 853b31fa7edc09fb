"""From the request to a proposal: the order's facts, the fraud check, the rules, the "yes".

`decide` is reachable only from `fraud`, and `confirm` only from `decide`: no path to a write
skips the fraud check or the confirmation. `confirm` calls `interrupt()` first: LangGraph re-runs
an interrupted node from its start on resume, so nothing before the interrupt has an effect.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from app.agents.negotiation import consent_step, replies
from app.agents.negotiation.context import TurnContext
from app.agents.negotiation.eligibility import (
    Clarify,
    Decline,
    Escalate,
    FraudCheckMissing,
    Propose,
    QuoteUnavailable,
    already_returned,
    decide,
)
from app.agents.negotiation.flow import UNAVAILABLE, ask, ctx_of, escalate_to
from app.agents.negotiation.state import (
    MAX_TURNS,
    Action,
    CaseRequest,
    EscalationReason,
    FraudCheck,
    ItemFacts,
    NegotiationState,
    OrderFacts,
    Outcome,
    Proposal,
    ProposalItem,
    RefundFacts,
    ReturnFacts,
    ShipmentFacts,
    record,
    with_declined,
)
from app.agents.negotiation.understanding import candidates
from app.agents.negotiation.written_policy import read_written_policies
from app.agents.worker import ConsentDecision
from app.language.case import item_set, items_of
from app.language.consent import ConsentLabel, ConsentReading, shared_reader
from app.language.consent_cues import names_other_destination
from app.language.mentions import asks_for_person
from app.platform.contract import FraudScore, Order, OrderSummary, Quote, QuoteRequest, ReturnWindow
from app.sessions.write_leases import LeaseHolder
from app.tools.definitions import OrderRefunds, OrderReturns
from app.tools.executor import ToolSuccess

# ---------------------------------------------------------------- facts and fraud


async def facts(
    state: NegotiationState, runtime: Runtime[TurnContext]
) -> Command[Literal["fraud", "respond", "escalate"]]:
    ctx = ctx_of(runtime)
    case = record(state, "case", CaseRequest)
    turns = int(state.get("turns") or 0)
    result = await ctx.tool("get_order_details", {"order_id": case.order_id})
    if not isinstance(result, ToolSuccess):
        # Not theirs (refused by narrowing) or not found: the same answer, no oracle.
        if getattr(result, "code", "") in ("order_not_found", "invalid_arguments"):
            orders = candidates(ctx.request.context.active_orders, case.outcome)
            return ask(
                replies.which_order(orders, case.order_id),
                turns,
                {"case": case.model_copy(update={"order_id": None}).dump()},
            )
        return Command(goto="respond", update={"say": UNAVAILABLE})
    order: Order = result.output  # type: ignore[assignment]
    busy = await _write_in_flight(ctx, order.order_id)
    if busy is not None:  # one write per order: no second proposal while one is unsettled
        line = f"facts: {order.order_id} busy with {busy.idempotency_key}"
        ctx.note(line)
        return Command(
            goto="respond",
            update={"say": replies.in_flight_text(order.order_id, busy), "trace": [line]},
        )
    listed = await ctx.tool("list_order_refunds", {"order_id": order.order_id})
    if not isinstance(listed, ToolSuccess) or not isinstance(listed.output, OrderRefunds):
        return Command(goto="respond", update={"say": UNAVAILABLE})
    refunds = [
        RefundFacts(
            refund_id=r.refund_id,
            amount=float(r.amount),
            status=r.status.value,
            reason_code=r.reason_code,
        )
        for r in listed.output.refunds
    ]
    windows: dict[str, ReturnWindow] = {}
    returns: list[ReturnFacts] = []
    if case.outcome is Outcome.RETURN:
        listed_returns = await ctx.tool("list_order_returns", {"order_id": order.order_id})
        if not isinstance(listed_returns, ToolSuccess) or not isinstance(
            listed_returns.output, OrderReturns
        ):
            return Command(goto="respond", update={"say": UNAVAILABLE})
        returns = [
            ReturnFacts(
                return_id=r.return_id,
                status=r.status.value,
                items=[ProposalItem(sku=i.sku, quantity=i.quantity) for i in r.items],
            )
            for r in listed_returns.output.returns
        ]
        for item in order.items:
            read = await ctx.tool(
                "get_return_window", {"sku": item.sku, "tier": ctx.request.context.tier.value}
            )
            if isinstance(read, ToolSuccess):
                windows[item.sku] = read.output  # type: ignore[assignment]
    policies = await read_written_policies(ctx, windows) if windows else {}
    facts_ = OrderFacts(
        order_id=order.order_id,
        currency=order.currency,
        total=float(order.total),
        refunded=float(order.refunded),
        refundable=float(order.refundable),
        items=[
            ItemFacts(sku=i.sku, name=i.name, unit_price=float(i.unit_price), quantity=i.quantity)
            for i in order.items
        ],
        shipments=[
            ShipmentFacts(
                awb=s.awb,
                status=s.status,
                carrier=s.carrier,
                delivered_at=s.delivered_at.isoformat() if s.delivered_at else None,
                signed_by=s.signed_by,
            )
            for s in order.shipments
        ],
        windows=windows,
        policies=policies,
        refunds=refunds,
        returns=returns,
    )
    covering = already_returned(case, facts_)
    if covering:
        # The items asked for are all on standing returns: say so, never write again.
        line = f"facts: {order.order_id} already returned ({', '.join(covering)})"
        ctx.note(line)
        return Command(
            goto="respond",
            update={"say": replies.already_returned_text(facts_, covering), "trace": [line]},
        )
    standing = facts_.standing_refunds
    if case.outcome is not Outcome.RETURN and standing and facts_.refundable < 0.01:
        # Already satisfied: say so with the refunds on record, never write again.
        line = (
            f"facts: {order.order_id} already refunded ({', '.join(r.refund_id for r in standing)})"
        )
        ctx.note(line)
        return Command(
            goto="respond",
            update={"say": replies.already_refunded_text(facts_), "trace": [line]},
        )
    states = ",".join(s.status.value for s in facts_.shipments) or "no shipment"
    line = f"facts: {order.order_id} {states}, refundable {facts_.refundable:.2f}"
    ctx.note(line)
    return Command(goto="fraud", update={"facts": facts_.dump(), "fraud": None, "trace": [line]})


async def fraud(
    state: NegotiationState, runtime: Runtime[TurnContext]
) -> Command[Literal["decide", "respond", "escalate"]]:
    """Required: `decide` (and so every write) is reachable only through here."""
    ctx = ctx_of(runtime)
    facts_ = record(state, "facts", OrderFacts)
    result = await ctx.tool("check_fraud_score", {"order_id": facts_.order_id})
    if not isinstance(result, ToolSuccess) or not isinstance(result.output, FraudScore):
        return Command(goto="respond", update={"say": UNAVAILABLE})
    score = result.output
    checked = FraudCheck(order_id=score.order_id, score=score.score, band=score.band)
    line = f"fraud: {checked.order_id} {checked.score:.2f} {checked.band.value}"
    ctx.note(line)
    return Command(goto="decide", update={"fraud": checked.dump(), "trace": [line]})


async def _write_in_flight(ctx: TurnContext, order_id: str) -> LeaseHolder | None:
    leases = ctx.deps.write_leases
    return None if leases is None else await leases.holder(ctx.request.client_id, order_id)


# ---------------------------------------------------------------- decide


async def decide_node(
    state: NegotiationState, runtime: Runtime[TurnContext]
) -> Command[Literal["confirm", "respond", "escalate"]]:
    ctx = ctx_of(runtime)
    case = record(state, "case", CaseRequest)
    facts_ = record(state, "facts", OrderFacts)
    checked = record(state, "fraud", FraudCheck)
    turns = int(state.get("turns") or 0)
    try:
        decision = await decide(
            case, facts_, checked, ask=_quote_asker(ctx), proposal_id=uuid.uuid4().hex[:16]
        )
    except FraudCheckMissing as exc:
        return escalate_to(EscalationReason.SAFETY, str(exc))
    if isinstance(decision, Escalate):
        ctx.note(f"decide: escalate ({decision.reason.value}: {decision.note})")
        return escalate_to(decision.reason, decision.note, {"trace": [f"decide: {decision.note}"]})
    if isinstance(decision, Decline):
        ctx.note(f"decide: decline ({decision.code})")
        return Command(
            goto="respond",
            update={
                "say": replies.decline_text(decision, facts_, case.outcome),
                "trace": [f"decide: decline {decision.code}"],
            },
        )
    if isinstance(decision, Clarify) and decision.code == "items_needed":
        listing = _summary_of(facts_)
        unclear = case.model_copy(update={"items": []})
        return ask(replies.which_items(listing, case.outcome), turns, {"case": unclear.dump()})
    if isinstance(decision, Clarify):
        unclear = case.model_copy(update={"outcome": None})
        return ask(replies.which_outcome(case.order_id), turns, {"case": unclear.dump()})
    assert isinstance(decision, Propose)
    proposal = decision.proposal.model_copy(
        update={
            "message": replies.proposal_text(
                decision.proposal,
                facts_,
                capped_from=decision.capped_from,
                excluded=decision.excluded,
                refund_items=decision.refund_items,
            )
        }
    )
    line = (
        f"decide: propose {proposal.action.value} {proposal.amount:.2f} "
        f"{proposal.reason_code.value} on {proposal.order_id}"
    )
    ctx.note(line)
    return Command(
        goto="confirm",
        update={"proposal": proposal.dump(), "confirmed": None, "trace": [line]},
    )


def _quote_asker(ctx: TurnContext) -> Callable[[QuoteRequest], Awaitable[Quote]]:
    """Eligibility's question to the platform, through the executor (narrowed to the
    customer's orders, retried when transient, reported on the event stream like any read)."""

    async def ask(request: QuoteRequest) -> Quote:
        result = await ctx.tool(
            "quote_resolution", request.model_dump(mode="json", exclude={"amount"})
        )
        if not isinstance(result, ToolSuccess) or not isinstance(result.output, Quote):
            raise QuoteUnavailable(getattr(result, "code", "unexpected_output"))
        quote = result.output
        ctx.note(
            f"quote: {quote.action.value} {quote.reason_code.value} on {quote.order_id} "
            f"{'eligible' if quote.eligible else f'refused ({quote.code})'} "
            f"up to {quote.max_amount}"
        )
        return quote

    return ask


def _summary_of(facts_: OrderFacts) -> OrderSummary:
    """The order's lines as the item question lists them."""
    return OrderSummary(
        order_id=facts_.order_id,
        placed_at=datetime.now(UTC),
        total=facts_.total,
        currency=facts_.currency,
        item_names=[i.name for i in facts_.items],
        shipments=[],
    )


# ---------------------------------------------------------------- confirm (the interrupt)


async def confirm(
    state: NegotiationState, runtime: Runtime[TurnContext]
) -> Command[Literal["write", "confirm", "facts", "understand", "respond", "escalate"]]:
    proposal = Proposal.model_validate(state["proposal"])
    # First statement on purpose: on resume this node re-runs from here, so nothing above
    # this line may have an effect.
    answer = interrupt(proposal.dump())
    ctx = ctx_of(runtime)
    turns = int(state.get("turns") or 0) + 1
    reply, decision = _answer_of(answer)
    # "yes, but don't email me": the yes is read without the aside, the aside is kept here.
    base: dict[str, Any] = {
        "message": reply,
        "turns": turns,
        "declined_channels": with_declined(state, reply),
    }
    if decision is not None:
        return _structured(ctx, proposal, decision, base)
    if asks_for_person(reply):
        line = f"confirm: person asked for on {proposal.proposal_id}"
        ctx.note(line)
        return escalate_to(
            EscalationReason.CUSTOMER_REQUEST,
            "customer asked for a person",
            {**base, "trace": [line]},
        )
    facts_ = record(state, "facts", OrderFacts)
    terms = consent_step.terms_of(proposal, facts_, ctx.request.context)
    reading = await asyncio.to_thread(shared_reader().read, reply, terms)
    line = (
        f"confirm: {reading.label.value} to {proposal.proposal_id} "
        f"(p_yes {reading.p_yes:.2f}; vetoes {','.join(reading.vetoes) or 'none'})"
    )
    ctx.note(line)
    base["trace"] = [line]
    if reading.label is ConsentLabel.YES:
        return Command(goto="write", update={**base, "confirmed": proposal.dump()})
    changed = _changed_terms(ctx, state, proposal, reading, base)
    if changed is not None:
        return changed
    if reading.label is ConsentLabel.NO and not consent_step.disagrees(reply):
        return Command(goto="respond", update={**base, "say": replies.STOPPED})
    if turns >= MAX_TURNS:
        return escalate_to(
            EscalationReason.UNRESOLVED, f"{turns} turns without a clear answer", base
        )
    if (
        reading.label is ConsentLabel.CONDITIONAL
        and names_other_destination(reply)
        and not (reading.other_order_ids or reading.other_amounts)
    ):
        # "Yes. To my wife.": not a new request, and not a change the platform allows.
        ctx.say(consent_step.elsewhere(proposal) + " ")
        return Command(goto="confirm", update=base)
    if reading.label in (ConsentLabel.CONDITIONAL, ConsentLabel.COUNTER):
        # A change or a different request: read it like a first message (already counted);
        # whatever it becomes is a fresh proposal that needs a fresh yes.
        return Command(goto="understand", update={**base, "counted": True, "proposal": None})
    if consent_step.disagrees(reply):
        preface = replies.DISAGREED
    elif reading.label is ConsentLabel.QUESTION:
        preface = consent_step.answer(reply, proposal, facts_)
    else:
        preface = replies.UNCLEAR
    ctx.say(preface + " ")
    return Command(goto="confirm", update=base)


def _answer_of(answer: Any) -> tuple[str, ConsentDecision | None]:
    """The resume value: the reply's text, or the structured channel's decision with it."""
    if isinstance(answer, dict):
        decision = ConsentDecision.model_validate(answer["consent"])
        return str(answer.get("message") or decision.decision), decision
    return str(answer), None


def _structured(
    ctx: TurnContext, proposal: Proposal, decision: ConsentDecision, base: dict[str, Any]
) -> Command[Any]:
    """A button, not words: it names the proposal it answers, so it confirms only that one."""
    if decision.proposal_id != proposal.proposal_id:
        line = f"confirm: {decision.decision} for stale {decision.proposal_id}, refused"
        ctx.note(line)
        # The current proposal is shown again (the interrupt re-emits it).
        ctx.say(consent_step.OFFER_CHANGED + " ")
        return Command(goto="confirm", update={**base, "trace": [line]})
    line = f"confirm: {decision.decision} to {proposal.proposal_id} (structured)"
    ctx.note(line)
    if decision.decision == "yes":
        return Command(goto="write", update={**base, "trace": [line], "confirmed": proposal.dump()})
    return Command(goto="respond", update={**base, "trace": [line], "say": replies.STOPPED})


def _changed_terms(
    ctx: TurnContext,
    state: NegotiationState,
    proposal: Proposal,
    reading: ConsentReading,
    base: dict[str, Any],
) -> Command[Any] | None:
    """An unambiguous new amount or order: back through facts and decide (never a shortcut),
    so the changed terms are checked against the rules and proposed afresh."""
    case = record(state, "case", CaseRequest)
    own_awbs = {s.awb: o.order_id for o in ctx.request.context.active_orders for s in o.shipments}
    orders = set(reading.other_order_ids) | {own_awbs.get(a, f"?{a}") for a in reading.other_awbs}
    orders.discard(proposal.order_id)
    own = {o.order_id for o in ctx.request.context.active_orders}
    if len(orders) == 1 and (named := next(iter(orders))) in own and not reading.other_amounts:
        changed = CaseRequest(order_id=named, outcome=case.outcome)
        return Command(
            goto="facts",
            update={**base, "case": changed.dump(), "proposal": None, "fraud": None},
        )
    if (
        not orders
        and len(reading.other_amounts) == 1
        and proposal.action is Action.REFUND
        and reading.label is not ConsentLabel.QUESTION
    ):
        amount = reading.other_amounts[0]
        return Command(
            goto="facts",
            update={
                **base,
                "case": case.model_copy(update={"amount": amount}).dump(),
                "proposal": None,
            },
        )
    if orders or reading.other_amounts:
        # Another order that isn't theirs, or several amounts: read it like a new request.
        return Command(goto="understand", update={**base, "counted": True, "proposal": None})
    reply = str(base.get("message", ""))
    asked = reading.label is ConsentLabel.QUESTION and _QUESTION_FORM.search(reply)
    if not asked and _names_other_lines(ctx, state, proposal, reply):
        # "actually only the jacket is missing": a different item set, read like a request.
        return Command(goto="understand", update={**base, "counted": True, "proposal": None})
    return None


# A question in form ("does it include the mug?", "is the jacket in it"): answered, never
# taken for a change of items, whatever the consent reader's label.
_QUESTION_FORM = re.compile(
    r"\?|^\W*(?:is|are|does|do|did|will|would|can|could|should|what|which|how|when|where|"
    r"why|who)\b",
    re.IGNORECASE,
)


def _names_other_lines(
    ctx: TurnContext, state: NegotiationState, proposal: Proposal, reply: str
) -> bool:
    """Whether the reply names a set of the order's lines other than the proposal's (a
    proposal that lists no lines is on the whole order)."""
    order = next(
        (o for o in ctx.request.context.active_orders if o.order_id == proposal.order_id), None
    )
    if order is None or len(set(order.item_names)) < 2:
        return False
    said = items_of(reply, order, ctx.request.context.active_orders)
    if not (said.picked or said.excluded or said.unresolved):
        return False
    chosen = item_set(said, order)
    if chosen is None:
        return True
    facts_ = record(state, "facts", OrderFacts)
    names = {i.sku: i.name for i in facts_.items} if facts_ else {}
    proposed: dict[str, int | None] = (
        {names.get(i.sku, i.sku): i.quantity for i in proposal.items}
        if proposal.items
        else dict.fromkeys(order.item_names)
    )
    if {p.name for p in chosen} != set(proposed):
        return True
    return any(p.quantity is not None and p.quantity != proposed[p.name] for p in chosen)
