"""The negotiation agent's readers: the deterministic confirmation gate, and the request as the
case reader (app.language: structure plus the trained heads over the shared encoder) and the
case merge turn it into. No LLM, no platform: these carry the invariants when the model is down
or weak."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.agents.negotiation.confirmation import Verdict, bare_reply, classify
from app.agents.negotiation.language import asks_for_person, read_mentions
from app.agents.negotiation.state import Action, CaseRequest, Outcome, Proposal, ProposalItem
from app.agents.negotiation.understanding import (
    asks_status,
    case_from,
    implied_order,
    outcome_from,
)
from app.language.case import read_case
from app.language.reasons import case_heads
from app.platform.contract import OrderSummary, ReasonCode, ShipmentBrief, ShipmentStatus
from app.routing.embeddings import shared_encoder

REFUND = Proposal(
    proposal_id="p1",
    action=Action.REFUND,
    order_id="ORD-1234567",
    amount=89.99,
    currency="USD",
    reason_code=ReasonCode.DELIVERY_DISPUTE,
)
RETURN = Proposal(
    proposal_id="p2",
    action=Action.RETURN,
    order_id="ORD-1234567",
    amount=49.99,
    currency="USD",
    reason_code=ReasonCode.CUSTOMER_REQUEST,
    items=[ProposalItem(sku="SKU-9942-A", quantity=1)],
)
OWN_AWBS = {"AWB-0000000001": "ORD-1234567", "AWB-0000000002": "ORD-7654321"}


@pytest.mark.parametrize(
    "reply",
    [
        "yes",
        "Yes.",
        "YES!!",
        "y",
        "yes please",
        "Yes, please go ahead",
        "yeah",
        "yep, do it",
        "ok",
        "okay thanks",
        "sure",
        "confirm",
        "I confirm",
        "correct",
        "go ahead",
        "please proceed",
        "that's right, thank you",
        "yes, refund $89.99",
        "yes 89.99",
        "yes, ORD-1234567",
        "yes for AWB-0000000001",
        "Yes I would like the refund please",
        "absolutely",
        "sounds good",
        "yes \u2019please\u2019",
    ],
)
def test_only_an_unambiguous_yes_to_these_terms_is_yes(reply: str) -> None:
    assert classify(reply, REFUND, OWN_AWBS).verdict is Verdict.YES


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        # The known peer failure: anything starting with "y" taken as consent.
        ("you're wrong", Verdict.DISAGREE),
        ("You\u2019re wrong", Verdict.DISAGREE),
        ("yes, you're wrong", Verdict.DISAGREE),
        ("yikes", Verdict.UNCLEAR),
        ("yesterday it arrived actually", Verdict.UNCLEAR),
        ("yo", Verdict.UNCLEAR),
        ("your system is broken", Verdict.UNCLEAR),
        ("that's wrong", Verdict.DISAGREE),
        ("this is not correct", Verdict.DISAGREE),
        ("no", Verdict.NO),
        ("No thanks", Verdict.NO),
        ("nope", Verdict.NO),
        ("yeah no", Verdict.NO),
        ("don't", Verdict.NO),
        ("please cancel", Verdict.NO),
        ("never mind", Verdict.NO),
        ("stop", Verdict.NO),
        ("yes?", Verdict.QUESTION),
        ("how long will it take?", Verdict.QUESTION),
        ("when will I get the money", Verdict.QUESTION),
        ("maybe", Verdict.UNCLEAR),
        ("yes maybe", Verdict.UNCLEAR),
        ("I think so", Verdict.UNCLEAR),
        ("yes but", Verdict.UNCLEAR),
        ("hmm", Verdict.UNCLEAR),
        ("wait", Verdict.UNCLEAR),
        ("yes, the shoes", Verdict.UNCLEAR),
        ("yes 2", Verdict.UNCLEAR),
        ("yes 50%", Verdict.UNCLEAR),
        ("yes SKU-9942-A", Verdict.UNCLEAR),
        ("sure thing", Verdict.UNCLEAR),
        ("yeah right", Verdict.UNCLEAR),
        ("", Verdict.UNCLEAR),
        ("\U0001f44d", Verdict.UNCLEAR),
        ("I want to talk to a real person", Verdict.HUMAN),
        ("yes, but let me speak to a human", Verdict.HUMAN),
        ("actually I'd rather return it", Verdict.CHANGE_REQUEST),
    ],
)
def test_anything_else_is_not_consent(reply: str, verdict: Verdict) -> None:
    assert classify(reply, REFUND, OWN_AWBS).verdict is verdict


@pytest.mark.parametrize(
    ("reply", "amount"),
    [
        ("no, make it $20", 20.0),
        ("yes, refund $50", 50.0),
        ("yes 89.00", 89.0),
        ("only 30 dollars please", 30.0),
        ("$1,000 please", 1000.0),
        ("yes \u00a389.99", None),  # the same number in another currency sign still matches
    ],
)
def test_a_changed_amount_is_a_new_proposal_not_a_yes(reply: str, amount: float | None) -> None:
    reading = classify(reply, REFUND, OWN_AWBS)
    if amount is None:
        assert reading.verdict is Verdict.YES
        return
    assert reading.verdict is Verdict.CHANGE_AMOUNT
    assert reading.amount == amount


def test_two_different_amounts_are_unclear() -> None:
    assert classify("either $20 or $30", REFUND).verdict is Verdict.UNCLEAR


@pytest.mark.parametrize(
    ("reply", "order_id"),
    [
        ("yes, but for ORD-7654321", "ORD-7654321"),
        ("no, ORD-7654321", "ORD-7654321"),
        ("yes AWB-0000000002", "ORD-7654321"),
        ("yes ORD-9999999", "ORD-9999999"),
        ("yes AWB-9999999999", None),  # not theirs: the order is unknown, never guessed
    ],
)
def test_a_different_order_is_not_a_yes(reply: str, order_id: str | None) -> None:
    reading = classify(reply, REFUND, OWN_AWBS)
    assert reading.verdict is Verdict.CHANGE_ORDER
    assert reading.order_id == order_id


def test_return_proposals_accept_return_words_and_refuse_a_switch_to_refund() -> None:
    assert classify("yes, send me the label", RETURN).verdict is Verdict.YES
    assert classify("yes return it", RETURN).verdict is Verdict.YES
    assert classify("just refund me", RETURN).verdict is Verdict.CHANGE_REQUEST
    assert classify("yes, return it for a refund", RETURN).verdict is Verdict.YES


# ---------------------------------------------------------------- mentions


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
     ("refund please", False), ("it never arrived", False)],
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
