"""Items named by other words than their names, read by meaning over the shared encoder; the
request sentence of a long message; "please don't set anything up"; and "not here. refund"
after a status answer. The encoder is real (loaded once per process)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.language.case import disputes_delivery, read_case, reading_from
from app.language.item_meaning import meanings
from app.language.items import ItemPick, read_items, select
from app.language.named import read_named
from app.language.reasons import Ask, Gist, Reason, case_heads
from app.language.spelling import correct
from app.platform.contract import OrderSummary, ShipmentStatus
from app.routing.embeddings import shared_encoder
from tests.case_orders import summary_order as _order

TECH = ["USB-C Power Adapter", "Braided USB-C Cable", "Wireless Mouse"]
WEAR = ["Organic Cotton Hoodie", "Crew Neck T-Shirt"]
CAMP = ["Down Sleeping Bag", "Enamel Camping Mug", "Rechargeable Headlamp"]
RAIN = ["Rain Shell Jacket", "Merino Hiking Socks"]
CITY = ["Trail Running Shoes", "Wool Scarf"]
GIFTS = ["Lip Balm Trio", "Insulated Water Bottle", "Wool Scarf"]


def _picked(message: str, names: list[str]) -> list[str] | None:
    chosen = select(read_items(message, names), names)
    return None if chosen is None else [p.name for p in chosen]


@pytest.mark.parametrize(
    ("message", "names", "expected"),
    [
        ("the sneakers are half a size too small, can I send them back", CITY,
         ["Trail Running Shoes"]),
        ("charger dead. return", TECH, ["USB-C Power Adapter"]),
        ("the head torch stopped working on day one", CAMP, ["Rechargeable Headlamp"]),
        ("the cup arrived smashed", CAMP, ["Enamel Camping Mug"]),
        ("le raincoat est trop petit", RAIN, ["Rain Shell Jacket"]),
        ("I'd like to return just the clothing and keep the rest", GIFTS, ["Wool Scarf"]),
        ("the flask came dented, can I return the flask", GIFTS, ["Insulated Water Bottle"]),
    ],
)  # fmt: skip
def test_an_item_named_by_other_words_is_read_by_meaning(
    message: str, names: list[str], expected: list[str]
) -> None:
    assert _picked(message, names) == expected


def test_a_phrase_near_two_lines_is_a_question_not_a_guess() -> None:
    # "the garment" is as near the hoodie as the t-shirt: nothing is picked, the caller asks.
    reading = read_items("I want to return the garment, it doesn't fit", WEAR)
    assert reading.unresolved and not reading.picked
    assert select(reading, WEAR) is None
    # Said in the plural it means both ("the clothes" of an order of two garments).
    assert _picked("return the clothes please", WEAR) == WEAR


@pytest.mark.parametrize(
    "message",
    [
        "Opened the box and it was empty",
        "the app says delivered but my neighbour has nothing",
        "the money never reached my card",
    ],
)
def test_what_is_not_goods_is_no_item(message: str) -> None:
    reading = read_items(message, CAMP)
    assert not reading.picked and not reading.unresolved


def test_meaning_needs_a_clear_nearest_line() -> None:
    (charger, garment, box) = meanings(["charger", "garment", "box"], TECH + WEAR)
    assert charger is not None and charger.names == ("USB-C Power Adapter",)
    assert garment is not None and set(garment.names) == set(WEAR)
    assert box is None
    assert meanings([], TECH) == [] and meanings(["charger"], []) == [None]


def test_an_order_named_by_its_words_beats_one_named_by_meaning() -> None:
    # "sleeping bag" is the Down Sleeping Bag's own words; the rain order's jacket is only its
    # nearest meaning there.
    orders = [_order("ORD-1000001", RAIN), _order("ORD-1000002", CAMP)]
    message = "der sleeping bag ist nie angekommen, alles andere schon. Refund bitte."
    gist = Gist(Reason.NONE, 0.9, Ask.REFUND, 0.9)
    reading = reading_from(message, read_named(message), gist, orders)
    assert reading.order_id == "ORD-1000002"
    assert [p.name for p in reading.item_reading.picked] == ["Down Sleeping Bag"]


def test_the_request_sentence_of_a_long_message_picks_the_lines() -> None:
    message = (
        "Hi! I got my parcel last week, the hoodie is honestly the comfiest thing I own now, "
        "but the two t-shirts are way too boxy on me. So I'd like to send the t-shirts back "
        "please and keep the hoodie. Thanks so much!"
    )
    reading = read_items(message, WEAR)
    assert reading.picked == (ItemPick(name="Crew Neck T-Shirt", quantity=None),)
    assert select(reading, WEAR) == (ItemPick(name="Crew Neck T-Shirt", quantity=None),)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("llegó pero sin la scarf, only the shoes were in the box. refund de la scarf",
         ["Wool Scarf"]),
        ("the mug and the headlamp arrived but the sleeping bag is broken, return it",
         ["Down Sleeping Bag"]),
    ],
)  # fmt: skip
def test_lines_said_to_have_arrived_are_context(message: str, expected: list[str]) -> None:
    names = CITY if "scarf" in message else CAMP
    assert _picked(message, names) == expected


@pytest.mark.parametrize(
    ("message", "declines"),
    [
        ("Please don't set anything up, I'll have a look on Sunday", True),
        ("it is little damaged but please don't make any return or refund, I only inform you",
         True),
        ("ORD-7420158 lost. no refund needed, just fyi", True),
        ("I'm not asking for a refund, just the status", True),
        ("I don't want a refund, I want a return", False),
        ("don't refund the shoes, only the scarf", False),
        ("no refund? why not", False),
        ("please don't start a refund or anything yet, it may be next door", True),
        ("do not open a claim for now, I'll check with the neighbours", True),
        ("don't start a refund, I want a replacement", False),
    ],
)  # fmt: skip
def test_please_dont_set_anything_up_is_no_request(message: str, declines: bool) -> None:
    assert read_named(message).declines_any is declines
    orders = [_order("ORD-1000003", CITY)]
    gist = Gist(Reason.DAMAGED, 0.9, Ask.REFUND, 0.9)  # whatever the heads make of it
    assert reading_from(message, read_named(message), gist, orders).not_a_request is declines


def _followup(message: str, gist: Gist, orders: list[OrderSummary]):  # type: ignore[no-untyped-def]
    return reading_from(message, read_named(message), gist, orders)


def test_not_here_after_a_delivered_status_is_a_dispute() -> None:
    delivered = _order("ORD-1000004", ["Noise Cancelling Headphones"])
    moving = _order("ORD-1000005", ["Desk Lamp"], ShipmentStatus.IN_TRANSIT)
    refund = Gist(Reason.NONE, 0.9, Ask.REFUND, 0.94)
    reading = _followup("not here. refund", refund, [delivered, moving])
    assert reading.order_id is None  # the order came from the earlier message
    disputed = disputes_delivery(reading, delivered)
    assert disputed.reason is Reason.NOT_RECEIVED
    # Not for a parcel still on its way, not without a word that something is missing, not
    # when the message names its own reason, and not without an order.
    assert disputes_delivery(reading, moving).reason is Reason.NONE
    plain = _followup("refund please", refund, [delivered])
    assert disputes_delivery(plain, delivered).reason is Reason.NONE
    damaged = replace(reading, reason=Reason.DAMAGED)
    assert disputes_delivery(damaged, delivered).reason is Reason.DAMAGED
    assert disputes_delivery(reading, None).reason is Reason.NONE
    asked_return = replace(reading, ask=Ask.RETURN)
    assert disputes_delivery(asked_return, delivered).reason is Reason.NONE


def test_a_clause_that_plainly_asks_beats_a_diluted_whole() -> None:
    message = (
        "The postman says he left it but there's no such person here as the one who signed. "
        "ORD-5300001. I'd like my money please."
    )
    orders = [_order("ORD-5300001", ["Extra Virgin Olive Oil"])]
    reading = read_case(message, orders, case_heads(), shared_encoder())
    assert reading.ask is Ask.REFUND


def test_plurals_of_item_words_are_spelled_right() -> None:
    assert correct("return 1 of the 3 cabels", ["braided", "usb", "cable"]) == (
        "return 1 of the 3 cables"
    )


def test_another_orders_item_is_never_this_orders_line_by_meaning() -> None:
    # "the scarf" is a line of the customer's other order: in the rain order it is no jacket.
    every = RAIN + CITY
    wrong_order = read_items("return the scarf from ORD-1000006 please", RAIN, every)
    assert not wrong_order.picked
    assert read_items("return the scarf please", CITY, every).picked == (
        ItemPick(name="Wool Scarf", quantity=None),
    )
    # Alone (no other orders known), the nearest meaning is all there is to go by.
    assert read_items("the raincoat leaks", RAIN, []).picked == (
        ItemPick(name="Rain Shell Jacket", quantity=None),
    )
