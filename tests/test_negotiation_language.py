"""The negotiation agent's readers: the bare-reply check, and the request as the
case reader (app.language: structure plus the trained heads over the shared encoder) and the
case merge turn it into. No LLM, no platform: these carry the invariants when the model is down
or weak."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.agents.negotiation.confirmation import bare_reply
from app.agents.negotiation.language import asks_for_person, read_mentions
from app.agents.negotiation.state import CaseRequest, Outcome
from app.agents.negotiation.understanding import (
    asks_status,
    case_from,
    implied_order,
    outcome_from,
)
from app.language.case import read_case
from app.language.reasons import case_heads
from app.platform.contract import OrderSummary, ShipmentBrief, ShipmentStatus
from app.routing.embeddings import shared_encoder


def test_mentions_separate_ids_amounts_and_stray_numbers() -> None:
    m = read_mentions("Refund $12.50 on ORD-1234567 (AWB-0000000001), SKU-9942-B x2")
    assert m.order_ids == {"ORD-1234567"} and m.awbs == {"AWB-0000000001"}
    assert m.skus == {"SKU-9942-B"} and m.amounts == (12.5,)
    assert m.stray_numbers  # the "2" of "x2"
    assert not read_mentions("ORD-1234567 please").stray_numbers


@pytest.mark.parametrize(
    "text", ["can I speak to a human?", "get me a supervisor", "I want a real person"]
)
def test_asks_for_person(text: str) -> None:
    assert asks_for_person(text)


def test_asking_about_a_person_who_signed_is_not_asking_for_one() -> None:
    assert not asks_for_person("who signed for my parcel?")


# ---------------------------------------------------------------- the request


def _order(order_id: str, awb: str, status: ShipmentStatus, *items: str) -> OrderSummary:
    return OrderSummary(
        order_id=order_id,
        placed_at=datetime(2026, 3, 1, tzinfo=UTC),
        total=10,
        currency="USD",
        item_names=list(items),
        shipments=[ShipmentBrief(awb=awb, status=status)],
    )


ORDERS = [
    _order("ORD-1000001", "AWB-1000000001", ShipmentStatus.DELIVERED, "Trail Running Shoes"),
    _order("ORD-1000002", "AWB-1000000002", ShipmentStatus.IN_TRANSIT, "Desk Lamp"),
    _order("ORD-1000003", "AWB-1000000003", ShipmentStatus.LOST, "Wool Scarf"),
]


def read_request(
    message: str, orders: list[OrderSummary], old: CaseRequest | None = None
) -> CaseRequest:
    """The case understand builds from one message (the real reader: heads and encoder)."""
    reading = read_case(message, orders, case_heads(), shared_encoder())
    implied = None
    if reading.order_id is None and reading.unknown_order is None:
        implied = implied_order(message, orders, outcome_from(reading), ())
    return case_from(reading, old, orders, implied)


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        ("I want a refund, it never arrived", Outcome.DISPUTE),
        ("they sent me the wrong item", Outcome.WRONG_ITEM),
        ("I'd like to return the shoes", Outcome.RETURN),
        ("can I get my money back", Outcome.REFUND),
        # Says neither what nor why: a question follows, whatever the router guessed.
        ("there's a problem with my order", None),
        ("could you send it to my neighbour at number 12 instead", None),
        ("I lost the receipt but want to send the scarf back", Outcome.RETURN),
    ],
)
def test_outcome_from_what_is_asked_and_why(message: str, outcome: Outcome | None) -> None:
    assert read_request(message, ORDERS).outcome is outcome


def test_request_reads_order_by_id_awb_or_item_name() -> None:
    by_id = read_request("refund ORD-1000002 please", ORDERS)
    assert by_id.order_id == "ORD-1000002" and by_id.outcome is Outcome.REFUND
    assert read_request("AWB-1000000003 never arrived", ORDERS).order_id == "ORD-1000003"
    assert read_request("return my running shoes", ORDERS).order_id == "ORD-1000001"


def test_request_with_one_plausible_order_takes_it_and_otherwise_asks() -> None:
    # Only one order is delivered: a return can only be about it.
    assert read_request("I want to return it", ORDERS).order_id == "ORD-1000001"
    # A dispute fits the delivered and the lost order: ambiguous, so no guess.
    assert read_request("it never arrived", ORDERS).order_id is None


def test_an_order_that_is_not_theirs_is_unknown_not_resolved() -> None:
    request = read_request("refund ORD-5555555 it never arrived", ORDERS)
    assert request.order_id is None and request.unknown_order == "ORD-5555555"


def test_amount_and_follow_up_merge() -> None:
    first = read_request("refund $20 please", ORDERS)
    assert first.amount == 20 and first.order_id is None
    merged = read_request("ORD-1000003", ORDERS, old=first)
    assert merged.order_id == "ORD-1000003" and merged.amount == 20
    assert merged.outcome is Outcome.REFUND


@pytest.mark.parametrize(
    ("text", "bare"),
    [("yes", True), ("no thanks", True), ("ok", True), ("yes ORD-1000001", False),
     ("refund please", False), ("it never arrived", False), ("yesss pls", True),
     ("okkk", True), ("noooo", True), ("sooo broken", False)],
)  # fmt: skip
def test_a_bare_reply_opens_no_case(text: str, bare: bool) -> None:
    assert bare_reply(text) is bare


@pytest.mark.parametrize(
    ("text", "status"),
    [("any news on my refund?", True), ("what's the status", True),
     ("has my refund gone through", True), ("I want a refund", False)],
)  # fmt: skip
def test_a_status_question_is_not_a_new_request(text: str, status: bool) -> None:
    assert asks_status(text) is status
