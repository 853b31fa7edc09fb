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
from app.language.consent_terms import ProposalTerms, words_of
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
        "Paypal?",  # a question about the deal, not an echo of the proposal's words
        "Slippers only?",
        "the whole order was wrong",
        "3 of them were broken",
        "2/3 of them",
        "please do not refund it",
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
        "the driver probably came at lunch",  # a guess about what happened
        "the thermostat overshoots by 40°C",  # measurements, ratings and the radio's 10-4
        "the doorbell is 8 m from the gate",
        "the support was 10/10",
        "the whole house cannot sleep",  # quantities of places, people and time
        "half the street got theirs",
        "sorry I snapped at the other agent",
        "they sent me a kettle instead of the toaster",
        "if I'd known it would take 3 weeks I would have bought it in town",
        "I prefer to communicate in writing",
        "I never check my inbox",
        "Had I known the lenses were so poor",
        "walking like a monk 555",  # Thai laughter
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
    # Its own verbs and places are how the goods go back; leaving a thing out is not.
    assert proven_aside("I will leave it in the locker tomorrow", RETURN)
    assert proven_aside("I will bring the package to the pickup point on Saturday", RETURN)
    assert not may_set_aside(
        "I'll leave the backpack out and drop the slippers at the post office", RETURN
    )


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


def test_an_echo_of_the_proposals_own_words_is_an_aside() -> None:
    said = REFUND.model_copy(
        update={"said_words": words_of("delivered on 3 December, signed for by J. SMITH")}
    )
    for echo in ("Smith?", "Smith??", "Signed by Smith?", "delivered?"):
        assert proven_aside(echo, said), echo
    # Not an echo: words the proposal never said, a question word, or a deal word.
    for clause in ("Bitcoin?", "Is it Smith?", "Who is Smith?", "Smith or the card?"):
        assert not may_set_aside(clause, said), clause
    assert not may_set_aside("Smith?", REFUND)  # the terms never said it


def test_asking_for_the_proposals_own_action_is_an_explicit_yes() -> None:
    for reply in ("Refund it.", "copy. refund it please", "do the refund, thanks"):
        assert explicit_yes(reply, REFUND), reply
        assert not explicit_yes(reply), reply  # without the terms, only consent words count
    assert explicit_yes("Please start the return.", RETURN)
    # The other action, a changed destination, or the bare noun (sarcasm's favourite) are not.
    for reply in ("return them", "refund it to my other card", "Oh great, refund."):
        assert not explicit_yes(reply, REFUND), reply


def test_please_do_not_is_not_a_please_do() -> None:
    assert not explicit_yes("please do not call")
    assert blocking_reason("please do not call", REFUND) != "an assent of its own"


def test_a_time_is_not_cut_at_its_colon() -> None:
    assert clauses("logged at 10:07 while I was home. note: yes") == [
        "logged at 10:07 while I was home.",
        "note:",
        "yes",
    ]


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
        "Confirmed. Start the return. No need to follow up by email.",
        "Yes, this is fine. Please do not call, I prefer to communicate in writing.",
        "Copy. Go ahead. The driver probably couldn't find the house, I get it.",
        "yes 🙏 you're a lifesaver",
        "Affirmative. You may proceed as proposed, without reservation.",
        "ok gr8 go ahead 👍",
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
        "Copy, but only the slippers.",
        "Slippers? yes go ahead",
        "10-4 but wait till Monday.",
        "The whole order was wrong. Start the return for the backpack only.",
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


def test_an_elided_go_ahead_is_written_out() -> None:
    from app.language.consent import spelled_out

    assert spelled_out("Mais yeah, go 'head.") == "Mais yeah, go ahead."
    assert spelled_out("Go 'ed la, sound") == "go ahead la, sound"
    assert spelled_out("goahead pls") == "go ahead pls"
    assert spelled_out("go ed, it's your call") == "go ed, it's your call"  # "go, Ed"
    # Chat spellings with digits are words; a digit before anything else stays a number.
    assert spelled_out("ok gr8 go ahead, srry 4 the caps") == "ok great go ahead, srry for the caps"
    assert spelled_out("refund 4 items") == "refund 4 items"
