"""The signatory read as "the signer", a limit that restates the proposal's own items, dates in
stories, drop-off plans on a named day, and waits in the lexicon languages.

The unit tests need no model; the reader tests load the shared encoder (slow). Each leniency has
its non-yes twins beside it: a signatory who has the parcel, a limit that leaves an item out, a
date to act on, a drop-off that waits."""

from __future__ import annotations

import pytest

from app.language.consent import ConsentReader
from app.language.consent_terms import ProposalTerms
from app.language.readable import unread_part
from app.language.restated_terms import without_restated_limit
from app.language.signatory import denies_signer, signatory_of, with_signer

DISPUTE = ProposalTerms.from_text(
    "The carrier shows order ORD-3333344 as delivered on 15 September, signed for by H. "
    "Fischer. Since you didn't receive it, this qualifies as a delivery dispute: I can refund "
    "$255.80. Shall I go ahead? Please reply yes or no."
)
ONE_ITEM = ProposalTerms.from_text(
    "This is for 1 x Wireless Earbuds on order ORD-9689583, nothing else. I can refund $89.00 "
    "on order ORD-9689583. Shall I go ahead? Please reply yes or no."
)
TWO_ITEMS = ProposalTerms.from_text(
    "I can start a return on order ORD-3772887 for 1 x Wireless Earbuds (SKU-2313-Z), 1 x "
    "Smart Plug (SKU-2255-N). Once the items are received you'll be refunded up to $108.40. "
    "Shall I go ahead? Please reply yes or no."
)


# ---------------------------------------------------------------- no model


def test_the_signatory_is_parsed_from_the_proposal() -> None:
    assert DISPUTE.signatory == "H. Fischer"
    assert signatory_of("signed for by Anna Maria Lopez-Garcia. Since you") == (
        "Anna Maria Lopez-Garcia"
    )
    assert signatory_of("I can refund $94.31 on order ORD-9425237") is None
    # A place or a role the carrier recorded is no person: "no parcel came" stays as written.
    for recorded in ("Parcel locker", "Reception", "Left at front door", "Building staff"):
        assert signatory_of(f"as delivered, signed for by {recorded}. Since you") is None


@pytest.mark.parametrize(
    ("reply", "read"),
    [
        ("I don't know M. Okafor", "I don't know the signer"),
        ("i dont know any m okafor lol", "i dont know any the signer lol"),
        (
            "Never heard of Mr Okafor, Okafor's not here",
            "Never heard of the signer, the signer's not here",
        ),
        # Lower case in a reply that has capitals: only where a person is spoken of.
        (
            "Yes, i don't know any okafor. My okafor jacket",
            "Yes, i don't know any the signer. My okafor jacket",
        ),
    ],
)
def test_the_signatory_is_read_as_the_signer(reply: str, read: str) -> None:
    assert with_signer(reply, "M. Okafor") == read


def test_a_name_the_carrier_recorded_in_capitals_is_read_as_written_by_the_customer() -> None:
    assert with_signer("Moyo? That's not me.", "T. MOYO") == "the signer? That's not me."


def test_only_a_denial_of_the_signer_is_one() -> None:
    assert denies_signer("no one here is named the signer")
    assert denies_signer("whoever the signer is, he never came")
    assert not denies_signer("the signer is my neighbour")
    assert not denies_signer("i don't know")


@pytest.mark.parametrize(
    ("reply", "terms", "read"),
    [
        ("yes just the earbuds, they fall out", ONE_ITEM, "yes the earbuds, they fall out"),
        ("only earbuds nothing else", ONE_ITEM, "earbuds nothing else"),
        (
            "yes only the earbuds and the smart plug.",
            TWO_ITEMS,
            "yes the earbuds and the smart plug.",
        ),
        # Each of these still limits, counts or adds: the word stays and is read with its veto.
        ("yes only the earbuds", TWO_ITEMS, "yes only the earbuds"),
        ("yes only the earbuds and the case", ONE_ITEM, "yes only the earbuds and the case"),
        ("just one of the earbuds", ONE_ITEM, "just one of the earbuds"),
        ("only the earbuds if possible", ONE_ITEM, "only the earbuds if possible"),
        ("yes just do it", ONE_ITEM, "yes just do it"),
    ],
)  # fmt: skip
def test_a_limit_is_dropped_only_where_it_names_exactly_the_proposals_items(
    reply: str, terms: ProposalTerms, read: str
) -> None:
    assert without_restated_limit(reply, terms) == read


def test_a_short_clause_in_a_language_the_reader_cannot_read_is_unread() -> None:
    assert unread_part(["ali samo slušalice"], ONE_ITEM) is not None
    assert unread_part(["men sèlman mwatye"], ONE_ITEM) is not None
    # English with typos and the lexicon languages are read.
    assert unread_part(["Dont need to emial me"], ONE_ITEM) is None
    assert unread_part(["pas besoin de m'appeler"], ONE_ITEM) is None


# ---------------------------------------------------------------- the reader (model)


@pytest.fixture(scope="module")
def reader() -> ConsentReader:
    return ConsentReader()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reply", "terms"),
    [
        ("Yes please refund. The courier never came, and I don't know H. Fischer", DISPUTE),
        ("Yes, please go ahead. No one at this address is named H. Fischer.", DISPUTE),
        ("yes go ahead, i don't know any fischer lol. Never got it.", DISPUTE),
        ("Yes go ahead. On 3 March I was in Split for work, nobody signed anything.", DISPUTE),
        ("yes just the earbuds, they fall out every time I do burpees. send it", ONE_ITEM),
        ("Yes. Just the earbuds, nothing else. Proceed.", ONE_ITEM),
        ("Yes. I accept the terms as stated: $89.00, ORD-9689583, Earbuds only.", ONE_ITEM),
        ("yes go ahead, I never heard of H. Fischer. Checked with the other residents.", DISPUTE),
        ("Yes please. I'll take them to the Post Office in the village on Thursday.", TWO_ITEMS),
        ("yes, ship it. will drop the box at the FedEx kiosk tmrw during lunch.", TWO_ITEMS),
        ("Yes go ahead. Droppin it off Saturday.", TWO_ITEMS),
        ("yes go ahead. I'll drop it off Friday when I go to town.", TWO_ITEMS),
        ("Yes. That plug buzzes some bad. I'll bring it to the Canada Post Tuesday.", TWO_ITEMS),
        ("Yes, that works for me. Thanks a bunch, have a good one.", ONE_ITEM),
    ],
)  # fmt: skip
def test_a_yes_with_a_story_about_the_signer_a_restated_scope_or_a_drop_off_executes(
    reader: ConsentReader, reply: str, terms: ProposalTerms
) -> None:
    assert reader.read(reply, terms).executes


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reply", "terms"),
    [
        ("Yes. H. Fischer is my neighbour, she has it.", DISPUTE),
        ("I don't know H. Fischer, but let me check with the neighbours first. Then yes.", DISPUTE),
        ("yes, refund it to H. Fischer", DISPUTE),
        ("Who is H. Fischer? yes", DISPUTE),
        ("yes, only the earbuds", TWO_ITEMS),
        ("yes just one of the earbuds", ONE_ITEM),
        ("yes, just the earbuds for now", ONE_ITEM),
        ("yes, the earbuds only if it's the full amount", ONE_ITEM),
        ("I want the earbuds only", TWO_ITEMS),
        ("yes, on 16 April, my birthday", DISPUTE),
        ("yes, you can go ahead from 6 January onwards", ONE_ITEM),
        ("Yes. I'll drop it off when I'm back from Spain in three weeks, hold it.", TWO_ITEMS),
        ("Yes, I'll take it to the UPS store on Friday if you send me a label first.", TWO_ITEMS),
        ("yes mais attends à lundi", ONE_ITEM),
        ("ok pero espera al viernes", ONE_ITEM),
        ("ok, ali samo slušalice", ONE_ITEM),
        ("ok, men sèlman mwatye", ONE_ITEM),
    ],
)  # fmt: skip
def test_their_non_yes_twins_do_not_execute(
    reader: ConsentReader, reply: str, terms: ProposalTerms
) -> None:
    assert not reader.read(reply, terms).executes


def test_the_agent_reads_the_signatory_from_the_proposal_it_made() -> None:
    from app.agents.negotiation.consent_step import terms_of
    from app.agents.negotiation.state import Action, Proposal
    from app.platform.contract import ReasonCode

    proposal = Proposal(
        proposal_id="p-1",
        action=Action.REFUND,
        order_id="ORD-3333344",
        amount=255.80,
        currency="USD",
        reason_code=ReasonCode.DELIVERY_DISPUTE,
        message=(
            "The carrier shows order ORD-3333344 as delivered on 15 September, signed for by "
            "H. Fischer. Since you didn't receive it, this qualifies as a delivery dispute: I "
            "can refund $255.80. Shall I go ahead? Please reply yes or no."
        ),
    )
    terms = terms_of(proposal, None, None)
    assert terms.signatory == "H. Fischer"
    assert terms.not_received
