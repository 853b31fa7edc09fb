"""Everything the negotiation agent says, rendered from platform facts and verified state.

No model writes these words: what the customer reads about a write comes from the refund or
return as read back from the order system (`Verified`), never from what the agent expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.agents.negotiation.eligibility import Decline
from app.agents.negotiation.state import (
    Action,
    EscalationReason,
    ItemFacts,
    OrderFacts,
    Outcome,
    Proposal,
    Verified,
)
from app.platform.contract import OrderSummary, ReasonCode
from app.sessions.write_leases import LeaseHolder

_SIGNS = {"USD": "$", "GBP": "£", "EUR": "€"}
_EXCLUSIONS = {
    "return_window_expired": "its return window has ended",
    "item_not_returnable": "it is not returnable",
    "order_not_delivered": "it has not been delivered",
    "no_rule": "I could not find a return rule for it",
    "quantity_exceeds_returnable": "it is already on a return",
    "already_returned": "a return for it has already been started",
}
_HANDOFF = "I've passed this to a member of our support team"


def money(amount: float, currency: str) -> str:
    sign = _SIGNS.get(currency)
    return f"{sign}{amount:,.2f}" if sign else f"{currency} {amount:,.2f}"


def _day(iso: str | None) -> str | None:
    if not iso:
        return None
    at = datetime.fromisoformat(iso)
    return f"{at.day} {at:%B %Y}"


# ---------------------------------------------------------------- questions


def _states(order: OrderSummary) -> list[str]:
    return [s.status.value.replace("_", " ") for s in order.shipments[:1]]


def which_order(orders: Sequence[OrderSummary], unknown: str | None = None) -> str:
    if not orders:
        return "I can't see any recent orders on your account."
    listing = "; ".join(
        f"{o.order_id} ({', '.join([*o.item_names[:2], *_states(o)])})" for o in orders[:5]
    )
    lead = (
        f"I can't find {unknown} among your recent orders. "
        if unknown
        else "Which order is this about? "
    )
    return f"{lead}Your recent orders are: {listing}. Please tell me the order number."


def which_outcome(order_id: str | None = None) -> str:
    about = f" for {order_id}" if order_id else ""
    return (
        f"What would you like{about}: a refund because it didn't arrive, a refund because you "
        "received the wrong item, or to return it?"
    )


def proposal_text(
    proposal: Proposal,
    facts: OrderFacts,
    *,
    capped_from: float | None = None,
    excluded: dict[str, str] | None = None,
    refund_items: Sequence[ItemFacts] = (),
) -> str:
    parts: list[str] = []
    amount = money(proposal.amount, proposal.currency)
    whole = {(i.sku, i.quantity) for i in facts.items}
    named = [i for i in refund_items if proposal.action is Action.REFUND]
    if named and {(i.sku, i.quantity) for i in named} != whole:
        # A part of the order: say exactly which lines the money is for.
        lines = ", ".join(f"{i.quantity} x {i.name}" for i in named)
        parts.append(f"This is for {lines} on order {proposal.order_id}, nothing else.")
    if capped_from is not None:
        parts.append(
            f"The most that can still be refunded on {proposal.order_id} is {amount} "
            f"(you asked for {money(capped_from, proposal.currency)})."
        )
    for sku, code in (excluded or {}).items():
        parts.append(f"{sku} can't be returned: {_EXCLUSIONS.get(code, code)}.")
    shipment = facts.shipments[0] if facts.shipments else None
    if proposal.action is Action.RETURN:
        names = {i.sku: i.name for i in facts.items}
        lines = ", ".join(
            f"{i.quantity} x {names.get(i.sku, i.sku)} ({i.sku})" for i in proposal.items
        )
        parts.append(
            f"I can start a return on order {proposal.order_id} for {lines}. Once the items "
            f"are received you'll be refunded up to {amount}."
        )
        codes = sorted(
            {facts.windows[i.sku].policy_code for i in proposal.items if i.sku in facts.windows}
        )
        cited = [facts.policies[c] for c in codes if c in facts.policies]
        if cited:
            parts.append(
                "This follows "
                + "; ".join(f"policy {w.policy_code} ({w.cited.source_doc})" for w in cited)
                + "."
            )
    elif proposal.reason_code is ReasonCode.DELIVERY_DISPUTE and shipment is not None:
        day = _day(shipment.delivered_at)
        signed = f", signed for by {shipment.signed_by}" if shipment.signed_by else ""
        when = f" on {day}" if day else ""
        parts.append(
            f"The carrier shows order {proposal.order_id} as delivered{when}{signed}. Since "
            f"you didn't receive it, this qualifies as a delivery dispute: I can refund "
            f"{amount}."
        )
    elif proposal.reason_code is ReasonCode.DELIVERY_FAILED and shipment is not None:
        parts.append(
            f"The carrier shows order {proposal.order_id} as "
            f"{shipment.status.value.replace('_', ' ')}, so I can refund {amount} for the "
            "failed delivery."
        )
    elif proposal.reason_code is ReasonCode.WRONG_ITEM:
        parts.append(f"I can refund {amount} on order {proposal.order_id} for the wrong item.")
    else:
        parts.append(f"I can refund {amount} on order {proposal.order_id}.")
    parts.append("Shall I go ahead? Please reply yes or no.")
    return " ".join(parts)


def decline_text(decision: Decline, facts: OrderFacts, outcome: Outcome | None) -> str:
    order = facts.order_id
    if decision.code == "nothing_refundable":
        return (
            f"Order {order} has nothing left to refund: the order system shows "
            f"{money(facts.refunded, facts.currency)} already refunded or under review. "
            "Nothing has been changed."
        )
    if decision.code == "return_not_eligible":
        reasons = "; ".join(
            f"{sku}: {_EXCLUSIONS.get(code, code)}" for sku, code in decision.excluded.items()
        )
        return (
            f"I'm sorry, the items on order {order} can't be returned ({reasons}). Nothing has "
            "been changed. If you'd like a person to look at it, just ask."
        )
    status = facts.shipments[0].status.value.replace("_", " ") if facts.shipments else "pending"
    what = "a return" if outcome is Outcome.RETURN else "a refund for this reason"
    return (
        f"Order {order} is {status} and has not been delivered yet, so {what} can't be started "
        "now. Nothing has been changed. If it doesn't arrive, tell me and I'll look again."
    )


# ---------------------------------------------------------------- the confirmation step

STOPPED = "Okay, I won't make any changes: nothing has been refunded or returned."
DISAGREED = (
    "Sorry about that. I haven't changed anything. If the order or the amount is wrong, tell "
    "me the right one."
)
QUESTIONED = (
    "I can't answer that reliably here, and I haven't changed anything. I need a clear yes "
    "or no to this:"
)
UNCLEAR = "I need a clear yes or no before I change anything."
NOTHING_PENDING = "There's nothing waiting for your confirmation, and I haven't changed anything."


# ---------------------------------------------------------------- after the write (verified)


def outcome_text(v: Verified, *, notified: bool, quiet: bool = False) -> str:
    """`quiet`: the customer asked not to be emailed, and was not."""
    amount = money(v.amount, v.currency) if v.amount is not None else "the amount"
    sent = " I've also sent you a confirmation by email." if notified else ""
    if quiet:
        sent = " As you asked, I haven't emailed you about it."
    if v.kind is Action.RETURN:
        label = f" Your return label: {v.label_ref}." if v.label_ref else ""
        return (
            f"Your return on order {v.order_id} has been approved (return {v.record_id}).{label} "
            f"Once the items are received you'll be refunded up to {amount}.{sent}"
        )
    if v.status == "approved":
        return (
            f"Done: your refund of {amount} for order {v.order_id} has been approved (refund "
            f"{v.record_id}).{sent}"
        )
    # pending: the only other status that reaches here.
    if quiet:
        return (
            f"Your refund request of {amount} for order {v.order_id} has been submitted (refund "
            f"{v.record_id}) and is being reviewed. As you asked, we won't email you: ask me "
            "here any time for news."
        )
    sent = " We've emailed you that it's under review." if notified else ""
    return (
        f"Your refund request of {amount} for order {v.order_id} has been submitted (refund "
        f"{v.record_id}) and is being reviewed. We will notify you as soon as it's decided.{sent}"
    )


def status_text(v: Verified) -> str:
    """The last case's refund or return as read now (for a "yes" after it is done)."""
    amount = money(v.amount, v.currency) if v.amount is not None else ""
    noun = "refund" if v.kind is Action.REFUND else "return"
    return f"Your {noun} {v.record_id} of {amount} for order {v.order_id} is {v.status}."


def notification(v: Verified) -> tuple[str, str]:
    """(subject, body) of the customer notification for a verified outcome."""
    amount = money(v.amount, v.currency) if v.amount is not None else ""
    if v.status == "not_written":  # final: the platform's deadline passed with no record
        noun = "refund" if v.kind is Action.REFUND else "return"
        return (
            f"Your {noun} request for order {v.order_id} did not go through",
            f"The order system confirms that the {noun} you asked for on order {v.order_id} "
            "was not made, so nothing has been changed. You can ask us again at any time.",
        )
    if v.kind is Action.RETURN:
        return (
            f"Return {v.record_id} approved",
            f"Your return on order {v.order_id} is approved. Label: {v.label_ref}. You will be "
            f"refunded up to {amount} once the items are received.",
        )
    if v.status == "approved":
        return (
            f"Refund {v.record_id} approved",
            f"Your refund of {amount} for order {v.order_id} has been approved.",
        )
    if v.status == "rejected":
        return (
            f"Refund {v.record_id} not approved",
            f"After review, your refund of {amount} for order {v.order_id} was not approved, "
            "so no money has been refunded. A member of our support team will contact you.",
        )
    return (
        f"Refund {v.record_id} under review",
        f"Your refund request of {amount} for order {v.order_id} has been received and is "
        "under review. We will notify you when it is decided.",
    )


def resolved_text(v: Verified, ticket_id: str | None) -> str:
    """The outcome of a request we had told the customer was still being processed."""
    noun = "refund" if v.kind is Action.REFUND else "return"
    lead = f"An update on your {noun} request for order {v.order_id}: "
    if v.status == "not_written":
        return (
            f"{lead}the order system confirms it was not made, so nothing has been changed. "
            "You can ask again if you still want it."
        )
    if v.kind is Action.RETURN:
        label = f" Your return label: {v.label_ref}." if v.label_ref else ""
        return f"{lead}it has been approved (return {v.record_id}).{label}"
    if v.status == "pending":
        return (
            f"{lead}it was received (refund {v.record_id}) and is being reviewed. We will "
            "notify you as soon as it's decided."
        )
    return settled_text(v, ticket_id)


def already_refunded_text(facts: OrderFacts) -> str:
    standing = facts.standing_refunds
    listed = ", ".join(
        f"{r.refund_id}: {money(r.amount, facts.currency)}, {r.status}" for r in standing
    )
    return (
        f"Order {facts.order_id} has already been refunded ({listed}), and nothing more can be "
        "refunded on it, so I haven't started another refund."
    )


def already_returned_text(facts: OrderFacts, return_ids: Sequence[str]) -> str:
    status = {r.return_id: r.status for r in facts.standing_returns}
    listed = ", ".join(f"{rid}: {status.get(rid, 'on record')}" for rid in return_ids)
    return (
        f"Order {facts.order_id} has already been returned ({listed}): those items are on a "
        "return already, so I haven't started another one."
    )


def in_flight_text(order_id: str, holder: LeaseHolder) -> str:
    noun = "refund" if holder.action == "refund" else "return"
    return (
        f"A {noun} request on order {order_id} is already being processed (reference "
        f"{holder.reference}), so I won't start another one. Its outcome is told in the "
        "conversation where it was made (and by email if it takes longer)."
    )


def still_processing_text(kind: Action, order_id: str) -> str:
    noun = "refund" if kind is Action.REFUND else "return"
    return (
        f"Something went wrong on our side while your {noun} request for order {order_id} was "
        "being sent. It may still be processed by the order system, so I can't confirm it yet. "
        "We will confirm the outcome to you as soon as it is known; please don't submit it "
        "again."
    )


def after_failure_text(v: Verified) -> str:
    """After a failed turn, what the order system shows about the write it may have made."""
    noun = "refund" if v.kind is Action.REFUND else "return"
    if v.status == "not_written":
        return (
            f"Something went wrong on our side, and the order system confirms the {noun} on "
            f"order {v.order_id} was not made, so nothing has been changed. Please try again."
        )
    return f"Something went wrong on our side, but the order system shows: {status_text(v)}"


def settled_text(v: Verified, ticket_id: str | None) -> str:
    amount = money(v.amount, v.currency) if v.amount is not None else ""
    if v.status == "approved":
        return (
            f"An update on refund {v.record_id}: it has now been approved ({amount} for order "
            f"{v.order_id})."
        )
    handoff = f" {_HANDOFF} (ticket {ticket_id})." if ticket_id else ""
    return (
        f"An update on refund {v.record_id}: after review it was not approved, so no money has "
        f"been refunded for order {v.order_id}.{handoff}"
    )


# ---------------------------------------------------------------- escalation


def escalation_text(
    reason: EscalationReason, ticket_id: str | None, verified: Verified | None
) -> str:
    lead = _escalation_lead(reason, verified)
    if ticket_id is None:
        return (
            f"{lead}I'm sorry, I couldn't reach our support team's systems just now. Please "
            "try again in a few minutes."
        ).strip()
    if reason is EscalationReason.CUSTOMER_REQUEST:
        return (
            f"{lead}Of course. I've asked a member of our support team to take over (ticket "
            f"{ticket_id}). They can see our conversation and will follow up with you."
        ).strip()
    return (
        f"{lead}{_HANDOFF} (ticket {ticket_id}). They can see our conversation and will follow "
        "up with you."
    ).strip()


def _escalation_lead(reason: EscalationReason, v: Verified | None) -> str:
    if v is not None and reason in (
        EscalationReason.WRITE_FAILED,
        EscalationReason.WRITE_NOT_SETTLED,
    ):
        noun = "refund" if v.kind is Action.REFUND else "return"
        if v.status == "rejected":
            return (
                f"The order system did not approve the {noun} for order {v.order_id} "
                f"({noun} {v.record_id} was rejected), so nothing has been refunded. "
            )
        if v.status == "failed":
            return (
                f"The order system did not accept the {noun} for order {v.order_id} "
                f"({(v.code or 'refused').replace('_', ' ')}), so nothing has been changed. "
            )
        if v.status == "not_written":
            return (
                f"The {noun} did not go through: the order system shows nothing new on order "
                f"{v.order_id}. "
            )
        if v.status == "pending":
            return (
                f"Your {noun} {v.record_id} for order {v.order_id} was received by the order "
                "system and is still under review, so I can't confirm it yet. "
            )
        if v.record_id:
            return (
                f"The order system received the {noun} ({v.record_id}) but I couldn't confirm "
                "its status, so I won't tell you it's done. "
            )
        # Unknown is not failed: the platform may still be making it.
        return (
            f"Your {noun} request for order {v.order_id} is still being processed by the order "
            "system, so I can't confirm it yet. We will confirm the outcome to you as soon as "
            "it is known; please don't submit it again. "
        )
    if reason is EscalationReason.UNRESOLVED:
        return "I'm sorry we haven't been able to sort this out here. Nothing has been changed. "
    if reason in (EscalationReason.HIGH_FRAUD_RISK, EscalationReason.POLICY_UNDECIDABLE):
        return "I can't complete this request automatically, and nothing has been changed yet. "
    if reason is EscalationReason.SAFETY:
        return "Something didn't add up on my side, so I haven't changed anything. "
    return "Nothing has been changed yet. "


# ---------------------------------------------------------------- the case reader's questions

NOT_A_REQUEST = (
    "I haven't set anything up or changed anything. I can help here with a refund or a return "
    "on one of your orders, or a delivery that went wrong: tell me which order and what "
    "happened. For anything else (a new delivery address, account details, policy questions) "
    "our support pages or a member of the team can help, just ask for a person."
)


def which_items(order: OrderSummary, outcome: Outcome | None) -> str:
    lines = list(dict.fromkeys(order.item_names))
    listing = "; ".join(lines)
    what = "return" if outcome is Outcome.RETURN else "get refunded"
    return (
        f"Which items from order {order.order_id} would you like to {what}? It has: {listing}. "
        "Please name the items (and how many, if not all of them)."
    )


def no_replacement(order_id: str | None) -> str:
    about = f" on {order_id}" if order_id else ""
    return (
        f"I can't arrange a replacement from here, and I haven't changed anything{about}. I can "
        "start a return (refunded once it's received) or a refund if it went wrong in delivery: "
        "which would you like?"
    )
