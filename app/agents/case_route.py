"""A message that asks for an outcome goes to the worker that can grant one.

The router votes over exemplars of whole messages, so "Headphones never arrived." or "lost?? ok
refund it then" (a short follow-up to a status answer) can land on Tracking, which then offers
to help and cannot. The case reader (app/language/case.py) reads what is asked item by item;
when it reads a plain request for a refund or a return, or a parcel that the carrier shows as
delivered (or lost) but the customer does not have, the turn goes to Negotiation. Negotiation
still proposes exact terms and writes nothing without a yes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from app.language.case import CaseReading, items_of, read_case, reading_from
from app.language.named import read_named
from app.language.reasons import Ask, CaseHeads, Gist, Reason, case_heads, heads_text
from app.platform.contract import DELIVERED_STATES, OrderSummary, ShipmentStatus
from app.routing.embeddings import shared_encoder
from app.routing.intents import Intent

# Clear readings only: a weak one leaves the router's decision as it was.
MIN_ASK_P = 0.6
MIN_REASON_P = 0.6
# Still on its way (a delay included): "it hasn't arrived" is then a question for Tracking.
_NOT_YET_DUE = frozenset(
    {
        ShipmentStatus.LABEL_CREATED,
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.DELAYED,
    }
)
_MISSING = frozenset({Reason.NOT_RECEIVED, Reason.STRANGER_SIGNED})
# Reasons about an item the customer has in hand, and the request each makes.
_HELD = {
    Reason.LOST_RECEIPT: Intent.INITIATE_RETURN,
    Reason.DAMAGED: Intent.INITIATE_RETURN,
    Reason.DOESNT_FIT: Intent.INITIATE_RETURN,
    Reason.CHANGED_MIND: Intent.INITIATE_RETURN,
    Reason.WRONG_ITEM: Intent.REFUND_REQUEST,
}


# "return window on headphones?", "what's your refund policy": return/refund as the name of a
# rule is a question for Policy, however much it reads like a request.
_ABOUT_RULES = re.compile(
    r"\b(?:return|returns|refund|refunds|exchange)\s+(?:window|policy|policies|period|time|"
    r"timeframe|rules?|terms|conditions|process|deadline|limit|label cost|fee|fees)\b"
    r"|\bhow (?:long|many days|much time)\b",
    re.IGNORECASE,
)


@functools.cache
def _heads() -> CaseHeads:
    return case_heads()  # read from its file once per process, not once a turn


def case_words(orders: Sequence[OrderSummary]) -> list[str]:
    """The words of the customer's item names, which the case reader spells towards."""
    return [w for o in orders for name in o.item_names for w in name.lower().split()]


def read_gists(messages: Sequence[tuple[str, Sequence[str]]]) -> list[Gist]:
    """The case reader's heads for several (message, `case_words`) pairs in one encoder call:
    what `outcome_intent` reads of each, computed where the encoder runs in batches (the
    Guardrail replica, beside the router's embedding) instead of one message at a time."""
    texts = [heads_text(message, words) for message, words in messages]
    return _heads().read(texts, shared_encoder()) if texts else []


def outcome_intent(
    message: str,
    orders: Sequence[OrderSummary],
    answering: Intent | None = None,
    gist: Gist | None = None,
    own_order_only: bool = False,
) -> Intent | None:
    """The negotiation intent when the message asks for an outcome, else None. `answering`:
    the negotiation intent of the turn before, when this message may answer its question
    ("which order?" -> "it's the one from last week, ORD-…"). `gist`: the heads' reading of
    this message against `case_words(orders)`, when already made (`read_gists`).
    `own_order_only`: only a request that names or implies one of the customer's orders (by
    its id or its items' words) counts."""
    if not orders or _ABOUT_RULES.search(message):
        return None
    if gist is None:
        reading = read_case(message, orders, _heads(), shared_encoder())
    else:
        reading = reading_from(message, read_named(message), gist, orders)
    if own_order_only and reading.order_id is None:
        return None
    asked = intent_of(reading, orders)
    if asked is None and answering is not None and _answers(reading):
        return answering
    return asked


_WHERE_WHEN = re.compile(r"^\W*(?:where|when)\b", re.IGNORECASE)


def _answers(reading: CaseReading) -> bool:
    """Names one of the customer's orders, and is no question of its own ("where is …?")."""
    return (
        reading.order_id is not None
        and not reading.addressed_to_system
        and not _WHERE_WHEN.match(reading.text)
    )


def intent_of(reading: CaseReading, orders: Sequence[OrderSummary]) -> Intent | None:
    if reading.not_a_request or reading.addressed_to_system:
        return None
    if reading.ask is Ask.RETURN and reading.ask_p >= MIN_ASK_P:
        return Intent.INITIATE_RETURN
    if reading.ask is Ask.REFUND and reading.ask_p >= MIN_ASK_P:
        return Intent.REFUND_REQUEST
    kept = _HELD.get(reading.reason)
    if kept is not None and reading.reason_p >= MIN_REASON_P and reading.ask is not Ask.NONE:
        # "lost my receipt for the rain jacket, can I still return it": about a line the
        # customer holds, on an order of theirs that has arrived.
        order = next((o for o in orders if o.order_id == reading.order_id), None)
        if order is not None and all(s.status in DELIVERED_STATES for s in order.shipments):
            return kept
    if reading.reason in _MISSING and reading.reason_p >= MIN_REASON_P:
        # The order it is about, or every order it could be about (Negotiation asks which).
        named = [o for o in orders if o.order_id == reading.order_id]
        candidates = named or ([] if reading.unknown_order else _holding(reading, orders))
        # "it never arrived" about a parcel still on its way is a tracking question.
        if candidates and all(
            s.status not in _NOT_YET_DUE for o in candidates for s in o.shipments
        ):
            return Intent.DELIVERY_DISPUTE
    return None


def _holding(reading: CaseReading, orders: Sequence[OrderSummary]) -> list[OrderSummary]:
    """The orders holding a line the message names (all of them when it names none)."""
    holding = [o for o in orders if items_of(reading.text, o, orders).names_items]
    return holding or list(orders)
