"""The confirm step's side of the consent reader: the terms it reads a reply against, and what
it says to a reply that is not a yes.

A question about the proposal is answered from the proposal's own terms (amount, items, order);
what the terms do not hold (how long a refund takes) gets an honest "I can't tell you that
here", never a guess. The proposal is then shown again, unchanged.
"""

from __future__ import annotations

from app.agents.negotiation.replies import money
from app.agents.negotiation.state import Action, OrderFacts, Proposal
from app.language.consent_terms import ProposalTerms, words_of
from app.language.mentions import has_phrase, read_mentions
from app.language.signatory import signatory_of
from app.platform.contract import ReasonCode
from app.tools.definitions import CustomerContext

OFFER_CHANGED = (
    "That confirmation was for an offer that is no longer the current one, so I haven't "
    "changed anything."
)
OFFER_GONE = (
    "That offer is no longer open, so I haven't changed anything. Tell me what you'd like to do "
    "and I'll look again."
)
NOT_ANSWERABLE = "I can't answer that reliably here."
UNCHANGED = "I haven't changed anything. I need a clear yes or no to this:"

_AMOUNT = ("how much", "amount", "full", "all of it", "whole", "total", "money", "everything")
_ITEMS = ("item", "items", "which", "included", "include", "includes", "product", "products")
_ORDER = ("order", "which order")
_TIMING = ("how long", "when", "days", "time", "soon", "today", "week", "weeks", "quick")
_DISAGREEMENT = (
    "wrong",
    "incorrect",
    "mistake",
    "mistaken",
    "not right",
    "isn't right",
    "not correct",
    "isn't correct",
    "error",
    "nonsense",
)


def terms_of(
    proposal: Proposal, facts: OrderFacts | None, context: CustomerContext | None
) -> ProposalTerms:
    """What a yes would write, as the reader compares it: names from the order's facts, the
    customer's other item names (naming one is a change), the proposed order's AWBs."""
    names = {i.sku: i.name for i in facts.items} if facts else {}
    lines = proposal.items or proposal.for_lines
    own = [names.get(i.sku, i.sku) for i in lines]
    others: list[str] = []
    awbs: list[str] = []
    for order in context.active_orders if context else []:
        if order.order_id == proposal.order_id:
            awbs += [s.awb for s in order.shipments]
        others += [n for n in order.item_names if n not in own]
    if facts:
        # Lines the proposal leaves out; for a proposal on the whole order (no lines listed),
        # every line: naming one ("only the jacket is missing") narrows it, never agrees to it.
        proposed = {i.sku for i in lines}
        others += [i.name for i in facts.items if i.sku not in proposed]
    return ProposalTerms(
        action=proposal.action.value,
        order_id=proposal.order_id,
        amount=proposal.amount,
        currency=proposal.currency,
        item_names=tuple(own),
        quantities=tuple(i.quantity for i in lines),
        awbs=tuple(awbs),
        other_item_names=tuple(dict.fromkeys(others)),
        not_received=proposal.reason_code
        in (ReasonCode.DELIVERY_DISPUTE, ReasonCode.DELIVERY_FAILED),
        said_words=words_of(proposal.message or ""),
        signatory=signatory_of(proposal.message or ""),
    )


def elsewhere(proposal: Proposal) -> str:
    """The honest answer to "yes, but send it to my wife": where it goes is not ours to change."""
    if proposal.action is Action.RETURN:
        where = (
            "A return is refunded to the original payment method, and its label sends the "
            "items back to us"
        )
    else:
        where = "A refund can only go back to the original payment method"
    return f"{where}, so I can't send it anywhere else. {UNCHANGED}"


def disagrees(reply: str) -> bool:
    """ "You're wrong" is not a no: the customer says the terms are off, so ask, don't stop."""
    return has_phrase(read_mentions(reply), _DISAGREEMENT)


def answer(reply: str, proposal: Proposal, facts: OrderFacts | None) -> str:
    """An answer from the proposal's own terms, or an honest "can't answer that here"."""
    mentions = read_mentions(reply)
    amount = money(proposal.amount, proposal.currency)
    said: list[str] = []
    if has_phrase(mentions, _AMOUNT):
        if proposal.action is Action.RETURN:
            said.append(f"Once the items are received you'd be refunded up to {amount}.")
        else:
            said.append(f"The refund would be {amount} on order {proposal.order_id}.")
    if proposal.action is Action.RETURN and has_phrase(mentions, _ITEMS):
        names = {i.sku: i.name for i in facts.items} if facts else {}
        lines = ", ".join(f"{i.quantity} x {names.get(i.sku, i.sku)}" for i in proposal.items)
        said.append(f"The return covers {lines}.")
    if not said and has_phrase(mentions, _ORDER):
        said.append(f"This is for order {proposal.order_id}.")
    if has_phrase(mentions, _TIMING):
        said.append("I can't tell you the timing reliably from here.")
    if not said:
        said.append(NOT_ANSWERABLE)
    return " ".join([*said, UNCHANGED])
