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

from app.platform.contract import (
    AWB_PATTERN,
    DELIVERED_STATES,
    ORDER_ID_PATTERN,
    OrderSummary,
    ShipmentStatus,
)

_ORDER_ID = re.compile(rf"\b{ORDER_ID_PATTERN.strip('^$')}\b", re.IGNORECASE)
_AWB = re.compile(rf"\b{AWB_PATTERN.strip('^$')}\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# Trailing words that name a pack, not the product ("Hand Cream Set" is about cream).
_PACK_WORDS = frozenset({"set", "trio", "kit", "pack", "pair", "bundle"})


@dataclass(frozen=True)
class ShipmentTarget:
    order_id: str
    awb: str
    status: ShipmentStatus


def mentioned_ids(message: str) -> tuple[set[str], set[str]]:
    """(order ids, AWBs) written in the message, upper-cased."""
    orders = {m.group(0).upper() for m in _ORDER_ID.finditer(message)}
    awbs = {m.group(0).upper() for m in _AWB.finditer(message)}
    return orders, awbs


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
    order_ids, awbs = mentioned_ids(message)
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


def _by_item_name(message: str, orders: Sequence[OrderSummary]) -> set[str] | None:
    """Ids of the orders whose items the message names; None when it names none."""
    words = {_singular(w) for w in _WORD.findall(message.lower())}
    text = f" {' '.join(_WORD.findall(message.lower()))} "
    full = {o.order_id for o in orders if any(f" {_full_name(n)} " in text for n in o.item_names)}
    if full:
        return full
    by_head = {o.order_id for o in orders if any(_head(n) in words for n in o.item_names)}
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
