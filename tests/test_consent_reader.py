"""The consent reader: only an explicit yes to these exact terms executes.

The cue and veto tests need no model. The reader tests load the shared encoder (slow): they pin
that every veto holds whatever the classifier scores, on hard negatives full of yes-like words.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.language.consent import (
    ARTIFACT_PATH,
    LABELS,
    ConsentLabel,
    ConsentReader,
    ConsentReading,
    decide,
    masked_reply,
    read_scoped,
)
from app.language.consent_cues import Veto, read_cues
from app.language.consent_data import data_sha256, load_examples
from app.language.consent_scope import clauses, consent_part
from app.language.consent_terms import ProposalTerms

RETURN_TEXT = (
    "I can start a return on order ORD-2424708 for 1 x Wool Slippers (SKU-1102-A), 1 x Travel "
    "Backpack (SKU-2207-B). Once the items are received you'll be refunded up to $89.90. Shall "
    "I go ahead? Please reply yes or no."
)
REFUND = ProposalTerms(
    action="refund",
    order_id="ORD-1234567",
    amount=89.99,
    awbs=("AWB-0000000001",),
    other_item_names=("Yoga Mat",),
)
RETURN = ProposalTerms.from_text(RETURN_TEXT)


# ---------------------------------------------------------------- terms


def test_the_terms_are_parsed_from_the_proposal_the_customer_saw() -> None:
    assert RETURN.action == "return"
    assert RETURN.order_id == "ORD-2424708"
    assert RETURN.amount == 89.90
    assert RETURN.item_names == ("Wool Slippers", "Travel Backpack")
    assert RETURN.quantities == (1, 1)
    refund = ProposalTerms.from_text(
        "I can refund $42.50 on order ORD-1000342. Shall I go ahead? Please reply yes or no."
    )
    assert (refund.action, refund.order_id, refund.amount) == ("refund", "ORD-1000342", 42.5)


def test_a_proposal_without_an_order_cannot_be_read_against() -> None:
    with pytest.raises(ValueError):
        ProposalTerms.from_text("Shall I go ahead?")
    # One that moves no money is read against its order: any amount said is another one.
    free = ProposalTerms.from_text(
        "I can send a free replacement for order ORD-1000342 (1 x Desk Lamp). Shall I go ahead?"
    )
    assert (free.order_id, free.amount) == ("ORD-1000342", None)
    assert Veto.OTHER_AMOUNT in read_cues("yes, and refund the $20 shipping", free).vetoes


# ---------------------------------------------------------------- vetoes (no model)


@pytest.mark.parametrize(
    "reply",
    [
        "is that correct",
        "can i confirm",
        "will it be ok",
        "is it ok",
        "yes what?",
        "yes what",
        "confirm what exactly",
        "ok so does that include shipping",
        "sure, would that be everything",
        "yes waht",
        "Could you tell me when it arrives",
    ],
)
def test_a_question_form_vetoes_with_or_without_a_question_mark(reply: str) -> None:
    assert Veto.QUESTION in read_cues(reply, REFUND).vetoes


@pytest.mark.parametrize("reply", ["do it", "yes do the refund please", "go ahead", "yes please"])
def test_imperatives_are_not_questions(reply: str) -> None:
    assert Veto.QUESTION not in read_cues(reply, REFUND).vetoes


@pytest.mark.parametrize(
    ("reply", "veto"),
    [
        ("yes I'm sure I don't want it", Veto.NEGATION),
        ("yeah no", Veto.NEGATION),
        ("ok if it's the full amount", Veto.CONDITION),
        ("yes only if it's today", Veto.CONDITION),
        ("fine as long as there's no fee", Veto.CONDITION),
        ("yeah right", Veto.SARCASM),
        ("sure... not", Veto.SARCASM),
        ("oh sure 🙄", Veto.SARCASM),
        ("yes maybe", Veto.HEDGE),
        ("yes, but for ORD-7654321", Veto.OTHER_ORDER),
        ("yes AWB-0000000002", Veto.OTHER_ORDER),
        ("yes, $50", Veto.OTHER_AMOUNT),
        ("yes 2", Veto.OTHER_NUMBER),
        ("yes 50%", Veto.OTHER_NUMBER),
        ("yes, the Yoga Mat", Veto.OTHER_ITEM),
        ("yes refund the Garden Hose too", Veto.OTHER_ITEM),
        ("ok but send a replacement", Veto.OTHER_OUTCOME),
        ("Thank you for your patience", Veto.NO_ASSENT),
        ("", Veto.NO_ASSENT),
        # Any time still to come sets when; polite "if"s still carry what follows them.
        ("go ahead next Tuesday", Veto.CONDITION),
        ("yes do it in a fortnight", Veto.CONDITION),
        ("grateful if you would process it once I'm back", Veto.CONDITION),
        ("yes, I'm keeping it though", Veto.OTHER_OUTCOME),
        ("oh yes, go ahead, because that worked so well last time", Veto.SARCASM),
        # A wh-word after a bare yes, or before a noun, still asks.
        ("yes, which card", Veto.QUESTION),
        ("Go ahead with the refund, which card will it be on", Veto.QUESTION),
    ],
)
def test_each_veto_fires_on_its_form(reply: str, veto: Veto) -> None:
    assert veto in read_cues(reply, REFUND).vetoes


@pytest.mark.parametrize(
    "reply",
    [
        "yes",
        "yes, ORD-1234567",
        "yes for AWB-0000000001",
        "yes, refund $89.99",
        "no problem, go",
        # The "if" of a polite request, adverbs of "once", a graded "too", spoken assent, a
        # relative clause after its noun.
        "I'd be grateful if you would process the refund",
        "Yes, do it. Lovely weather for once!",
        "Yes please. It was too big, sadly.",
        "mm-hm, go ahead",
        "Kindly proceed with the refund, which we appreciate.",
    ],
)
def test_the_proposals_own_terms_and_idioms_raise_no_veto(reply: str) -> None:
    assert read_cues(reply, REFUND).vetoes == frozenset()


# Other languages: the same forms, read in the words customers write them in (accents or none).
@pytest.mark.parametrize(
    ("reply", "veto"),
    [
        ("Ist das der ganze Betrag", Veto.QUESTION),
        ("kan ik het bij de post afgeven", Veto.QUESTION),
        ("czy to cała kwota", Veto.QUESTION),
        ("cuánto tarda", Veto.QUESTION),
        ("est-ce que la livraison est incluse", Veto.QUESTION),
        ("Nein danke", Veto.NEGATION),
        ("não, obrigado", Veto.NEGATION),
        ("je n'en veux pas", Veto.NEGATION),
        ("👎", Veto.NEGATION),
        ("ja, aber nur die Hälfte", Veto.CONDITION),
        ("sí, pero solo si es todo", Veto.CONDITION),
        ("tak, ale tylko dzisiaj", Veto.CONDITION),
        ("yes, the bottle too", Veto.CONDITION),
        ("vielleicht später", Veto.HEDGE),
        ("🤔", Veto.HEDGE),
        ("sim, mas prefiro uma troca", Veto.OTHER_OUTCOME),
        ("oui, un échange plutôt", Veto.OTHER_OUTCOME),
    ],
)
def test_vetoes_fire_in_the_languages_customers_write(reply: str, veto: Veto) -> None:
    assert veto in read_cues(reply, REFUND).vetoes


@pytest.mark.parametrize(
    "reply",
    [
        "Sí, por favor",
        "si por favor",
        "Sim, pode seguir",
        "Tak, zgadzam się",
        "Ja, gerne",
        "Ja hoor, doe maar",
        "ga je gang",
        "D'accord",
        "Va bene",
        "Too easy, go ahead",
        "kein Problem, ja",
    ],
)
def test_a_plain_yes_in_another_language_raises_no_veto(reply: str) -> None:
    assert read_cues(reply, REFUND).vetoes == frozenset()


def test_a_part_refund_naming_its_lines_is_a_refund() -> None:
    terms = ProposalTerms.from_text(
        "This is for 1 x Cycling Helmet on order ORD-1000342, nothing else. I can refund $49.00 "
        "on order ORD-1000342. Shall I go ahead? Please reply yes or no."
    )
    assert (terms.action, terms.amount, terms.item_names) == ("refund", 49.0, ("Cycling Helmet",))


def test_the_proposals_own_items_are_not_another_item() -> None:
    assert read_cues("yes, return the Wool Slippers and the Travel Backpack", RETURN).vetoes == (
        frozenset()
    )


def test_a_veto_turns_even_a_certain_yes_into_its_own_label() -> None:
    certain_yes = np.zeros(len(LABELS))
    certain_yes[LABELS.index(ConsentLabel.YES)] = 1.0
    for reply, label in [
        ("is that correct", ConsentLabel.QUESTION),
        ("ok if it's the full amount", ConsentLabel.CONDITIONAL),
        ("yes, $50", ConsentLabel.COUNTER),
        ("yeah right", ConsentLabel.UNCLEAR),
        ("yes I'm sure I don't want it", ConsentLabel.NO),
    ]:
        reading = decide(certain_yes, read_cues(reply, REFUND), REFUND, 0.5)
        assert reading.label is label and not reading.executes, reply
    plain = decide(certain_yes, read_cues("yes please", REFUND), REFUND, 0.5)
    assert plain.executes


def test_a_yes_below_the_threshold_does_not_execute() -> None:
    unsure = np.full(len(LABELS), 0.4 / (len(LABELS) - 1))
    unsure[LABELS.index(ConsentLabel.YES)] = 0.6
    reading = decide(unsure, read_cues("yes", REFUND), REFUND, 0.7)
    assert not reading.executes and reading.model_label is ConsentLabel.YES


def test_the_embedding_sees_ids_and_amounts_relative_to_the_proposal() -> None:
    assert masked_reply("yes ORD-1234567 $89.99", REFUND) == "yes this order that amount"
    assert masked_reply("ORD-7654321 $20", REFUND) == "another order a different amount"


def test_the_artifact_was_trained_on_the_committed_data() -> None:
    artifact = json.loads(ARTIFACT_PATH.read_text(encoding="utf-8"))
    assert artifact["training_data_sha256"] == data_sha256(load_examples())
    assert artifact["leave_one_family_out"]["all"]["false_accept_rate"] == 0.0


@pytest.mark.parametrize(
    "name",
    [
        "dev",
        "holdout",
        "unseen",
        "unseen2",
        "unseen3",
        "unseen4",
        "unseen5",
        "unseen6",
        "unseen7",
        "unseen8",
        "unseen9",
        "unseen10",
        "unseen11",
        "unseen12",
        "unseen13",
        "unseen14",
        "probes",
        "probes2",
        "probes3",
        "probes4",
        "probes5",
    ],
)
def test_eval_data_comes_from_families_training_never_saw(name: str) -> None:
    from pathlib import Path

    held = load_examples(
        Path(__file__).resolve().parents[1] / "evals" / "data" / f"consent_{name}.jsonl"
    )
    train = load_examples()
    assert {e.family for e in held}.isdisjoint({e.family for e in train})
    # No eval reply is a training reply, whatever its case or spacing.
    assert {e.reply.strip().lower() for e in held}.isdisjoint(
        {e.reply.strip().lower() for e in train}
    )
    assert len(train) >= 600


# ---------------------------------------------------------------- scope (no model)


def test_clauses_keep_their_punctuation_and_split_before_connectives() -> None:
    assert clauses("yes go ahead, but don't send me emails") == [
        "yes go ahead,",
        "but don't send me emails",
    ]
    assert clauses("yes, the full amount?") == ["yes,", "the full amount?"]
    assert clauses("sure... not") == ["sure...", "not"]


@pytest.mark.parametrize(
    ("reply", "part"),
    [
        ("yes go ahead, but don't send me emails", "yes go ahead,"),
        ("yes, no need to call me", "yes,"),
        ("Yes, I accept. Not necessary to send email.", "Yes, I accept."),
        ("confirm. don't need the tracking email", "confirm."),
        ("yes do it, no rush", "yes do it,"),
        ("yes, and don't bother with the survey", "yes,"),
        ("absolutely yes, can't thank you enough", "absolutely yes,"),
        ("yes, go ahead, no hard feelings", "yes, go ahead,"),
        ("Ja gerne, aber bitte keine Anrufe", "Ja gerne,"),
        ("ok d'accord, pas besoin de m'appeler", "ok d'accord,"),
        ("Sì, grazie, non serve chiamarmi", "Si,"),
        ("the driver didn't knock at all, so yes go ahead", "so yes go ahead"),
        ("um yes please", "yes please"),
        ("erm, yes please", "yes please"),
        ("lol yes do it", "yes do it"),
        # Acknowledgements, closings and reassurance about what the proposal does not name.
        ("Noted. Please proceed, thank you.", "Please proceed,"),
        ("Understood, go ahead", "go ahead"),
        ("yes, that's everything, nothing else needed", "yes,"),
        ("Yes please refund. Don't worry about the packaging.", "Yes please refund."),
        # Apologies, swearing off future orders, a "though" that went with an aside, the "but"
        # that turns to the yes, resignation and filler before an explicit yes with a go.
        ("Yes please, I am sorry for bothering you.", "Yes please,"),
        ("Yes, refund it, and I'm never ordering from you again.", "Yes, refund it,"),
        ("Yes go ahead. Please don't call me though.", "Yes go ahead."),
        ("Worst service ever but yes, go ahead", "Worst service ever yes, go ahead"),
        ("Whatever, yes go ahead", "yes go ahead"),
        ("sure thing go ahead uh thanks", "sure thing go ahead"),
    ],
)
def test_a_negation_or_filler_about_something_else_is_set_aside(reply: str, part: str) -> None:
    assert consent_part(reply, REFUND) == part
    assert read_cues(part, REFUND).vetoes == frozenset()


@pytest.mark.parametrize(
    "reply",
    [
        # Negations that scope over the consent or the proposal's terms stay.
        "yes but don't refund it, send a new one",
        "yes, but don't process it until I've checked",
        "go ahead, but not today",
        "yeah no need, it turned up this morning",
        "no need, found it",
        "don't bother, I'll keep it",
        "nah don't worry about it",
        "ok, no thanks",
        "ok no sorry",
        "yes, no wait, don't",
        "sure, no need to call me about it",
        "yes but don't send a courier",
        "yes, no need to call me, just cancel it",
        "yes, I didn't agree to that amount",
        "yeah didn't think so",
        # Laughter beside a bare or mocking yes, and words that carry sarcasm, stay.
        "lol ok",
        "haha sure",
        "😂😂😂 sure",
        "oh sure",
        "lol yes do it whatever",
        # Filler before a bare "ok" or "sure" hesitates.
        "hmm ok",
        "uh sure",
        # Punctuation that makes a question stays with its clause.
        "yes, no need to call me, the full amount?",
        # An acknowledgement or reassurance leaves what follows it to decide.
        "understood, but not today",
        "got it, no",
        "I see, so no?",
        "don't worry about the money, yes",
        # Asides that carry a term, a condition or a refusal of their own stay.
        "I'm never ordering from you again unless this is sorted",
        "sorry, but only half",
        "whatever, ok",
        "Whatever, yes go ahead, but only half now",
        "No refund but yes, send a new one",
        "sorry, I'm never ordering again, so no",
    ],
)
def test_a_negation_about_the_consent_or_its_terms_is_never_set_aside(reply: str) -> None:
    part = consent_part(reply, REFUND)
    assert part is None or read_cues(part, REFUND).vetoes, part
    part = consent_part(reply, RETURN)
    assert part is None or read_cues(part, RETURN).vetoes, part


def test_a_reply_that_is_all_aside_has_no_consent_part() -> None:
    assert consent_part("no need to call me", REFUND) is None
    assert consent_part("no rush", REFUND) is None
    assert consent_part("Understood.", REFUND) is None
    # What is left of an acknowledgement with thanks carries no assent of its own.
    left = consent_part("noted, thanks", REFUND)
    assert left is None or Veto.NO_ASSENT in read_cues(left, REFUND).vetoes


@pytest.mark.parametrize(
    ("reply", "veto"),
    [
        ("😂😂😂 sure", Veto.SARCASM),
        ("oh yes, because that worked so well last time", Veto.SARCASM),
        ("yes, return the rice cooker and the steamer basket", Veto.OTHER_ITEM),
        ("yes refund it and the delivery fee", Veto.OTHER_ITEM),
        ("yes, do it next month", Veto.CONDITION),
        ("ok cheers, will think about it", Veto.HEDGE),
    ],
)
def test_mocking_forms_and_listed_items_not_the_proposals_veto(reply: str, veto: Veto) -> None:
    assert veto in read_cues(reply, REFUND).vetoes


def test_listing_the_proposals_own_items_or_closing_with_nothing_else_is_no_change() -> None:
    assert read_cues("yes, return the slippers and the backpack", RETURN).vetoes == frozenset()
    # "nothing" is still a negation (only a second reading may set it aside), but not a change.
    assert Veto.OTHER_ITEM not in read_cues("yes, nothing else", REFUND).vetoes
    assert Veto.OTHER_ITEM not in read_cues("yes. no other questions", REFUND).vetoes
    assert Veto.OTHER_ITEM in read_cues("yes, the other one", REFUND).vetoes


def _reading(label: ConsentLabel) -> ConsentReading:
    return ConsentReading(
        label=label,
        model_label=label,
        p_yes=1.0 if label is ConsentLabel.YES else 0.0,
        vetoes=[],
        other_order_ids=[],
        other_awbs=[],
        other_amounts=[],
    )


def test_the_second_reading_only_ever_turns_a_non_yes_into_its_own_yes() -> None:
    pairs = [("yes, no need to call me", REFUND), ("yes but don't refund it", REFUND)]
    first = [_reading(ConsentLabel.NO), _reading(ConsentLabel.NO)]
    asked: list[str] = []

    def says_yes(parts: object) -> list[ConsentReading]:
        asked.extend(text for text, _ in parts)  # type: ignore[attr-defined]
        return [_reading(ConsentLabel.YES) for _ in asked]

    out = read_scoped(first, pairs, says_yes)
    # Only the reply with an aside is read again; the scoped "don't refund it" never is.
    assert asked == ["yes,"]
    assert out[0].executes and out[0].read_as == "yes,"
    assert out[1].label is ConsentLabel.NO

    def says_no(parts: object) -> list[ConsentReading]:
        return [_reading(ConsentLabel.UNCLEAR) for _ in parts]  # type: ignore[attr-defined]

    kept = read_scoped(first, pairs, says_no)
    assert [r.label for r in kept] == [ConsentLabel.NO, ConsentLabel.NO]


# ---------------------------------------------------------------- the reader (model)


@pytest.fixture(scope="module")
def reader() -> ConsentReader:
    return ConsentReader()


@pytest.mark.slow
@pytest.mark.parametrize(
    "reply",
    [
        "yes",
        "Yes please",
        "yes, go ahead",
        "y",
        "ok",
        "confirm",
        "sure, do it",
        "yes yes",
        "Yes.",
        "YES!!",
        "yeah",
        "yep, do it",
        "okay thanks",
        "sure",
        "I confirm",
        "correct",
        "go ahead",
        "please proceed",
        "that's right, thank you",
        "yes, refund $89.99",
        "yes 89.99",
        "yes, ORD-1234567",
        "yes for AWB-0000000001",
        "absolutely",
        "sounds good",
        "yes \u2019please\u2019",
        # A customer's own reference is a label, not a number of anything.
        "Please go ahead. Our internal reference for this is PO-22817.",
        # The "if" of politeness.
        "Yes, I would be grateful if you would go ahead.",
    ],
)
def test_a_plain_yes_to_these_terms_executes(reader: ConsentReader, reply: str) -> None:
    assert reader.read(reply, REFUND).executes


@pytest.mark.slow
@pytest.mark.parametrize(
    "reply",
    [
        # Found on the running service: each was taken as a yes.
        "is that correct",
        "can i confirm",
        "is it ok",
        "will it be ok",
        # Hard negatives full of yes-like words.
        "yes what?",
        "ok if it's the full amount",
        "yeah right",
        "yes I'm sure I don't want it",
        "sure... not",
        "you're wrong",
        "yes, you're wrong",
        "yesterday it arrived actually",
        "yikes",
        "your system is broken",
        "yes, the other one",
        "yes SKU-9942-A",
        "yes maybe",
        "I think so",
        "no",
        "never mind",
        "it never arrived",
        "any news?",
        "correct me if I'm wrong, but is that all of it",
        # A change of where the money goes, after an emoji or a word of assent.
        "👍 but to my paypal pls",
        "yes but to my paypal",
        # A polite "if" keeps every other veto.
        "I would be grateful if you would go ahead only with the mug",
        "grateful if you would go ahead if it is the full amount",
        # Somewhere else for the money or the goods (each was a yes before).
        "Yes go ahead. Send it to my office.",
        "Yes. To my wife.",
        "Yes. Refund to my wife please.",
        # An acknowledgement is not consent, even beside a weak word of assent.
        "right, understood",
        "ok noted",
    ],
)
def test_anything_but_an_explicit_yes_does_not_execute(reader: ConsentReader, reply: str) -> None:
    assert not reader.read(reply, REFUND).executes
    assert not reader.read(reply, RETURN).executes


@pytest.mark.slow
@pytest.mark.parametrize(
    "reply",
    [
        "Sí, gracias",
        "Oui, merci",
        "Ja, danke",
        "Tak, dziękuję",
        "Sim, obrigado",
        "Sì, grazie",
        "👍🏽",
    ],
)
def test_a_plain_yes_in_the_languages_customers_write_executes(
    reader: ConsentReader, reply: str
) -> None:
    assert reader.read(reply, REFUND).executes


@pytest.mark.slow
@pytest.mark.parametrize(
    "reply",
    [
        "Nein danke",
        "no gracias, ya no lo quiero",
        "y el dinero cuándo llega",
        "oui mais seulement la moitié",
        "czy to wszystko",
        "ok noted",
        "sure buddy",
        "yes sounds fishy to me",
        "just checking it's the right order",
        "I'll say yes once I've seen the label",
    ],
)
def test_other_languages_acknowledgements_and_distrust_do_not_execute(
    reader: ConsentReader, reply: str
) -> None:
    assert not reader.read(reply, REFUND).executes
    assert not reader.read(reply, RETURN).executes


@pytest.mark.slow
def test_a_yes_naming_an_item_that_only_shares_a_word_with_the_proposal_is_not_consent(
    reader: ConsentReader,
) -> None:
    reading = reader.read("yes, return the Wool Slippers and the Slipper Socks", RETURN)
    assert not reading.executes and "other_item" in reading.vetoes


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reply", "labels"),
    [
        ("no thanks", {ConsentLabel.NO}),
        ("please cancel", {ConsentLabel.NO}),
        ("how long will it take?", {ConsentLabel.QUESTION}),
        ("is that correct", {ConsentLabel.QUESTION}),
        ("only if the courier collects it", {ConsentLabel.CONDITIONAL}),
        ("ORD-7654321 instead", {ConsentLabel.COUNTER}),
        ("make it $20", {ConsentLabel.COUNTER, ConsentLabel.CONDITIONAL}),
        ("hmm", {ConsentLabel.UNCLEAR}),
    ],
)
def test_each_label_is_read(reader: ConsentReader, reply: str, labels: set[ConsentLabel]) -> None:
    assert reader.read(reply, REFUND).label in labels


@pytest.mark.slow
def test_a_change_names_the_new_terms(reader: ConsentReader) -> None:
    reading = reader.read("no, make it $10 on ORD-7654321", REFUND)
    assert reading.other_amounts == [10.0] and reading.other_order_ids == ["ORD-7654321"]
    assert not reader.read("yes, ORD-1234567", REFUND).other_order_ids


@pytest.mark.slow
@pytest.mark.parametrize(
    "reply",
    [
        "yes go ahead, but don't send me emails",
        "yes, no need to call me",
        "yes do it, no rush",
        "absolutely yes, can't thank you enough",
        "um yes yes that's right go ahead",
        "Ja gerne, aber bitte keine Anrufe",
    ],
)
def test_a_yes_with_an_aside_executes(reader: ConsentReader, reply: str) -> None:
    assert reader.read(reply, REFUND).executes
    assert reader.read(reply, RETURN).executes


@pytest.mark.slow
@pytest.mark.parametrize(
    "reply",
    [
        "yes but don't refund it, send a new one",
        "yes, but not the backpack",
        "go ahead, but not today",
        "yeah no need, it turned up this morning",
        "ok, no thanks",
        "nah don't worry about it",
        "yes, no need to call me, just cancel it",
        "lol ok sure",
        "😂😂😂 sure",
        "oh yes, because that worked so well last time",
        "yes, return the slippers and the phone charger",
    ],
)
def test_a_yes_whose_but_or_negation_scopes_over_the_proposal_does_not_execute(
    reader: ConsentReader, reply: str
) -> None:
    assert not reader.read(reply, REFUND).executes
    assert not reader.read(reply, RETURN).executes


@pytest.mark.parametrize(
    "reply",
    [
        "Yes go ahead. The driver threw the parcel over the fence, but ok, thanks",
        "Go ahead please. Don't text me, only email",
        "yes please do it. the van turned up four hours late but there we are",
        "Aye, go ahead",
        "Yes, proceed. It took ages to arrive, but no problem",
    ],
)
def test_complaints_settling_and_channel_wishes_beside_a_yes_are_set_aside(reply: str) -> None:
    part = consent_part(reply, REFUND) or reply
    assert read_cues(part, REFUND).vetoes == frozenset(), part


@pytest.mark.parametrize(
    "reply",
    [
        "yes go ahead, but my husband disagrees",
        "Yes go ahead, but let's see",
        "yes please, but the blue one",
        "yes go ahead, the courier said to wait until monday",
        "yes go ahead, but not now",
        "yes go ahead, but minus shipping",
        "Great plan, go ahead",
        "Oh yeah, sure, go ahead",
    ],
)
def test_a_contrast_that_holds_or_changes_the_yes_stays(reply: str) -> None:
    part = consent_part(reply, REFUND)
    assert read_cues(part or reply, REFUND).vetoes, part


@pytest.mark.parametrize(
    ("text", "stray"),
    [
        ("I've been waiting 3 weeks", False),
        ("it came 10 days late", False),
        ("that was 2 weeks ago", False),
        ("yes but wait 2 days", True),
        ("yes, refund in 3 days", True),
        ("yes, keep it for 2 days", True),
        ("do it 2 days from now", True),
    ],
)
def test_how_long_the_customer_waited_is_no_number_of_anything(text: str, stray: bool) -> None:
    from app.language.mentions import read_mentions

    assert read_mentions(text).stray_numbers is stray


def test_a_past_negation_written_out_is_a_story_and_a_present_one_is_not() -> None:
    assert consent_part("Yes go ahead. The lamp was not working from the start", REFUND) == (
        "Yes go ahead."
    )
    for reply in ("yes, I was not asking for that", "Yes. It was not the full amount."):
        part = consent_part(reply, REFUND)
        assert part is None or read_cues(part, REFUND).vetoes, part


def test_a_when_in_the_past_tells_and_one_to_come_conditions() -> None:
    assert Veto.CONDITION not in read_cues("I was shocked when it turned up smashed", REFUND).vetoes
    assert Veto.CONDITION in read_cues("yes go ahead when I get back", REFUND).vetoes
    assert Veto.CONDITION in read_cues("yes, do it when it arrives", REFUND).vetoes
