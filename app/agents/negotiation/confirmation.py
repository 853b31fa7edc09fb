"""Reads the customer's reply to a proposal. Only an unambiguous yes to these exact terms is YES.

Whitelist, not pattern: a reply is YES only when it contains an affirmative and *every* other
word is an affirmative, a courtesy, or a word naming the proposed action, and every id or
amount it names is the proposal's own. Anything else is something other than consent:

    "no" / "cancel"              -> NO          (stop, nothing written)
    "you're wrong"               -> DISAGREE    (ask what is wrong, nothing written)
    "make it $20"                -> CHANGE_AMOUNT
    "ORD-2 instead"              -> CHANGE_ORDER
    "actually I want to return"  -> CHANGE_REQUEST
    "how long will it take?"     -> QUESTION
    "maybe" / "yes, the shoes"   -> UNCLEAR     (re-propose)
    "let me talk to a person"    -> HUMAN

(A peer agent took any reply starting with "y" as consent, so "you're wrong" refunded.)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.agents.negotiation.language import (
    HUMAN_PHRASES,
    Mentions,
    has_phrase,
    read_mentions,
    same_amount,
)
from app.agents.negotiation.state import Action, Outcome, Proposal


class Verdict(StrEnum):
    YES = "yes"
    NO = "no"
    DISAGREE = "disagree"
    CHANGE_AMOUNT = "change_amount"
    CHANGE_ORDER = "change_order"
    CHANGE_REQUEST = "change_request"
    QUESTION = "question"
    HUMAN = "human"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Reading:
    verdict: Verdict
    amount: float | None = None
    order_id: str | None = None
    outcome: Outcome | None = None


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
AFFIRMATIVE_PHRASES = (
    "go ahead",
    "do it",
    "please do",
    "that's right",
    "that is right",
    "that's correct",
    "that is correct",
    "sounds good",
    "go for it",
    "of course",
    "all right",
    "let's do it",
    "lets do it",
)
# Courtesy and glue words that change nothing about consent.
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
ACTION_WORDS = {
    Action.REFUND: frozenset({"refund", "refunded", "refunding", "money", "back", "credit"}),
    Action.RETURN: frozenset(
        {"return", "returning", "send", "back", "label", "items", "item", "refund", "refunded"}
    ),
}
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
DISAGREEMENTS = frozenset(
    {
        "wrong",
        "incorrect",
        "mistake",
        "mistaken",
        "not right",
        "isn't right",
        "not correct",
        "isn't correct",
        "that's not",
        "error",
        "nonsense",
    }
)
HEDGES = frozenset(
    {
        "maybe",
        "perhaps",
        "probably",
        "possibly",
        "not sure",
        "unsure",
        "i think",
        "i guess",
        "might",
        "later",
        "hmm",
        "hm",
        "wait",
        "hold on",
        "let me think",
        "depends",
        "if",
        "but",
    }
)
QUESTION_WORDS = frozenset({"what", "when", "why", "how", "where", "who", "which", "whats"})
OUTCOME_WORDS = {
    Outcome.RETURN: ("return", "send it back", "send them back", "send back"),
    Outcome.REFUND: ("refund", "money back"),
}


def classify(reply: str, proposal: Proposal, own_awbs: dict[str, str] | None = None) -> Reading:
    """`own_awbs` maps the customer's AWBs to their orders (an AWB of the proposed order is
    as good as its order id)."""
    mentions = read_mentions(reply)
    if has_phrase(mentions, HUMAN_PHRASES):
        return Reading(Verdict.HUMAN)
    orders = set(mentions.order_ids) | {
        (own_awbs or {}).get(awb, f"?{awb}") for awb in mentions.awbs
    }
    other_orders = orders - {proposal.order_id}
    if other_orders:
        named = sorted(other_orders)[0]
        return Reading(Verdict.CHANGE_ORDER, order_id=None if named.startswith("?") else named)
    other_amounts = [a for a in mentions.amounts if not same_amount(a, proposal.amount)]
    if other_amounts:
        if len(other_amounts) > 1:
            return Reading(Verdict.UNCLEAR)
        return Reading(Verdict.CHANGE_AMOUNT, amount=other_amounts[0])
    if _any(mentions, DECLINES):
        return Reading(Verdict.NO)
    if _any(mentions, DISAGREEMENTS):
        return Reading(Verdict.DISAGREE)
    if "?" in reply or (mentions.words and mentions.words[0] in QUESTION_WORDS):
        return Reading(Verdict.QUESTION)
    if _any(mentions, HEDGES) or mentions.stray_numbers or mentions.skus:
        return Reading(Verdict.UNCLEAR)
    changed = _other_outcome(mentions, proposal.action)
    if changed is not None:
        return Reading(Verdict.CHANGE_REQUEST, outcome=changed)
    if _is_plain_yes(mentions, proposal.action):
        return Reading(Verdict.YES)
    return Reading(Verdict.UNCLEAR)


def bare_reply(text: str) -> bool:
    """A yes/no-like reply with nothing else in it ("yes", "no thanks", "ok"): after a case
    closed it answers nothing, so it must not open a new one."""
    mentions = read_mentions(text)
    if mentions.order_ids or mentions.awbs or mentions.amounts or mentions.stray_numbers:
        return False
    words = set(mentions.words)
    replies = AFFIRMATIVES | COURTESY | {w for w in DECLINES if " " not in w}
    return bool(words) and words <= replies


def _any(mentions: Mentions, words: frozenset[str]) -> bool:
    return has_phrase(mentions, tuple(words))


def _other_outcome(mentions: Mentions, action: Action) -> Outcome | None:
    wanted = Outcome.RETURN if action is Action.REFUND else Outcome.REFUND
    if has_phrase(mentions, OUTCOME_WORDS[wanted]):
        # "refund" inside a return proposal is fine when the return is named as well.
        if not has_phrase(mentions, OUTCOME_WORDS[Outcome(action.value)]):
            return wanted
    return None


def _is_plain_yes(mentions: Mentions, action: Action) -> bool:
    text = mentions.text
    affirmed = False
    for phrase in AFFIRMATIVE_PHRASES:
        if f" {phrase} " in text:
            affirmed = True
            text = text.replace(f" {phrase} ", " ")
    words = text.split()
    affirmed = affirmed or any(w in AFFIRMATIVES for w in words)
    allowed = AFFIRMATIVES | COURTESY | ACTION_WORDS[action]
    return affirmed and all(w in allowed for w in words)
