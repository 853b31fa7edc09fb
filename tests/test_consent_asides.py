"""The aside model and its gate: a clause may be set aside only when it names nothing the deal
could turn on, and what is left must still be read as an explicit yes.

The gate tests need no model: they pin that conditions, items, amounts, timing, refusals and
destinations stay in the reading whatever any score says. The reader tests load the shared
encoder (slow): multi-clause yeses with stories, contact wishes and drop-off plans execute, and
the same stories beside a change do not.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.language.consent import ConsentReader
from app.language.consent_asides import (
    ARTIFACT_PATH,
    AsideModel,
    blocking_reason,
    explicit_yes,
    may_set_aside,
    proven_aside,
)
from app.language.consent_scope import clauses, consent_part
from app.language.consent_terms import ProposalTerms
from app.language.train_consent_asides import data_sha256, derived_clauses, load_clauses

RETURN = ProposalTerms(
    action="return",
    order_id="ORD-2424708",
    amount=89.90,
    item_names=("Wool Slippers", "Travel Backpack"),
    quantities=(1, 1),
    other_item_names=("Yoga Mat",),
)
REFUND = ProposalTerms(action="refund", order_id="ORD-1234567", amount=34.99)


# ---------------------------------------------------------------- the gate


@pytest.mark.parametrize(
    "clause",
    [
        "but only the slippers",
        "onyl the slipers",  # typos still name the deal
        "only if it's the whole amount",
        "as long as it's back by Friday",
        "wait till Monday",
        "hold off until after the weekend",
        "when I'm back from Spain in three weeks",
        "to my PayPal please",
        "put it on my other card",
        "store credit instead",
        "I'd rather have a replacement",
        "and the yoga mat",
        "and the steamer basket",
        "not the backpack",
        "I'll keep the backpack",
        "97 please",
        "forty dollars like I asked",
        "let me ask my husband first",
        "my wife said no",
        "actually no",
        "don't do it",
        "nah leave it",
        "it arrived this morning",
        "the parcel came after all",
        "found it",
        "it's not needed anymore",
        "how long will it take",
        "is that the full amount",
        "and I'm the queen of England",
        "I changed my mind",
    ],
)
def test_a_clause_that_touches_the_deal_is_never_set_aside(clause: str) -> None:
    assert not may_set_aside(clause, RETURN), clause
    assert not proven_aside(clause, RETURN)


@pytest.mark.parametrize(
    "clause",
    [
        "the driver didn't even knock",
        "I waited 3 weeks for this",
        "sorry for the rant earlier",
        "my 2 kids have been asking every day where it was",
        "if I'd known I'd have gone to the shop",
        "no instructions",
        "the box was soaked through",
        "it's not your fault",
    ],
)
def test_a_story_clause_passes_the_gate(clause: str) -> None:
    assert blocking_reason(clause, RETURN) is None, clause


def test_a_drop_off_plan_is_an_aside_only_beside_a_return() -> None:
    plan = "I'll take the slippers to the post office on Saturday"
    assert proven_aside(plan, RETURN)
    # Beside a refund nothing goes back: the same words are not a plan the proposal has.
    assert not proven_aside(plan, REFUND)
    # A plan that puts the return off is a condition.
    assert not may_set_aside("I'll post it when I'm back next month", RETURN)


def test_a_clause_with_an_answer_of_its_own_stays() -> None:
    for clause in ("yes please", "go ahead", "ok", "sure thing", "Sí, adelante"):
        assert blocking_reason(clause, RETURN) == "an assent of its own", clause


def test_an_explicit_yes_is_more_than_a_bare_ok() -> None:
    assert explicit_yes("Yes, go ahead")
    assert explicit_yes("ok, proceed")
    assert explicit_yes("sim, pode")
    assert not explicit_yes("sure,")
    assert not explicit_yes("ok")


def test_judged_asides_need_an_explicit_yes_left_over() -> None:
    # A judge that sets aside every clause the gate passes.
    assert consent_part("sure. the driver was late.", REFUND, may_set_aside) is None
    kept = consent_part("Yes go ahead. The driver was late.", REFUND, may_set_aside)
    assert kept is not None and "driver" not in kept


def test_a_number_keeps_its_decimals_when_the_reply_is_cut() -> None:
    assert clauses("yes, refund the $34.99 to my card. thanks") == [
        "yes,",
        "refund the $34.99 to my card.",
        "thanks",
    ]


# ---------------------------------------------------------------- the model


def test_the_aside_model_was_trained_on_the_committed_clauses() -> None:
    artifact = json.loads(ARTIFACT_PATH.read_text(encoding="utf-8"))
    assert artifact["data_sha256"] == data_sha256([*load_clauses(), *derived_clauses()])
    chosen = next(r for r in artifact["left_out_ladder"] if r["threshold"] == artifact["threshold"])
    assert chosen["holds_set_aside"] == 0
    assert artifact["threshold"] >= 0.5
    model = AsideModel.load()
    assert model.coef.shape == (384,)


def test_the_clause_data_is_labelled_and_in_many_voices() -> None:
    written = load_clauses()
    assert len({c.family for c in written}) >= 12
    asides = sum(c.aside for c in written)
    assert 0.3 < asides / len(written) < 0.7


@pytest.fixture(scope="module")
def reader() -> ConsentReader:
    return ConsentReader()


@pytest.mark.slow
@pytest.mark.parametrize(
    "reply",
    [
        "Yes go ahead. The van driver didn't even ring the bell, I was in all day.",
        "Go ahead please. Don't text me about it, my phone is dead half the time.",
        "Yes, start the return. I'll take the slippers to the post office on Saturday.",
        "Yes please proceed. Sorry for shouting earlier, it has been a long week.",
        "Yeah go on. If I'd known it'd take this long I'd have bought them in town.",
    ],
)
def test_a_yes_with_asides_executes(reader: ConsentReader, reply: str) -> None:
    reading = reader.read(reply, RETURN)
    assert reading.executes, (reply, reading)


@pytest.mark.slow
@pytest.mark.parametrize(
    "reply",
    [
        "Yes go ahead. The driver didn't even ring the bell. But only the slippers.",
        "Go ahead. The box was soaked. I'll post it when I'm back from holiday next month.",
        "Sure. The courier was useless. And I'm the Queen of England.",
        "Yes go ahead. The driver was late. Put the money on my PayPal though.",
        "Yes. The box was crushed, I'll keep the backpack.",
        "Ok. My husband said no, he'll use them anyway.",
    ],
)
def test_a_story_beside_a_change_still_does_not_execute(reader: ConsentReader, reply: str) -> None:
    reading = reader.read(reply, RETURN)
    assert not reading.executes, (reply, reading)


@pytest.mark.slow
def test_the_model_only_scores_what_the_gate_passed() -> None:
    model = AsideModel(coef=np.zeros(384), intercept=50.0, threshold=0.5)  # says "aside" to all
    reader = ConsentReader(asides=model)
    for reply in (
        "yes but only the slippers, the courier was late",
        "ok, wait till Monday, the box was wet",
        "go ahead, refund it to my other card, driver was rude",
    ):
        assert not reader.read(reply, RETURN).executes, reply


def test_a_long_run_is_cut_at_its_explicit_answer() -> None:
    run = "yes go ahead the driver didn't even come to the door I was home all day"
    assert clauses(run) == [
        "yes go ahead",
        "the driver didn't even come to the door I was home all day",
    ]
    # Short replies are left whole, and answers side by side are one answer.
    assert clauses("yes go ahead") == ["yes go ahead"]
    assert clauses("ok go ahead if it is the full amount please") == [
        "ok go ahead",
        "if it is the full amount please",
    ]


def test_a_clause_led_by_a_time_or_condition_is_never_an_aside() -> None:
    for clause in (
        "after I've checked with my husband",
        "once the courier has collected it",
        "when I'm back home",
        "as soon as it's been picked up",
    ):
        assert blocking_reason(clause, RETURN) == "a condition on the answer", clause


def test_a_clause_in_another_language_or_with_a_count_stays() -> None:
    assert blocking_reason("mi esposa dice que ni hablar", RETURN) == "another language"
    assert blocking_reason("3 were missing not 1", RETURN) == "a number that is not a time"
    assert blocking_reason("the 2 plates are staying", RETURN) == "a number that is not a time"
    # Times, people and ages are a story's numbers.
    for clause in ("I waited 3 weeks", "I was home with my 2 kids", "she turns 80 in March"):
        assert blocking_reason(clause, RETURN) is None, clause


def test_taking_the_answer_back_vetoes_it() -> None:
    from app.language.consent_cues import Veto, read_cues

    not_received = REFUND.model_copy(update={"not_received": True})
    for reply in (
        "yes go ahead... actually the neighbour just handed it over",
        "sure, let me just run it past my partner tonight",
        "Sì grazie. Scusate, ci ho ripensato, lo tengo",
    ):
        assert Veto.HEDGE in read_cues(reply, not_received).vetoes, reply
    # A parcel that turned up takes away a not-received proposal's ground, not a damaged one's.
    assert Veto.HEDGE in read_cues("go ahead, it turned up this morning", not_received).vetoes
    assert Veto.HEDGE not in read_cues("go ahead, it turned up this morning", REFUND).vetoes
    assert Veto.HEDGE not in read_cues("yes go ahead, it never arrived", not_received).vetoes
    # A count of goods the proposal does not hold.
    assert Veto.OTHER_NUMBER in read_cues("yes, and refund both of them", REFUND).vetoes
    assert Veto.OTHER_NUMBER not in read_cues("yes, both correct, go ahead", REFUND).vetoes


def test_a_wish_about_how_to_be_reached_is_an_aside() -> None:
    for clause in ("Contact me only by email,", "Text only please,", "Ring the landline,"):
        assert proven_aside(clause, RETURN), clause
    # ...unless it waits for something or names the deal.
    for clause in ("text me first", "call me before you do it", "email me the label"):
        assert not proven_aside(clause, RETURN), clause
