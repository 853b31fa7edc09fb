"""Which of the customer's shipments a tracking question is about, decided without a model.

Order of evidence: an AWB or order id in the message (it must belong to the customer's active
orders), else an item name that matches exactly one order, else the only candidate shipment.
Anything ambiguous or unknown resolves to None: the Tracking worker asks, the fast path never
guesses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.guardrails.protected_ids import tracking_numbers
from app.platform.contract import (
    AWB_PATTERN,
    DELIVERED_STATES,
    ORDER_ID_PATTERN,
    OrderSummary,
    ShipmentStatus,
)

_ORDER_ID = re.compile(rf"\b{ORDER_ID_PATTERN.strip('^$')}\b", re.IGNORECASE)
_AWB = re.compile(rf"\b{AWB_PATTERN.strip('^$')}\b", re.IGNORECASE)
_ANY_ID = re.compile(rf"{_ORDER_ID.pattern}|{_AWB.pattern}", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# Trailing words that name a pack, not the product ("Hand Cream Set" is about cream).
_PACK_WORDS = frozenset({"set", "trio", "kit", "pack", "pair", "bundle"})


@dataclass(frozen=True)
class ShipmentTarget:
    order_id: str
    awb: str
    status: ShipmentStatus


def ids_in(text: str) -> list[str]:
    """Order ids, AWBs and carrier tracking numbers written in a text, upper-cased, in the order
    they appear. A carrier's own number never matches one of the platform's AWBs, so it stands
    for a parcel we cannot find, never for the nearest shipment of the customer's."""
    found = [(m.start(), m.group(0).upper()) for m in _ANY_ID.finditer(text)]
    found += tracking_numbers(text)
    return list(dict.fromkeys(i for _, i in sorted(found)))


def order_ids_in(text: str) -> list[str]:
    """Order ids written in a text, upper-cased, in the order they appear."""
    return [m.group(0).upper() for m in _ORDER_ID.finditer(text)]


def mentioned_ids(message: str) -> tuple[set[str], set[str]]:
    """(order ids, AWBs) written in the message, upper-cased."""
    orders = set(order_ids_in(message))
    awbs = {m.group(0).upper() for m in _AWB.finditer(message)}
    return orders, awbs


def _parcel_ids(message: str) -> tuple[set[str], set[str]]:
    """(order ids, parcel numbers): the AWBs plus any carrier tracking numbers, which are
    never one of the customer's shipments."""
    orders, awbs = mentioned_ids(message)
    return orders, awbs | {number for _, number in tracking_numbers(message)}


def resolve_shipment(
    message: str,
    orders: Sequence[OrderSummary],
    *,
    delivered_only: bool = False,
    earlier_ids: Sequence[str] = (),
) -> ShipmentTarget | None:
    """The one shipment the message is about, or None when that is not certain.

    `earlier_ids` are ids from earlier turns, newest first: a follow-up that names nothing
    ("and when will it arrive?") is about the newest of them that is the customer's.
    `delivered_only` narrows the last step (no id, no item named) to delivered shipments: a
    proof-of-delivery question can only be about one of those.
    """
    targets = [ShipmentTarget(o.order_id, s.awb, s.status) for o in orders for s in o.shipments]
    order_ids, awbs = _parcel_ids(message)
    if order_ids or awbs:
        return _by_ids(targets, order_ids, awbs)
    named = _by_item_name(message, orders)
    if named is not None:
        return _only(t for t in targets if t.order_id in named)
    for earlier in earlier_ids:
        target = _by_ids(targets, *mentioned_ids(earlier))
        if target is not None:
            return target
    if delivered_only:
        return _only(t for t in targets if t.status in DELIVERED_STATES)
    return _only(targets)


def _by_ids(
    targets: list[ShipmentTarget], order_ids: set[str], awbs: set[str]
) -> ShipmentTarget | None:
    known_orders = {t.order_id for t in targets}
    known_awbs = {t.awb for t in targets}
    # One id we do not know (another customer's, a typo, an old order) and we stay out of it.
    if not order_ids <= known_orders or not awbs <= known_awbs:
        return None
    picked = [t for t in targets if t.awb in awbs or (not awbs and t.order_id in order_ids)]
    if awbs and order_ids and any(t.order_id not in order_ids for t in picked):
        return None  # an AWB and an order id that do not belong together
    return _only(picked)


# Alone, these are what the goods came in ("threw the receipt out with the box"), not a line.
PARCEL_WORDS = frozenset({"box", "package", "parcel", "packet", "envelope", "packaging"})


def _by_item_name(message: str, orders: Sequence[OrderSummary]) -> set[str] | None:
    """Ids of the orders whose items the message names; None when it names none."""
    words = {_singular(w) for w in _WORD.findall(message.lower())}
    text = f" {' '.join(_WORD.findall(message.lower()))} "
    full = {o.order_id for o in orders if any(f" {_full_name(n)} " in text for n in o.item_names)}
    if full:
        return full
    by_head = {
        o.order_id
        for o in orders
        if any(_head(n) in words and _head(n) not in PARCEL_WORDS for n in o.item_names)
    }
    return by_head or None


def _full_name(item_name: str) -> str:
    return " ".join(_WORD.findall(item_name.lower()))


def _head(item_name: str) -> str:
    """The noun a customer would use: "Trail Running Shoes" -> "shoe", "Tablet 10in" -> "tablet"."""
    words = [w for w in _WORD.findall(item_name.lower()) if not any(c.isdigit() for c in w)]
    while len(words) > 1 and words[-1] in _PACK_WORDS:
        words.pop()
    return _singular(words[-1]) if words else "\0"


def _singular(word: str) -> str:
    if word.endswith("ses") or word.endswith("shes") or word.endswith("ches"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _only(targets: Iterable[ShipmentTarget]) -> ShipmentTarget | None:
    unique = list(dict.fromkeys(targets))
    return unique[0] if len(unique) == 1 else None


# Ordinal answers to "which order do you mean?", whose list is newest first.
_ORDINALS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\b(first|1st|top|number one|no\.? ?1|#1)\b"), 0),
    (re.compile(r"\b(second|2nd|middle|number two|no\.? ?2|#2)\b"), 1),
    (re.compile(r"\b(third|3rd|number three|no\.? ?3|#3)\b"), 2),
    (re.compile(r"\b(fourth|4th|#4)\b"), 3),
    (re.compile(r"\b(fifth|5th|#5)\b"), 4),
    (re.compile(r"\b(newest|latest|most recent|last one i (?:ordered|bought)|recent one)\b"), 0),
    (re.compile(r"\b(oldest|older one|earlier one|bottom one|last on the list)\b"), -1),
)
_BARE_NUMBER = re.compile(r"^\D*\b([1-5])\b\D*$")


def choose_candidate(
    message: str, candidates: Sequence[str], orders: Sequence[OrderSummary]
) -> str | None:
    """The order the customer picked from a list we showed them (`candidates`, newest first):
    by id, by item name among the candidates only, or by position ("the second one", "2",
    "the oldest"). None when the reply does not pick exactly one."""
    shown = [o for o in orders if o.order_id in candidates]
    order_ids, awbs = mentioned_ids(message)
    if order_ids or awbs:
        picked = {o.order_id for o in shown if o.order_id in order_ids} | {
            o.order_id for o in shown for s in o.shipments if s.awb in awbs
        }
        return next(iter(picked)) if len(picked) == 1 else None
    named = _by_item_name(message, shown)
    if named is not None:
        return next(iter(named)) if len(named) == 1 else None
    lowered = message.lower()
    positions = {index for pattern, index in _ORDINALS if pattern.search(lowered)}
    if (bare := _BARE_NUMBER.match(lowered)) is not None:
        positions.add(int(bare.group(1)) - 1)
    if len(positions) != 1:
        return None
    (position,) = positions
    if -len(candidates) <= position < len(candidates):
        return candidates[position]
    return None


def resolve_order(
    message: str, orders: Sequence[OrderSummary], *, earlier_ids: Sequence[str] = ()
) -> OrderSummary | None:
    """The one order a message is about (by id, AWB, item name, or the newest earlier mention),
    for questions a single shipment cannot answer: an order that ships in several parcels."""
    by_id = {o.order_id: o for o in orders}
    targets = [ShipmentTarget(o.order_id, s.awb, s.status) for o in orders for s in o.shipments]
    order_ids, awbs = _parcel_ids(message)
    if order_ids or awbs:
        if not order_ids <= set(by_id) or not awbs <= {t.awb for t in targets}:
            return None
        owners = order_ids | {t.order_id for t in targets if t.awb in awbs}
        return by_id[next(iter(owners))] if len(owners) == 1 else None
    named = _by_item_name(message, orders)
    if named is not None:
        return by_id[next(iter(named))] if len(named) == 1 else None
    for earlier in earlier_ids:
        found_orders, found_awbs = mentioned_ids(earlier)
        owners = {o for o in found_orders if o in by_id} | {
            t.order_id for t in targets if t.awb in found_awbs
        }
        if len(owners) == 1:
            return by_id[next(iter(owners))]
    return orders[0] if len(orders) == 1 else None
