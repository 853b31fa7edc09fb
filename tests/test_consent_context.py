"""The answer among clauses that only give context: the why beside a yes is set aside; a clause
that limits, adds, conditions, puts off, refuses, asks or cannot be read keeps the whole reply
in play. The gate needs no model; the reader tests load the shared encoder (slow)."""

from __future__ import annotations

import pytest

from app.language.consent import ConsentReader
from app.language.consent_context import answer_in_context, why_kept
from app.language.consent_terms import ProposalTerms

COOLER = ProposalTerms(
    action="return",
    order_id="ORD-9834224",
    amount=89.00,
    item_names=("Hard Cooler Box 25L",),
    quantities=(1,),
    other_item_names=("Camping Chair",),
)
TOWELS = ProposalTerms(
    action="return",
    order_id="ORD-1112223",
    amount=74.00,
    item_names=("Bath Towel", "Bath Mat"),
    quantities=(2, 1),
)
LOST = ProposalTerms(action="refund", order_id="ORD-3544186", amount=52.40, not_received=True)
WRONG = ProposalTerms(action="refund", order_id="ORD-3277305", amount=46.00)


# ---------------------------------------------------------------- the gate


@pytest.mark.parametrize(
    ("clause", "terms"),
    [
        # What is wrong, said in the present, with its negation.
        ("Lid doesn't seal,", COOLER),
        ("they don't fit my bed.", COOLER),
        # Sizes, ages, durations and years are no count of goods.
        ("Size 42 was tight as anything.", COOLER),
        ("Mi a 82 years old,", WRONG),
        ("My 2 kids have been asking every single day for 3 weeks where it is.", LOST),
        ("and I have lived here since 1968.", LOST),
        # "only" and "also" that describe, not limit or add.
        ("the water only comes out in a dribble", COOLER),
        ("Watchman also said no delivery came.", LOST),
        # The wrong goods as they came.
        ("sent us a pink kettle instead of what I ordered,", WRONG),
        ("Instead of wooden chess I receive plastic checkers.", WRONG),
        # Counterfactuals about the past.
        ("if I'd known they ran this small I'd have got a bigger one", COOLER),
    ],
)
def test_context_that_only_tells_is_set_aside(clause: str, terms: ProposalTerms) -> None:
    assert why_kept(clause, terms) is None


@pytest.mark.parametrize(
    ("clause", "terms"),
    [
        # Limits and additions, however written.
        ("only the blue one", COOLER),
        ("Only earbuds.", COOLER),
        ("for the blue one only", COOLER),
        ("but not the duvet cover", COOLER),
        ("and the gas canisters", COOLER),
        ("but leave de chairs", COOLER),
        ("keeping the camping chair though", COOLER),
        ("and add the delivery fee", WRONG),
        ("the size 10 pair", COOLER),
        ("one pair's worth.", COOLER),
        ("two please", COOLER),
        # Conditions and times still to come.
        ("after the weekend.", WRONG),
        ("but not before the 15th", WRONG),
        ("on 28 October", WRONG),
        ("text me when ur about to", WRONG),
        ("long as I don't gotta ship the wrong thing back on my own dime.", WRONG),
        ("I will buy from the market instead.", WRONG),
        # Money, where it goes, and another outcome.
        ("but to my other card", WRONG),
        ("send me a new one", WRONG),
        # Refusals, doubt, sarcasm, questions.
        ("No.", WRONG),
        ("forget it", WRONG),
        ("like ah'll ever see that money", WRONG),
        ("is that the full amount", WRONG),
        # The parcel has turned up after all.
        ("a parcel came for me last Tuesday", LOST),
        # Words the English rules cannot read.
        ("komt het geld dan op mijn creditcard", WRONG),
        ("pero solo la mitad", WRONG),
        ("rudisha zote mbili", COOLER),
    ],
)
def test_context_that_may_change_the_deal_stays(clause: str, terms: ProposalTerms) -> None:
    assert why_kept(clause, terms) is not None


def test_the_answer_is_the_clauses_that_say_yes_or_ask_for_the_act() -> None:
    reply = "Yeah sweet as, send the chilly bin back. Lid doesn't seal, all the ice melted."
    assert answer_in_context(reply, COOLER) == "Yeah sweet as, send the chilly bin back."


def test_lines_named_again_across_clauses_belong_to_the_answer() -> None:
    reply = "Yes, the two towels and the bath mat, all of it. Colour's nothing like the website."
    assert answer_in_context(reply, TOWELS) is not None
    # One towel of two is not the proposal's line.
    assert answer_in_context("Yes, the one towel and the bath mat.", TOWELS) is None


@pytest.mark.parametrize(
    "reply",
    [
        # Nothing beside the answer, or no answer at all.
        "yes go ahead",
        "Lid doesn't seal, all the ice melted.",
        # A bare "sure" beside a clause set aside may be scorn.
        "sure, and I'm the Queen of England",
        "aye right, the lid doesn't seal",
        # The answer put off to a time the context set.
        "Fab, yes please, I'll post it back when I'm back from Spain, start it then",
    ],
)
def test_no_answer_in_context(reply: str) -> None:
    assert answer_in_context(reply, COOLER) is None


# ---------------------------------------------------------------- the reader (model)


@pytest.fixture(scope="module")
def reader() -> ConsentReader:
    return ConsentReader()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reply", "terms"),
    [
        ("Yeah sweet as, send the cooler back. Lid doesn't seal, all the ice melted.", COOLER),
        ("Ok oo, yes. The lid does not close, they don't fit together. Thank you.", COOLER),
        (
            "Yes, refund it. Ordered spice grinder, got hair straightener, my wife is laughing.",
            WRONG,
        ),
        ("yeah go ahead lol. the thing is size 42 and way too small for me", COOLER),
    ],
)
def test_a_yes_with_its_why_executes(
    reader: ConsentReader, reply: str, terms: ProposalTerms
) -> None:
    assert reader.read(reply, terms).executes


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reply", "terms"),
    [
        ("Yes. Only earbuds. Plug stays.", COOLER),
        ("yes, refund the stove and the gas canisters", COOLER),
        ("Yes, refund. Although reception just emailed that a parcel came for me", LOST),
        ("Yes go ahead. Lid doesn't seal. Send me a new one.", COOLER),
        ("Yes go ahead. Lid doesn't seal but leave the camping chair.", COOLER),
        ("Ja, komt het geld dan op mijn creditcard", WRONG),
        ("yes, on 28 October. The box was crushed.", WRONG),
    ],
)
def test_a_yes_beside_a_change_does_not_execute(
    reader: ConsentReader, reply: str, terms: ProposalTerms
) -> None:
    assert not reader.read(reply, terms).executes
