"""Other languages' order-domain words reach the case heads in English; English, ids, amounts
and item names pass untouched."""

from __future__ import annotations

import pytest

from app.language.gloss import gloss
from app.language.reasons import heads_text


@pytest.mark.parametrize(
    ("message", "english"),
    [
        ("quiero mi dinero", "i want my money back"),
        ("die sneakers sind zu klein", "die sneakers sind too small"),
        ("ORD-8100003 est en retard", "ORD-8100003 est late"),
        ("je veux être remboursé", "i want be refunded"),
        ("o carregador não funciona", "o carregador does not work"),
        ("il pacco non è arrivato", "il parcel has not arrived"),
        ("mujhe refund chahiye", "mujhe want a refund"),
    ],
)
def test_domain_words_are_glossed(message: str, english: str) -> None:
    assert gloss(message) == english


@pytest.mark.parametrize(
    "message",
    [
        "where is my order ORD-1234567?",
        "the Rota Storage Box arrived broken, refund $12.50",
        "Cafe Lumen here: the order never came",
    ],
)
def test_english_ids_and_amounts_pass_untouched(message: str) -> None:
    assert gloss(message) == message


def test_the_heads_read_the_gloss() -> None:
    assert "money back" in heads_text("el tumbler llegó roto, quiero mi dinero", ["tumbler"])
