"""A plain go-ahead in a language the consent head cannot read: every word must be understood.

`foreign_assent` needs no model. The last test runs the whole reader (slow) over every held-out
consent set and pins that no line labelled anything but yes executes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.language.consent_terms import ProposalTerms
from app.language.foreign_assent import foreign_assent, vetoed_in_own_language
from app.language.readable import unread_part

REFUND = ProposalTerms(action="refund", order_id="ORD-3312087", amount=61.30)
RETURN = ProposalTerms(action="return", order_id="ORD-1837655", amount=84.50)


@pytest.mark.parametrize(
    ("reply", "language"),
    [
        ("Ναι, προχωρήστε με την επιστροφή χρημάτων. Ευχαριστώ πολύ!", "el"),
        ("nai nai entaksei, proxwra, efxaristw", "el"),
        ("כן, תעשה את ההחזר. תודה רבה!", "he"),
        ("aywa tamam e3melha shokran", "ar"),
        ("أيوه يا فندم اعمل الريفاند، شكراً", "ar"),
        ("ได้ค่ะ ดำเนินการคืนเงินได้เลยค่ะ ขอบคุณค่ะ", "th"),
        ("好的，请退款，谢谢", "zh"),
        ("はい、返金お願いします", "ja"),
        ("네 환불 진행해 주세요", "ko"),
        ("Iva, mur agħmel ir-rifużjoni, grazzi ħafna.", "mt"),
        ("Ehe, endererai. Maita basa.", "sn"),
        ("Ndiyo, endelea tafadhali 🙏", "sw"),
        ("Sige po, ituloy na lang", "tl"),
        ("iya kak, lanjut refund ya 👍", "id"),
        ("да, оформляйте возврат, спасибо", "ru"),
        ("haan ji kar do please", "hi"),
        ("Ça c'est bon, cher, fais-le.", "fr"),
        ("Vâng, hoàn tiền giúp em nhé, cảm ơn", "vi"),
        ("Evet, iade yapın lütfen", "tr"),
        ("bale, lotfan anjam bedid mamnoon", None),  # "anjam bedid" only as one phrase
        ("Yes ORD-3312087 sawa", "sw"),
        ("Wi tanpri. Mèsi anpil.", "ht"),
        ("Ja, doen dit asseblief", "af"),
        ("Da, slobodno, hvala", "hr"),
        ("D'acord, endavant, gràcies", "ca"),
        ("Aama, refund pannunga", "ta"),
    ],
)
def test_a_go_ahead_every_word_of_which_is_understood(reply: str, language: str | None) -> None:
    assert foreign_assent(reply, REFUND) == language


@pytest.mark.parametrize(
    "reply",
    [
        # English alone is the ordinary reader's.
        "ok",
        "yes go ahead",
        # A question, in any script's own sign.
        "Ναι;",
        "好的吗",
        "はい？",
        "sawa?",
        # A refusal or a word the lists do not hold: not understood, so not a yes.
        "ไม่ได้ค่ะ",
        "不可以",
        "아니요",
        "Hapana",
        "la2 mesh 3ayez",
        "нет",
        "nahi",
        "oo pero isa lang",
        "iya tapi cuma satu",
        "Ναι αλλά μόνο το μαχαίρι",
        "tamam olur, eşim hayır diyor",
        "진행하지 마세요",
        # A number that is not the proposal's order id, or another order.
        "ya 2 saja",
        "sawa ORD-9999999",
        # An emoji that is not a plain thumbs-up.
        "sawa 🤔",
        "ndiyo 👎",
        # The other action's noun: "start the return" is not a yes to a refund.
        "סבבה, יאללה, תתחיל את ההחזרה.",
        "はい、返品お願いします",
        # Polite refusals that look like assent are never strong words.
        "大丈夫です",
        "괜찮아요",
        "c'est bon merci",
        # A word that is a go-ahead only inside its phrase: Polish "ale" is "but".
        "ale",
        "Može",
    ],
)
def test_anything_not_understood_or_not_a_go_ahead_is_left_to_the_reader(reply: str) -> None:
    assert foreign_assent(reply, REFUND) is None


def test_a_long_paste_is_never_a_plain_go_ahead() -> None:
    # A go-ahead is short: a 4,000-character run of one is not read (nor cut, which costs).
    assert foreign_assent("好的请退款谢谢" * 570, REFUND) is None
    assert foreign_assent("好的请退款谢谢", REFUND) == "zh"


def test_the_action_noun_must_be_the_proposals() -> None:
    assert foreign_assent("はい、返品お願いします", RETURN) == "ja"
    assert foreign_assent("はい、返金お願いします", RETURN) is None


def _non_yes_lines() -> list[tuple[str, str, str]]:
    lines: list[tuple[str, str, str]] = []
    for path in sorted((Path(__file__).resolve().parents[1] / "evals" / "data").glob("consent_*")):
        for raw in path.read_text(encoding="utf-8").split("\n"):
            if raw.strip():
                row = json.loads(raw)
                if row["label"] != "yes":
                    lines.append((path.name, row["proposal"], row["reply"]))
    return lines


@pytest.mark.slow
def test_no_held_out_line_that_is_not_a_yes_executes() -> None:
    from app.language.consent import shared_reader

    lines = _non_yes_lines()
    assert len(lines) >= 1500
    readings = shared_reader().read_many(
        [(reply, ProposalTerms.from_text(proposal)) for _, proposal, reply in lines]
    )
    executed = [
        f"{name}: {reply}"
        for (name, _, reply), reading in zip(lines, readings, strict=True)
        if reading.executes
    ]
    assert executed == []


@pytest.mark.parametrize(
    ("reply", "language"),
    [
        ("Tak, terima kasih bang", "id"),  # Malay "no, thanks": "tak" is Polish yes
        ("Ja, men bara hälften", "sv"),  # "yes, but only half"
        ("Sawa, lakini si sasa hivi", "sw"),  # "ok, but not now"
        ("Haan ji, agar courier wale confirm kar dein", "hi"),  # "yes, if the courier confirms"
        ("aiwa, ndatenda", "sn"),  # Shona "no, thanks": "aiwa" is Egyptian yes
        ("Tak, poproszę", None),  # Polish "yes, please"
        ("yes go ahead, so the refund then", None),  # English is the English vetoes' to read
        ("d'acord, però només la meitat ara", "ca"),  # "ok, but only half now"
        ("Wi, men sèlman mwatye", "ht"),  # "yes, but only half"
        ("Ja asseblief, slegs die helfte", "af"),  # "yes please, only half"
    ],
)
def test_a_veto_word_beside_its_own_languages_words_vetoes(
    reply: str, language: str | None
) -> None:
    assert vetoed_in_own_language(reply, REFUND) == language


@pytest.mark.parametrize(
    ("clauses", "unread"),
    [
        (["Ya,", "tapi saya tak nak refund,", "nak tukar barang"], "tapi saya tak nak refund,"),
        (["Sige po,", "pero mamaya na lang"], "pero mamaya na lang"),
        (
            ["yes go ahead.", "Mlinzi wa gate anasema hakuna mtu alileta kitu siku hiyo."],
            "Mlinzi wa gate anasema hakuna mtu alileta kitu siku hiyo.",
        ),
        # English with rare words, slips, chat words and names; the lexicon's languages;
        # courtesy every word of which a vocabulary knows.
        (["the thermostat overshoots by 40°C"], None),
        (["my 2 daughtrs laughed at it lol"], None),
        (["Yes please, Mrs Okonkwo Adebayo-Smith here"], None),
        (["ok d'accord,", "pas besoin de m'appeler"], None),
        (["Ndatenda shamwari,", "yes please go ahead"], None),
    ],
)
def test_a_clause_the_reader_cannot_read_is_found(clauses: list[str], unread: str | None) -> None:
    assert unread_part(clauses, REFUND) == unread
