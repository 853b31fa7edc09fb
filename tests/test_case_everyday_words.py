"""Reading a case in the customer's own words: everyday and regional names for goods ("the
jumper", "the telly"), lines said present, kept or fewer than ordered, a line named as a place or
as the order's name, an outcome asked in so many words, a letter's frame, and the order a loose
name points to. The encoder is real (loaded once per process)."""

from __future__ import annotations

import pytest

from app.agents.negotiation.confirmation import bare_reply
from app.agents.negotiation.understanding import implied_order
from app.language.asked_outcome import asked_outcome
from app.language.case import read_case
from app.language.goods_words import gloss_goods
from app.language.items import read_items, select
from app.language.letters import without_letter_frame
from app.language.reasons import Ask, case_heads
from app.platform.contract import ShipmentStatus
from app.routing.embeddings import shared_encoder
from tests.case_orders import summary_order

FAMILY = ["Cushioned Road Running Shoes", "Merino Crew Knit Pullover", "Egyptian Cotton Bath Sheet"]
KITCHEN = ["Tri-Ply Stainless Cookware Set", "Digital Kitchen Scale"]
BAGS = ["Ionic Blow Dryer", "Clearance Swim Shorts", "Insulated Bento Lunch Bag"]
RAIN = ["Rain Shell Jacket", "Merino Hiking Socks"]


def _picked(message: str, names: list[str]) -> list[tuple[str, int | None]] | None:
    chosen = select(read_items(message, names), names)
    return None if chosen is None else [(p.name, p.quantity) for p in chosen]


def test_a_regional_word_is_read_with_its_plain_words() -> None:
    assert gloss_goods("the jumper") == "the jumper sweater pullover knit"
    assert gloss_goods("the box") == "the box"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("message", "names", "expected"),
    [
        # The lines said present are never the ones asked about.
        ("ORD-7710236 arrived without the jumper: the running shoes and the towels were there, "
         "the jumper wasn't. Could I get a refund for the jumper?", FAMILY,
         [("Merino Crew Knit Pullover", None)]),
        # "fit my son great" and "keeping those" keep the runners and the towels.
        ("the runners fit my son great and the towels are fine so keeping those but the jumper "
         "is way too big on me want to send it back pls", FAMILY,
         [("Merino Crew Knit Pullover", None)]),
        # A set of saucepans is the cookware set: the whole parcel, not just the scale.
        ("a parcel containing a set of saucepans and a pair of kitchen scales, lost by the "
         "carrier", KITCHEN,
         [("Tri-Ply Stainless Cookware Set", None), ("Digital Kitchen Scale", None)]),
        # "under the ute" is where they looked, not swim shorts; "the lot" is everything.
        ("Checked the letterbox, the porch, under the ute. Can I get me money back for the "
         "lot?", BAGS, [("Ionic Blow Dryer", None), ("Clearance Swim Shorts", None),
                        ("Insulated Bento Lunch Bag", None)]),
        # The jacket is where a pair was found, not a line the customer asks about.
        ("I just found one pair stuffed inside the jacket hood. So it's only one pair missing",
         RAIN, []),
        # The lines that only came are meant, not the ones praised or kept.
        ("the rain jacket came but its way too small, can i send it back, the socks are fine "
         "keeping those", RAIN, [("Rain Shell Jacket", None)]),
    ],
)  # fmt: skip
def test_what_is_said_of_each_line_decides_the_set(
    message: str, names: list[str], expected: list[tuple[str, int | None]]
) -> None:
    assert _picked(message, names) == expected


@pytest.mark.slow
def test_fewer_than_ordered_is_missing_not_a_wrong_item() -> None:
    reading = read_items("only ONE lunch bag in there i ordered 2 can i get the other one", BAGS)
    assert reading.missing
    assert [(p.name, p.quantity) for p in reading.picked] == [("Insulated Bento Lunch Bag", 1)]


@pytest.mark.slow
def test_received_without_a_line_says_it_is_missing() -> None:
    reading = read_items(
        "order ORD-9100003 was received without the milk jug. The espresso machine and the "
        "descaling tablets were present and will be retained.",
        ["Espresso Machine", "Milk Frothing Jug", "Descaling Tablets"],
    )
    assert reading.missing and [p.name for p in reading.picked] == ["Milk Frothing Jug"]


@pytest.mark.slow
def test_a_line_naming_the_order_and_a_parcel_word_are_not_picked() -> None:
    names = ["Rubber Rain Boots", "Hand Cream Set"]
    said = "It's the hand cream set from the wellies order, I wonder if I might send it back?"
    assert _picked(said, names) == [("Hand Cream Set", None)]
    # "with the box" is the parcel, "the kids" are people: neither names a line.
    cooler = ["Hard-Sided 45L Cooler Box", "Kids' Waterproof Shell Jacket"]
    assert (
        read_items("I chucked the receipt out with the box, the kids ripped it", cooler).said == ()
    )


@pytest.mark.parametrize(
    ("text", "ask"),
    [
        ("I wonder if you might let me send the wellies back?", Ask.RETURN),
        ("I must insist upon a full refund.", Ask.REFUND),
        ("I hereby request reimbursement of the funds paid", Ask.REFUND),
        ("id like my money back for the flask", Ask.REFUND),
        ("Any chance I can still send back the bath towels?", Ask.RETURN),
        ("Can ya send the thongs I actually paid for?", Ask.REPLACEMENT),
        ("send a replacement rail please", Ask.REPLACEMENT),
        # Questions about the rules, negations and two outcomes at once say nothing.
        ("Can I return it if it has been worn?", None),
        ("I would like to know how to return it", None),
        ("I don't want to send it back", None),
        ("could you send me the tracking link", None),
        ("I want to return the mug and get a refund for the lamp, please refund me", None),
    ],
)
def test_an_outcome_asked_in_so_many_words(text: str, ask: Ask | None) -> None:
    assert asked_outcome(text) is ask


def test_a_letters_frame_is_set_aside_and_a_greeting_sentence_kept() -> None:
    letter = (
        "Dear Sir/Madam,\n\nMy parcel never came. I must insist on a refund.\n\n"
        "Yours faithfully,\nD. Pym"
    )
    assert without_letter_frame(letter) == "My parcel never came. I must insist on a refund."
    assert without_letter_frame("Hello. Slight snag with ORD-1: it's snug.") == (
        "Hello. Slight snag with ORD-1: it's snug."
    )
    assert without_letter_frame("Kind regards") == "Kind regards"


@pytest.mark.slow
def test_a_formal_letter_insisting_on_a_refund_is_a_refund_request() -> None:
    orders = [summary_order("ORD-7750200", ["Portable Projector"])]
    letter = (
        "Dear Sir/Madam,\n\nI write to inform you that my order ORD-7750200 has not arrived, "
        "though your records apparently state otherwise. I must insist upon a full refund.\n\n"
        "Yours faithfully,\nDorothy Pym"
    )
    reading = read_case(letter, orders, case_heads(), shared_encoder())
    assert reading.ask is Ask.REFUND and not reading.not_a_request


@pytest.mark.slow
def test_a_loose_name_points_to_the_one_order_holding_that_line() -> None:
    orders = [
        summary_order("ORD-7710236", FAMILY),
        summary_order("ORD-7710615", ["Cotton Sateen Fitted Sheet"]),
        summary_order("ORD-7710593", ["Hard-Sided 45L Cooler Box"], ShipmentStatus.IN_TRANSIT),
    ]
    said = (
        "I have mislaid the receipt for the woollen jumper I purchased, I should like to return it"
    )
    assert implied_order(said, orders, None, ()) == "ORD-7710236"


@pytest.mark.slow
def test_of_two_orders_named_the_case_is_the_one_whose_line_is_named() -> None:
    orders = [
        summary_order("ORD-7710593", ["Hard-Sided 45L Cooler Box"], ShipmentStatus.IN_TRANSIT),
        summary_order("ORD-7710358", ["Wi-Fi Video Baby Monitor", "Kids' Waterproof Shell Jacket"]),
    ]
    said = (
        "Could you send ORD-7710593 to my work address instead? And I'd like to return the kids' "
        "raincoat from ORD-7710358, it's a size too small."
    )
    assert read_case(said, orders, case_heads(), shared_encoder()).order_id == "ORD-7710358"


@pytest.mark.parametrize(
    ("text", "bare"),
    [("Pode sim, valeu!", True), ("Sim, pode fazer. Thanks!", True), ("ja bitte", True),
     ("sí, pero solo la mitad", False)],
)  # fmt: skip
def test_a_plain_yes_in_another_language_is_a_bare_reply(text: str, bare: bool) -> None:
    assert bare_reply(text) is bare


@pytest.mark.slow
def test_a_partial_refund_is_read_against_its_own_lines() -> None:
    """A refund on part of an order names its lines to the customer; the reader knows them, so
    "yep, just the lunch bags" restates the terms, and naming another line still changes them."""
    from app.agents.negotiation.consent_step import terms_of
    from app.agents.negotiation.state import Action, ItemFacts, OrderFacts, Proposal, ProposalItem
    from app.language.consent import ConsentReader
    from app.platform.contract import ReasonCode

    facts = OrderFacts(
        order_id="ORD-7710737",
        currency="USD",
        total=131.0,
        refunded=0.0,
        refundable=131.0,
        items=[
            ItemFacts(sku="SKU-5012-A", name="Ionic Blow Dryer", unit_price=65.0, quantity=1),
            ItemFacts(sku="SKU-5014-A", name="Insulated Bento Lunch Bag", unit_price=18.0,
                      quantity=2),
        ],
        shipments=[],
    )  # fmt: skip
    proposal = Proposal(
        proposal_id="p-2",
        action=Action.REFUND,
        order_id="ORD-7710737",
        amount=36.0,
        currency="USD",
        reason_code=ReasonCode.DELIVERY_DISPUTE,
        for_lines=[ProposalItem(sku="SKU-5014-A", quantity=2)],
        message=(
            "This is for 2 x Insulated Bento Lunch Bag on order ORD-7710737, nothing else. "
            "Since you didn't receive it, this qualifies as a delivery dispute: I can refund "
            "$36.00. Shall I go ahead? Please reply yes or no."
        ),
    )
    terms = terms_of(proposal, facts, None)
    assert terms.item_names == ("Insulated Bento Lunch Bag",) and terms.quantities == (2,)
    assert terms.other_item_names == ("Ionic Blow Dryer",)
    reader = ConsentReader()
    assert reader.read("Yep, just the lunch bags. Go ahead.", terms).executes
    assert not reader.read("Yep, the lunch bags and the dryer. Go ahead.", terms).executes


@pytest.mark.slow
def test_a_limit_restated_in_everyday_words_names_the_head_noun_only() -> None:
    from app.language.consent import ConsentReader
    from app.language.consent_terms import ProposalTerms

    def terms(line: str) -> ProposalTerms:
        return ProposalTerms.from_text(
            f"I can start a return on order ORD-7710236 for 1 x {line} (SKU-5004-A). Once the "
            "items are received you'll be refunded up to $95.00. Shall I go ahead? Please reply "
            "yes or no."
        )

    reader = ConsentReader()
    assert reader.read("Right, just the jumper. Yes.", terms("Merino Crew Knit Pullover")).executes
    # "knit" is a word of both, but a jumper is no beanie: the limit stays, and vetoes.
    assert not reader.read("yes just the jumper", terms("Knit Beanie")).executes


@pytest.mark.slow
def test_one_pairs_worth_of_two_pairs_is_not_a_yes() -> None:
    from app.language.consent import ConsentReader
    from app.language.consent_terms import ProposalTerms

    terms = ProposalTerms.from_text(
        "This is for 2 x Merino Hiking Socks on order ORD-7204502, nothing else. I can refund "
        "$36.00. Shall I go ahead? Please reply yes or no."
    )
    reader = ConsentReader()
    assert not reader.read("Yes, one pair's worth. Go on.", terms).executes
    assert not reader.read("yes, just one of them", terms).executes
    assert reader.read("yes go ahead, this one was a gift for my son", terms).executes


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reply", "executes"),
    [
        # A yes that acts on other goods than the proposal's is not a yes to it.
        ("Yes, send the wellies back.", False),
        ("Yeah, take back the wallet.", False),
        ("Sim, pode devolver o fone de ouvido.", False),
        # Its own line, an everyday word for it, or the proposal itself: a yes.
        ("Yes, send the toothbrush back please.", True),
        ("yes, send it back", True),
        ("Yes, please initiate the return as proposed.", True),
    ],
)
def test_a_yes_acting_on_other_goods_is_not_a_yes(reply: str, executes: bool) -> None:
    from app.language.consent import ConsentReader
    from app.language.consent_terms import ProposalTerms

    terms = ProposalTerms.from_text(
        "I can start a return on order ORD-9494761 for 1 x Electric Toothbrush (SKU-7621-F). "
        "Once the items are received you'll be refunded up to $59.00. Shall I go ahead? Please "
        "reply yes or no."
    )
    assert ConsentReader().read(reply, terms).executes is executes


@pytest.mark.slow
def test_an_everyday_word_for_the_proposals_own_line_is_still_a_yes() -> None:
    from app.language.consent import ConsentReader
    from app.language.consent_terms import ProposalTerms

    terms = ProposalTerms.from_text(
        "I can start a return on order ORD-7710737 for 1 x Ionic Blow Dryer (SKU-5012-A). Once "
        "the items are received you'll be refunded up to $65.00. Shall I go ahead? Please reply "
        "yes or no."
    )
    assert ConsentReader().read("Yes, send the hairdryer back, go on.", terms).executes
