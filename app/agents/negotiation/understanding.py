"""Which order, which outcome, which items, how much: the case reader's reading (app.language)
merged into the negotiation's case.

The reader reads (ids, amounts, item names by structure; why and what is asked by the trained
heads); this module turns that into the terms the rules decide on and merges it into an open
case. The model only fills what this left open, under a schema narrowed to the customer's own
orders and items, and its answer is still just a reading: the customer confirms the exact
proposal before any write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from app.agents.negotiation.language import has_phrase, read_mentions
from app.agents.negotiation.state import CaseRequest, Outcome
from app.language.case import CaseReading, item_set, items_of
from app.language.item_meaning import meanings
from app.language.items import ItemPick, ItemReading
from app.language.reasons import Ask, Reason
from app.llm.client import ChatModel, Completion, ModelUnavailable
from app.platform.contract import DELIVERED_STATES, OrderSummary, ShipmentStatus
from app.routing.order_resolution import resolve_shipment
from app.tools.narrowing import decoder_schema

# "Any news?": a question about the last case, not a new request (even if it says "refund").
STATUS_PHRASES = (
    "any news",
    "any update",
    "an update",
    "status",
    "what happened",
    "heard back",
    "heard anything",
    "where is my refund",
    "where's my refund",
    "has my refund",
    "is my refund",
    "did my refund",
)
_FAILED = frozenset({ShipmentStatus.LOST, ShipmentStatus.RETURNED, ShipmentStatus.DELAYED})
COMPATIBLE_STATES: dict[Outcome, frozenset[ShipmentStatus]] = {
    Outcome.DISPUTE: DELIVERED_STATES | _FAILED,
    Outcome.WRONG_ITEM: DELIVERED_STATES,
    Outcome.RETURN: DELIVERED_STATES,
    Outcome.REFUND: frozenset(ShipmentStatus),
}


def asks_status(message: str) -> bool:
    return has_phrase(read_mentions(message), STATUS_PHRASES)


def implied_order(
    message: str, orders: Sequence[OrderSummary], outcome: Outcome | None, earlier: Sequence[str]
) -> str | None:
    target = resolve_shipment(message, orders, earlier_ids=earlier)
    if target is not None:
        return target.order_id
    # "the woollen jumper I bought" with no order id: the one order with a line it means.
    readings = [items_of(message, o, orders) for o in orders]
    # A meaning never breaks a tie that the lines' own words left (resolution found them
    # ambiguous).
    by_words = any(len(r.meant) < len(r.said) for r in readings)
    meant = None if by_words else _order_meant(readings, orders)
    if meant is not None:
        return meant
    if outcome is None:
        return None
    plausible = candidates(orders, outcome)
    return plausible[0].order_id if len(plausible) == 1 else None


def _order_meant(readings: Sequence[ItemReading], orders: Sequence[OrderSummary]) -> str | None:
    """The one order whose lines the message's loose words mean, read against every line of
    every order at once (a one-line order has no neighbour of its own to lose a margin to)."""
    phrases = {p for reading in readings for p in reading.meant}
    if not phrases:
        return None
    owner = {n: o.order_id for o in orders for n in o.item_names}
    found = {
        owner[n] for m in meanings(sorted(phrases), list(owner)) if m is not None for n in m.names
    }
    return found.pop() if len(found) == 1 else None


def candidates(orders: Sequence[OrderSummary], outcome: Outcome | None) -> list[OrderSummary]:
    """The customer's orders the outcome could apply to (all of them when none fits)."""
    if outcome is None:
        return list(orders)
    states = COMPATIBLE_STATES[outcome]
    fitting = [o for o in orders if any(s.status in states for s in o.shipments)]
    return fitting or list(orders)


# ---------------------------------------------------------------- the model's reading


class ModelReading(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str | None = None
    outcome: Outcome | None = None
    # The order's lines the customer means (names as listed), null when the message names none.
    items: list[str] | None = None
    reason: Reason | None = None


def reading_model(order_ids: Sequence[str], item_names: Sequence[str] = ()) -> type[ModelReading]:
    """The reading schema narrowed to this customer's orders and their items: no other id or
    item can be decoded (XGrammar enforces the enums on the served model)."""
    fields: dict[str, Any] = {}
    if order_ids:
        ids: Any = Literal[tuple(sorted(order_ids))]  # type: ignore[valid-type]
        fields["order_id"] = (ids | None, Field(default=None))
    names = sorted(set(item_names))
    if names:
        allowed: Any = Literal[tuple(names)]  # type: ignore[valid-type]
        fields["items"] = (list[allowed] | None, Field(default=None, max_length=len(names)))
    if not fields:
        return ModelReading
    return create_model(  # type: ignore[call-overload,no-any-return]
        "ModelReading", __base__=ModelReading, **fields
    )


async def model_reading(
    model: ChatModel,
    instructions: str,
    message: str,
    orders: Sequence[OrderSummary],
) -> tuple[ModelReading | None, Completion | None]:
    """Ask the model for the order, outcome, items and reason under the narrowed schema; None
    if it fails. Only a reading: code checks it against the case and the platform's rules."""
    schema_model = reading_model(
        [o.order_id for o in orders], [n for o in orders for n in o.item_names]
    )
    listing = "\n".join(
        f"- {o.order_id}: {', '.join(o.item_names)} ({', '.join(s.status for s in o.shipments)})"
        for o in orders
    )
    messages = [
        {
            "role": "system",
            "content": f"{instructions}\n\nThe customer's orders:\n{listing}\n\n"
            "Answer with JSON only: the order the customer means, the outcome they want, "
            "the items of that order they mean and why they write (null for anything the "
            "message does not say; never guess items).",
        },
        {"role": "user", "content": message},
    ]
    try:
        completion = await model.complete(
            messages,
            max_tokens=160,
            temperature=0.0,
            response_schema=decoder_schema(schema_model),
            schema_name="negotiation_request",
        )
    except ModelUnavailable:
        return None, None
    if completion.finish_reason == "length":
        return None, completion
    try:
        return schema_model.model_validate(json.loads(completion.text)), completion
    except (ValueError, ValidationError):
        return None, completion


# ---------------------------------------------------------------- the case reader's reading

# Why the customer writes -> the outcome the rules decide on, when they ask for money back or
# name no outcome. Damage, fit, a change of mind and a lost receipt are about items they hold:
# those go back (a return, refunded on receipt), never a refund for a "lost parcel".
_REASON_OUTCOMES = {
    Reason.NOT_RECEIVED: Outcome.DISPUTE,
    Reason.STRANGER_SIGNED: Outcome.DISPUTE,
    Reason.LATE: Outcome.DISPUTE,
    Reason.WRONG_ITEM: Outcome.WRONG_ITEM,
    Reason.DAMAGED: Outcome.RETURN,
    Reason.DOESNT_FIT: Outcome.RETURN,
    Reason.CHANGED_MIND: Outcome.RETURN,
    Reason.LOST_RECEIPT: Outcome.RETURN,
}


def outcome_from(reading: CaseReading) -> Outcome | None:
    if reading.not_a_request or reading.ask is Ask.REPLACEMENT:
        return None
    if reading.ask is Ask.RETURN:
        return Outcome.RETURN
    by_reason = _REASON_OUTCOMES.get(reading.reason)
    if by_reason is not None:
        return by_reason
    if reading.ask is Ask.REFUND:
        return Outcome.REFUND
    # A message that says neither what nor why gets a question, not the router's guess: its
    # intent is an embedding neighbour of the whole message, and "send it to my neighbour
    # instead" sits close to requests it is not.
    return None


def case_from(
    reading: CaseReading,
    old: CaseRequest | None,
    orders: Sequence[OrderSummary],
    implied_order: str | None = None,
) -> CaseRequest:
    """The reading merged into the open case: what this message names wins, the rest carries
    over; items and amounts named for one order never carry over to another."""
    outcome = outcome_from(reading)
    order_id = reading.order_id or implied_order
    if old is not None:
        switched = bool(order_id and old.order_id and order_id != old.order_id)
        if not switched and old.order_id:
            order_id = old.order_id if reading.order_id is None else order_id
        if old.outcome is not None and reading.ask not in (Ask.REFUND, Ask.RETURN):
            # "not the backpack" in reply to a return proposal keeps it a return.
            outcome = old.outcome
        elif old.outcome in (Outcome.DISPUTE, Outcome.WRONG_ITEM) and outcome is Outcome.REFUND:
            # "could you refund only the scarf?" after a dispute: the refund the dispute asks
            # for, narrowed; a bare "refund" gives no new reason.
            outcome = old.outcome
        outcome = outcome or old.outcome
    else:
        switched = False
    order = next((o for o in orders if o.order_id == order_id), None)
    items = _items(reading, old if not switched else None, order, orders)
    carried_amount = old.amount if old and not switched else None
    carried_share = old.share if old and not switched else None
    amount = reading.amount or (None if reading.share else carried_amount)
    share = reading.share or (None if reading.amount else carried_share)
    reason = reading.reason.value if reading.reason is not Reason.NONE else None
    return CaseRequest(
        order_id=order_id,
        outcome=outcome,
        amount=amount,
        share=share,
        items=list(items or []),
        reason=reason or (old.reason if old and not switched else None),
        unknown_order=reading.unknown_order if order_id is None else None,
    )


def _items(
    reading: CaseReading,
    old: CaseRequest | None,
    order: OrderSummary | None,
    orders: Sequence[OrderSummary] = (),
) -> list[ItemPick]:
    if order is None:
        return []
    said = reading.item_reading
    if reading.order_id != order.order_id:
        # The order came from the open case or was implied: read the items against its lines.
        said = items_of(reading.text, order, orders)
    if said.picked:
        picked = list(item_set(said, order) or [])
        if old is not None and old.items and picked and adds_to_items(reading.text):
            # "yes but only if the backpack goes too": the named lines join the case's lines,
            # they do not replace them (a line named again takes its new quantity).
            named = {p.name for p in picked}
            return [p for p in old.items if p.name not in named] + picked
        return picked
    if said.bare_count and old is not None and len(old.items) == 1:
        # "not both, only one pair is missing" about the one line the case is about.
        line = old.items[0]
        if line.quantity is None or said.bare_count < line.quantity:
            return [line.model_copy(update={"quantity": said.bare_count})]
    if said.excluded and not said.everything and old is not None and old.items:
        return [p for p in old.items if p.name not in said.excluded]
    if said.everything or said.excluded:
        return list(item_set(said, order) or [])
    return list(old.items) if old is not None else []


# Words that add lines to the open case rather than name its whole new item set. "only" is
# not a replacement cue when one of these is present ("only if the mug comes too").
_ADDS_TO = re.compile(
    r"\b(?:too|also|as well|aswell|additionally|in addition|on top|plus|add|adding|along with"
    r"|together with|both)\b",
    re.IGNORECASE,
)


def adds_to_items(message: str) -> bool:
    return _ADDS_TO.search(message) is not None


def items_unresolved(
    message: str, case: CaseRequest, orders: Sequence[OrderSummary], reading: CaseReading
) -> OrderSummary | None:
    """The order whose item set must be asked for, or None when the item set is settled.

    Never for a one-line order: "the red one" can only be its one line. Otherwise asked when
    what was said about items matches no single line, or when the outcome is about particular
    items (a return, a wrong item) on an order with several lines and none was named. Not asked
    for a dispute: a parcel that never arrived is missing as a whole, so the whole order is what
    the customer lacks.
    """
    order = next((o for o in orders if o.order_id == case.order_id), None)
    if order is None or case.items:
        return None
    same = reading.order_id == order.order_id
    said = reading.item_reading if same else items_of(message, order, orders)
    lines = list(dict.fromkeys(order.item_names))
    if len(lines) <= 1:
        return None
    if said.unresolved or ((said.picked or said.excluded) and item_set(said, order) is None):
        return order
    if case.outcome in (Outcome.RETURN, Outcome.WRONG_ITEM):
        return order
    return None
