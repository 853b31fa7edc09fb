"""Moved to the language boundary (app/language/mentions.py); re-exported for the negotiation
modules that read ids, amounts and the shared word lists from here."""

from app.language.mentions import (
    _IDS,
    _MONEY,
    HUMAN_PHRASES,
    WORD,
    Mentions,
    asks_for_person,
    has_phrase,
    normalise,
    read_mentions,
    same_amount,
)

__all__ = [
    "HUMAN_PHRASES",
    "WORD",
    "_IDS",
    "_MONEY",
    "Mentions",
    "asks_for_person",
    "has_phrase",
    "normalise",
    "read_mentions",
    "same_amount",
]
