"""Which ways of being contacted a customer declines: stated preferences count, complaints about
the past and welcomed channels do not."""

from __future__ import annotations

import pytest

from app.language.contact_preferences import CALL, EMAIL, EVERY_CHANNEL, SMS, declined_channels


@pytest.mark.parametrize(
    ("text", "declined"),
    [
        ("yes go ahead, but dont send me any emails", {EMAIL}),
        ("yes please, no emails", {EMAIL}),
        ("Yes. Do not e-mail me.", {EMAIL}),
        ("ok, no confirmation email needed", {EMAIL}),
        ("no need to email me, just do it", {EMAIL}),
        ("yes, without a confirmation E-Mail", {EMAIL}),
        ("yes, but I dont want any texts or emails", {EMAIL, SMS}),
        ("yes but never text me", {SMS}),
        ("no calls, texts and emails please. go ahead", {CALL, SMS, EMAIL}),
        ("ja, aber keine E-Mails bitte", {EMAIL}),
        ("si, pero no me manden correos", {EMAIL}),
        ("oui mais pas de mail", {EMAIL}),
        ("dont contact me, just do it", set(EVERY_CHANNEL)),
        ("yes do it and stop spamming me", set(EVERY_CHANNEL)),
        ("I\u2019d rather not get an email about it", {EMAIL}),
    ],
)
def test_a_stated_preference_declines_its_channels(text: str, declined: set[str]) -> None:
    assert declined_channels(text) == declined


@pytest.mark.parametrize(
    "text",
    [
        "yes go ahead",
        "go ahead, you can email me",
        "you never emailed me",
        "no email arrived yet",
        "I didn't get an email",
        "no, don't do it",
        "Yes, don't send the refund to my old card",
        "the email said it was delivered",
        "no text came from the driver either",
    ],
)
def test_no_preference_is_read_where_none_is_stated(text: str) -> None:
    assert declined_channels(text) == frozenset()


def test_a_welcomed_channel_is_not_declined() -> None:
    assert declined_channels("yes, email is fine but no texts") == {SMS}
    assert declined_channels("no calls please, email only") == {CALL}
