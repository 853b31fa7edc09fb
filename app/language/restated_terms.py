"""A limit in the reply that only restates the proposal's own scope.

A proposal on part of an order names its lines ("This is for 1 x Wireless Earbuds on order
ORD-..., nothing else"), and customers answer it in kind: "yes, just the earbuds", "only the
lights, go ahead", "scope is just the keyboard, confirmed". Read as written, "only" and "just"
limit the deal, and a limit is a condition. When the words after the limit name every one of the
proposal's items and nothing else, the limit changes nothing, and the reply is read without it.
A limit that leaves a proposed item out ("only the slippers" of slippers and a backpack), names
anything more, or counts ("just one of them") stays, and still vetoes.
"""

from __future__ import annotations

import re

from app.language.consent_asides import singular
from app.language.consent_terms import ProposalTerms
from app.language.goods_words import GOODS_WORDS

_LIMIT = re.compile(r"\b(?:only|just|solely|exclusively)\b", re.IGNORECASE)
_DETERMINERS = frozenset("the my that those these this".split())
# Words of an item name that do not tell items apart.
_NAME_STOPWORDS = frozenset("the and with for set of pack pair x".split())
# After the items, only the end of the clause or a courtesy may follow.
_FOLLOWERS = re.compile(r"^\s*(?:[,.;:!]|$|please\b|pls\b|thanks\b|thank you\b|nothing else\b)")
_TOKEN = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*")


def _stem(word: str) -> str:
    return singular(word.lower())


def _named_stem(word: str, vocabulary: set[str], heads: set[str]) -> str | None:
    """The item word `word` says: itself, or one of its plain words that is an item's head noun
    ("jumper" says "pullover" of a Merino Crew Knit Pullover, goods_words.py; never a modifier:
    "knit" would make it a Knit Beanie)."""
    stem = _stem(word)
    if stem in vocabulary:
        return stem
    plain = GOODS_WORDS.get(word.lower(), "").split()
    return next((_stem(w) for w in plain if _stem(w) in heads), None)


def _heads(terms: ProposalTerms) -> set[str]:
    return {_stem(words[-1]) for name in terms.item_names if (words := _TOKEN.findall(name))}


def _item_stems(terms: ProposalTerms) -> list[set[str]]:
    return [
        {_stem(w) for w in _TOKEN.findall(name) if len(w) > 2 and w.lower() not in _NAME_STOPWORDS}
        for name in terms.item_names
    ]


def without_restated_limit(reply: str, terms: ProposalTerms) -> str:
    """The reply without every "only"/"just" whose words name exactly the proposal's items."""
    items = _item_stems(terms)
    if not items or not all(items):
        return reply
    vocabulary = set().union(*items)
    out: list[str] = []
    last = 0
    for limit in _LIMIT.finditer(reply):
        heads = _heads(terms)
        after = _restated_end(reply, limit.end(), vocabulary, items, heads)
        before = _restated_before(reply, limit.start(), vocabulary, items, heads)
        if after is not None:
            # "just the earbuds": the limit and the space after it go.
            start, last_cut = limit.start(), limit.end()
            while last_cut < len(reply) and reply[last_cut] == " ":
                last_cut += 1
        elif before is not None and _FOLLOWERS.match(reply[limit.end() :]):
            # "Smart Plug only.": the space before it and the limit go.
            start, last_cut = limit.start(), limit.end()
            while start > last and reply[start - 1] == " ":
                start -= 1
        else:
            continue
        out.append(reply[last:start])
        last = last_cut
    out.append(reply[last:])
    return "".join(out)


# What may stand before items that a trailing limit follows ("Smart Plug only", "yes, the
# earbuds only please").
_LEADS = frozenset("yes yeah yep ok okay sure please refund return".split())


def _restated_before(
    reply: str, end: int, vocabulary: set[str], items: list[set[str]], heads: set[str]
) -> int | None:
    """Where the items named before a trailing limit start, when they are exactly the
    proposal's and nothing but the start of a clause or a word of assent comes before them."""
    tokens = list(_TOKEN.finditer(reply[:end]))
    position = end
    named: set[str] = set()
    for token in reversed(tokens):
        if reply[token.end() : position].strip():
            break  # punctuation ends the phrase
        word = token.group(0).lower()
        if word in _DETERMINERS or (word in {"and", "&"} and named):
            position = token.start()
            continue
        stem = _named_stem(word, vocabulary, heads)
        if stem is None:
            if word not in _LEADS:
                return None
            break
        named.add(stem)
        position = token.start()
    if not named or not all(item & named for item in items):
        return None
    return position


def _restated_end(
    reply: str, start: int, vocabulary: set[str], items: list[set[str]], heads: set[str]
) -> int | None:
    """Where the items named after a limit end, when they are exactly the proposal's."""
    position = start
    named: set[str] = set()
    for token in _TOKEN.finditer(reply, start):
        between = reply[position : token.start()]
        if between.strip():
            break  # punctuation ends the phrase
        word = token.group(0).lower()
        if word in _DETERMINERS:
            position = token.end()
            continue
        if word in {"and", "&"} and named:
            position = token.end()
            continue
        stem = _named_stem(word, vocabulary, heads)
        if stem is None:
            break
        named.add(stem)
        position = token.end()
    if not named or not all(item & named for item in items):
        return None
    if not _FOLLOWERS.match(reply[position:]):
        return None
    return position
