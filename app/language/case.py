"""The case reader: the customer's words plus their own orders -> order, items, ask, reason,
amount; or "this is not a request for an outcome".

Structure decides what structure can (ids, amounts, item names, counts, exclusions); the trained
heads (reasons.py) read what is meant in any wording: why they write and what they ask for.
Nothing here decides eligibility or writes anything: it is a reading, and code downstream checks
it against the platform and the customer confirms the exact terms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.language.asked_outcome import asked_outcome
from app.language.gloss import gloss
from app.language.items import ItemPick, ItemReading, read_items, select
from app.language.letters import without_letter_frame
from app.language.named import Named, read_named
from app.language.reasons import Ask, CaseHeads, Encoder, Gist, Reason, heads_text
from app.platform.contract import DELIVERED_STATES, OrderSummary

# Below this the head's reason is not trusted: better no reason (and a question) than a wrong one.
MIN_REASON_P = 0.35
MIN_NOT_A_REQUEST_P = 0.5
# A replacement is never offered, only answered honestly; a weak reading of one would turn a
# plain complaint ("you sent the wrong item") into that answer, so it must be clear.
MIN_REPLACEMENT_P = 0.6


_MISSING_REASONS = frozenset({Reason.NOT_RECEIVED, Reason.STRANGER_SIGNED, Reason.LATE})


@dataclass(frozen=True)
class CaseReading:
    order_id: str | None
    # An id the customer named that is none of theirs; only reported when no own order is named.
    unknown_order: str | None
    ask: Ask
    reason: Reason
    amount: float | None
    share: float | None
    # The items as said, for the order the case is about (resolved later when it is not known).
    item_reading: ItemReading
    not_a_request: bool
    # Role markers or "ignore previous instructions": never a customer's request, whatever
    # else it names.
    addressed_to_system: bool = False
    # The words read, for reading items again once the order is known from the open case.
    text: str = ""
    # How sure the heads are of the ask and the reason (0 when not read by the heads).
    ask_p: float = 0.0
    reason_p: float = 0.0


def read_case(
    message: str,
    orders: Sequence[OrderSummary],
    heads: CaseHeads,
    encoder: Encoder,
) -> CaseReading:
    named = read_named(message)
    # The heads read the words put right ("nevr arived"); ids and amounts come from the raw text.
    words = [w for o in orders for name in o.item_names for w in name.lower().split()]
    # Items named by other words ("the sneakers", "the charger") are items to the heads too.
    every = [n for o in orders for n in o.item_names]
    words += [w for o in orders for said in read_items(message, o.item_names, every).said for w
              in said.split()]  # fmt: skip
    (gist,) = heads.read([heads_text(without_letter_frame(message), words)], encoder)
    return reading_from(message, named, gist, orders)


def reading_from(
    message: str, named: Named, gist: Gist, orders: Sequence[OrderSummary]
) -> CaseReading:
    order_id, unknown = _order(message, named, orders)
    order = next((o for o in orders if o.order_id == order_id), None)
    every = [n for o in orders for n in o.item_names]
    items = read_items(message, order.item_names, every) if order else ItemReading()
    reason = gist.reason if gist.reason_p >= MIN_REASON_P else Reason.NONE
    reason_p = gist.reason_p
    if items.missing and reason not in _MISSING_REASONS:
        # Structure says it outright ("the headlamp never made it, everything else did"): a
        # line that is missing was not received, whatever the heads made of the rest.
        reason, reason_p = Reason.NOT_RECEIVED, 1.0
    ask = gist.ask
    if ask in (Ask.NONE, Ask.UNSTATED):
        # "I wonder if you might let me send the wellies back?": said in so many words, though
        # the heads read no outcome in the whole.
        ask = asked_outcome(gloss(message)) or ask
    not_a_request = (
        named.addressed_to_system
        or named.declines_any
        or (ask is Ask.NONE and gist.ask_p >= MIN_NOT_A_REQUEST_P)
    )
    amount = named.amounts[0] if len(named.amounts) == 1 else None
    if ask is Ask.REPLACEMENT and gist.ask_p < MIN_REPLACEMENT_P:
        ask = Ask.UNSTATED
    if items.missing and ask is Ask.RETURN:
        # Lines that never came cannot be sent back: a "return" of them is the heads misreading
        # a long message ("the two beanies weren't in the box … could I get a refund for the
        # beanies" was once read as a return); the missing lines make the case.
        ask = Ask.UNSTATED
    return CaseReading(
        order_id=order_id,
        unknown_order=unknown,
        ask=Ask.NONE if not_a_request else ask,
        reason=reason,
        amount=amount,
        share=named.share if amount is None else None,
        item_reading=items,
        not_a_request=not_a_request,
        addressed_to_system=named.addressed_to_system,
        text=message,
        ask_p=gist.ask_p,
        reason_p=reason_p,
    )


def _order(
    message: str, named: Named, orders: Sequence[OrderSummary]
) -> tuple[str | None, str | None]:
    """(own order, unknown id). Own ids win over foreign ones: a customer who names their order
    and someone else's keeps theirs; the foreign one is never looked up."""
    own = {o.order_id for o in orders}
    by_awb = {s.awb: o.order_id for o in orders for s in o.shipments}
    said = set(named.order_ids) | {by_awb.get(a, a) for a in named.awbs}
    mine = sorted(said & own)
    foreign = sorted(said - own)
    if len(mine) == 1:
        return mine[0], None
    if mine:
        # "send ORD-1 to my work address … and return the raincoat from ORD-2": of the orders
        # named, the one whose lines the message names.
        every = [n for o in orders for n in o.item_names]
        holding = [
            o.order_id
            for o in orders
            if o.order_id in mine and _names_lines(read_items(message, o.item_names, every))
        ]
        return (holding[0], None) if len(holding) == 1 else (None, None)
    if foreign:
        return None, foreign[0]
    # No id: an order whose items the message names, when exactly one does.
    # "got the shoes but my scarf never arrived": the order holding both beats one holding
    # only the shoes.
    every = [n for o in orders for n in o.item_names]
    readings = [(o.order_id, read_items(message, o.item_names, every)) for o in orders]
    lines = [(oid, r) for oid, r in readings if _names_lines(r)]
    # An order whose lines the message names by their own words beats one it names only by
    # meaning: "der sleeping bag" is the order with the Down Sleeping Bag, not the one whose
    # jacket is the nearest meaning another order has.
    by_words = {oid: len(set(r.said) - set(r.meant)) for oid, r in lines}
    named = {oid: n for oid, n in by_words.items() if n} or {
        oid: len(set(r.said)) for oid, r in lines
    }
    if not named:
        return None, None
    most = max(named.values())
    best = [oid for oid, n in named.items() if n == most]
    return (best[0], None) if len(best) == 1 else (None, None)


def _names_lines(reading: ItemReading) -> bool:
    # "everything except the charger" names the order holding the charger as surely as
    # "the charger" does.
    return bool(reading.picked or reading.excluded)


def item_set(reading: ItemReading, order: OrderSummary) -> tuple[ItemPick, ...] | None:
    """The item set within `order`: () when nothing was said about items, None when what was
    said cannot be resolved to the order's lines (ask, never assume)."""
    return select(reading, order.item_names)


def items_of(message: str, order: OrderSummary, orders: Sequence[OrderSummary] = ()) -> ItemReading:
    """The message's items within `order`; `orders`: all the customer's (see read_items)."""
    return read_items(message, order.item_names, [n for o in orders for n in o.item_names])


# A statement that something is not there: "not here", "nothing came", "no tengo nada", "I don't
# have it". Negation words of the languages customers mix in are included on purpose.
_ABSENT = re.compile(
    r"\b(?:not|nothing|nada|nichts|nicht|rien|nope|nobody|never|isn'?t|wasn'?t|ain'?t|"
    r"haven'?t|hasn'?t|didn'?t)\b|\bno\b(?!\s+(?:thanks|thank|worries|problem|rush))"
    r"|\bdon'?t\s+(?:have|see|got)\b",
    re.IGNORECASE,
)


def disputes_delivery(reading: CaseReading, order: OrderSummary | None) -> CaseReading:
    """A follow-up about an order named earlier, which the platform shows delivered: "not here.
    refund" answers the status it was just given. Read alone it says no reason (the heads see
    two words and an ask); against the delivered order, a refund asked with a statement that
    something is not there is the customer saying they never received it."""
    if (
        order is None
        or reading.order_id is not None
        or reading.not_a_request
        or reading.reason is not Reason.NONE
        or reading.ask is not Ask.REFUND
        or not order.shipments
        or any(s.status not in DELIVERED_STATES for s in order.shipments)
        or not _ABSENT.search(reading.text)
    ):
        return reading
    return replace(reading, reason=Reason.NOT_RECEIVED, reason_p=max(reading.ask_p, MIN_REASON_P))
