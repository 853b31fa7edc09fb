"""Whether a message is a bare yes/no-like reply ("yes", "no thanks", "ok") with nothing else in
it: after a case closed it answers nothing, so it must not open a new one (used by intake).

Reading the reply *to a proposal* is the consent reader's job (app/language/consent.py): a
measured classifier with vetoes, not these lists.
"""

from __future__ import annotations

import re

from app.language.consent_terms import ProposalTerms
from app.language.foreign_assent import foreign_courtesy
from app.language.mentions import read_mentions

AFFIRMATIVES = frozenset(
    {
        "y",
        "yes",
        "yeah",
        "yea",
        "yep",
        "yup",
        "ya",
        "yas",
        "ok",
        "okay",
        "okey",
        "sure",
        "confirm",
        "confirmed",
        "confirming",
        "correct",
        "proceed",
        "absolutely",
        "definitely",
        "certainly",
        "agreed",
        "agree",
        "affirmative",
        "alright",
    }
)
# Courtesy and glue words that change nothing about the reply.
COURTESY = frozenset(
    {
        "please",
        "pls",
        "plz",
        "thanks",
        "thank",
        "you",
        "thx",
        "ty",
        "great",
        "perfect",
        "cool",
        "fine",
        "good",
        "lovely",
        "i",
        "i'd",
        "i'm",
        "we",
        "like",
        "love",
        "want",
        "would",
        "will",
        "can",
        "that",
        "this",
        "it",
        "to",
        "the",
        "a",
        "for",
        "on",
        "of",
        "my",
        "me",
        "and",
        "so",
        "much",
        "very",
        "go",
        "ahead",
        "do",
        "now",
        "order",
        "amount",
        "full",
        "one",
        "is",
        "be",
        "with",
        "just",
        "oh",
        "well",
        "then",
    }
)
DECLINES = frozenset(
    {
        "no",
        "nope",
        "nah",
        "cancel",
        "stop",
        "don't",
        "dont",
        "do not",
        "never mind",
        "nevermind",
        "forget it",
        "not now",
        "changed my mind",
        "not anymore",
        "decline",
        "refuse",
    }
)


def bare_reply(text: str) -> bool:
    """A yes/no-like reply with nothing else in it ("yes", "no thanks", "ok"): after a case
    closed it answers nothing, so it must not open a new one."""
    mentions = read_mentions(text)
    if mentions.order_ids or mentions.awbs or mentions.amounts or mentions.stray_numbers:
        return False
    replies = AFFIRMATIVES | COURTESY | {w for w in DECLINES if " " not in w}
    words = {_known_form(w, replies) for w in mentions.words}
    if bool(words) and words <= replies:
        return True
    # "Pode sim, valeu!", "Ja, gerne": every word a yes, thanks or courtesy of one language.
    return foreign_courtesy(text, _NO_TERMS) is not None


# A bare reply answers a question, not a proposal: no terms to read it against.
_NO_TERMS = ProposalTerms(action="refund", order_id="ORD-0000000")


# A letter typed three or more times over is the same word said with feeling ("yesss",
# "okkk", "pleaseee", "noooo").
_DRAWN_OUT = re.compile(r"(\w)\1{2,}")


def _known_form(word: str, known: frozenset[str]) -> str:
    if word in known or not _DRAWN_OUT.search(word):
        return word
    for form in (_DRAWN_OUT.sub(r"\1", word), _DRAWN_OUT.sub(r"\1\1", word)):
        if form in known:
            return form
    return word
