"""The answer after a story that only tells is read on its own; a story that asks, wants,
conditions or names money keeps the whole reply in play."""

from __future__ import annotations

import pytest

from app.language.consent_story import sentences, story_answer


def test_sentences_split_at_ends_and_line_breaks() -> None:
    assert sentences("It came late. The box was wet!\nYes go ahead") == [
        "It came late.",
        "The box was wet!",
        "Yes go ahead",
    ]


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        (
            "The driver didn't ring the bell. I wasn't even home when it said delivered. "
            "Anyway, yes, please go ahead.",
            "Anyway, yes, please go ahead.",
        ),
        (
            "It was a gift for my son. Turns out he already had one. Go ahead and start the "
            "return, thank you.",
            "Go ahead and start the return, thank you.",
        ),
        ("I'm not angry, just disappointed. Yes, proceed.", "Yes, proceed."),
        # A pivot inside one sentence turns from the story to the answer.
        (
            "It's been a saga, the driver says he left it and it isn't there, anyway yes, "
            "go ahead please",
            "anyway yes, go ahead please",
        ),
        ("The courier didn't leave a card. Yes go ahead.", "Yes go ahead."),
    ],
)
def test_the_answer_after_a_story_that_only_tells(reply: str, answer: str) -> None:
    assert story_answer(reply) == answer


@pytest.mark.parametrize(
    "reply",
    [
        # Nothing told first, or no explicit answer.
        "yes go ahead",
        "It never came. Ok.",
        # The story sets a term, asks, wants, conditions, refuses or names money.
        "Only refund the mug if the teapot can be fixed. Yes go ahead.",
        "I want the refund on my PayPal. Yes go ahead.",
        "I'd rather have a voucher. Yes, go ahead.",
        "Is that the full amount? Yes go ahead.",
        "It cost me $40 not $30. Yes go ahead.",
        "Please send a replacement. Yes, proceed.",
        "No. Wait. Yes go ahead.",
        "I'll keep the lid. Yes do it.",
        # A time still to come, a part of the order or the card paid with, before a pivot.
        "I'll be away until the 20th, anyway go ahead",
        "I'm out till Friday, anyway, yes go ahead",
        "Only the lid is cracked, anyway yes go ahead",
        "It goes back on my card. Yes go ahead.",
    ],
)
def test_a_story_that_could_set_a_term_keeps_the_whole_reply(reply: str) -> None:
    assert story_answer(reply) is None
