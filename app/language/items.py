"""Which of an order's items the customer means, and how many: read by structure, not phrases.

An item is named by its words ("the slippers", "the silver one", "stands"), a count before it
("1 of the 3 cables", "two mugs"), and the clause it sits in: after "except", "without",
"not the", "keep" it is left out. "everything", "the whole order", "both", "all of it" mean all
lines. What cannot be tied to exactly one line stays unresolved: the caller asks, never assumes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from app.language.goods_words import GOODS_WORDS
from app.language.item_meaning import meanings
from app.language.named import normalise
from app.language.spelling import correct
from app.routing.order_resolution import PARCEL_WORDS

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[.,;:!?()]")
_BOUNDARY = frozenset(".;:!?()")
_FILLER = frozenset(
    {"the", "my", "a", "an", "those", "these", "this", "that", "of", "and", "or", "both", "two",
     "your", "one", "ones", ",", "also", "only", "just", "to", "want", "need", "return",
     "refund", "send", "back", "get", "i", "i'd", "would", "like"}
)  # fmt: skip
_ORDER_NOUNS = frozenset(
    {"order", "orders", "delivery", "parcel", "package", "shipment", "purchase"}
)
# Alone, these are people ("the kids ripped up the box"), not the Kids' Waterproof Jacket.
_PEOPLE_WORDS = frozenset(
    {"kid", "kids", "child", "children", "baby", "babies", "men", "man", "women", "woman",
     "girl", "girls", "boy", "boys", "toddler", "toddlers", "adult", "adults", "teen", "teens"}
)  # fmt: skip
_DETERMINERS = frozenset({"the", "my", "that", "this", "those", "these", "both", "one", "two"})
_STOP = frozenset(
    {"the", "a", "an", "and", "of", "for", "with", "in", "x", "set", "pack", "kit", "pair",
     "bundle", "trio", "cm", "mm", "inch", "ml", "l"}
)  # fmt: skip
# Words that put the items after them out of the set ("everything except", "keep the bottles").
_EXCLUDE = frozenset(
    {"except", "excluding", "without", "apart", "minus", "keep", "keeping", "besides", "exclude"}
)
_NOT = frozenset({"not", "no", "nor"})
_DONT = frozenset({"don't", "dont", "doesn't", "do"})
_WANT = frozenset({"want", "need", "return", "refund", "send"})
_ALL_AFTER = frozenset({"of", "items", "the", "my", "it", "them", "three", "four", "five"})
_NUMBERS = {
    "a": 1, "one": 1, "single": 1, "two": 2, "couple": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_VAGUE = re.compile(
    r"\b(?:the|that|this) (?:other|[a-z]+) ones?\b|\bthe other\b|\bsome of\b"
    r"|\b(?:one|two|a few|a couple of|some) (?:things?|items?|pieces?|bits?)\b"
    r"|\bone of (?:them|the items|the things)\b"
)
_BARE_COUNT = re.compile(
    r"\b(?:only|just)\s(one|two|three|\d{1,2})\s(?:pair|pairs|unit|units|piece|pieces|of them|"
    r"of the|is|are|was|were|went|came|missing)\b"
)
# "could I send just those back": the lines named last, when no line is named with "only".
_JUST_THOSE = re.compile(r"\b(?:just|only) (?:those|these|them|that one|those ones|that)\b")
# "the cable, but only one of the three": a count said after the line it is about.
_COUNT_AFTER = re.compile(
    r"^(?:(?:,|but|and|i|want|would|like|need|to|return|refund|please)\s)*"
    r"(?:only|just) (\w+) of (?:the|them|my)\b"
)


class ItemPick(BaseModel):
    """One line of the order, by its name as the order lists it; quantity None = all units."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    quantity: int | None = Field(default=None, ge=1)


@dataclass(frozen=True)
class ItemReading:
    picked: tuple[ItemPick, ...] = ()
    excluded: tuple[str, ...] = ()
    everything: bool = False
    # Something item-like was said that no single line matches ("the blue one", "the stand"
    # when there are two stands): the caller must ask, not guess.
    unresolved: bool = False
    said: tuple[str, ...] = field(default=())
    # "only one pair is missing", "just one of them": a count with no line named (it narrows a
    # case whose set is one line of several units).
    bare_count: int | None = None
    # The lines picked were said to be missing ("came without the headlamp").
    missing: bool = False
    # What of `said` was matched by meaning, not by the lines' own words ("the sneakers").
    meant: tuple[str, ...] = ()

    @property
    def names_items(self) -> bool:
        return bool(self.picked or self.excluded or self.everything)


def singular(word: str) -> str:
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us")) and len(word) > 3:
        return word[:-1]
    return word


def _name_words(name: str) -> list[str]:
    words = _TOKEN.findall(normalise(name).lower())
    return [singular(w) for w in words if w not in _STOP and w not in _BOUNDARY and w.isalpha()]


def _head(name: str) -> str:
    """The noun a customer would use: "Trail Running Shoes (Blue)" -> "shoe"."""
    before = normalise(name).lower().split("(")[0]
    words = _name_words(before) or _name_words(name)
    return words[-1] if words else "\0"


@dataclass
class _Span:
    start: int
    end: int
    matched: list[str]  # item names
    plural: bool


def read_items(
    message: str, item_names: Sequence[str], other_names: Sequence[str] = ()
) -> ItemReading:
    """What the message says of `item_names` (one order's lines). `other_names`: the lines of
    the customer's other orders, whose own words are never read by meaning as one of these
    ("the scarf" of another order is not this order's jacket)."""
    names = list(dict.fromkeys(item_names))
    if not names:
        return ItemReading()
    spelled = correct(normalise(message), (w for n in names for w in _TOKEN.findall(n.lower())))
    tokens = _TOKEN.findall(spelled.lower())
    keys = {n: set(_name_words(n)) for n in names}
    heads = {n: _head(n) for n in names}
    spans = _spans(tokens, names, keys, heads)
    spans = [s for s in spans if not _a_place(tokens, s)]
    elsewhere = {w for n in other_names if n not in keys for w in _name_words(n)}
    by_meaning = _meant_spans(tokens, names, keys, spans, elsewhere)
    spans = sorted([*spans, *by_meaning], key=lambda s: s.start)
    # "the hand cream set from the wellies order": a line naming the order is not picked.
    spans = [s for s in spans if not (s.end < len(tokens) and tokens[s.end] in _ORDER_NOUNS)]
    picked: list[ItemPick] = []
    excluded: list[str] = []
    unresolved = False
    # "came without the headlamp", "the scarf is missing", "no sign of the mug": in a message
    # that says some lines are missing, those lines are the set, whatever else it praises or
    # says "only" of ("only shoes is inside, the scarf is missing").
    missing = [s for s in spans if _said_missing(tokens, s)]
    # "the tie and the tie clip were absent": the lines listed before a missing one are too.
    missing = (
        sorted(_listed_before(tokens, spans, missing), key=lambda s: s.start) if missing else []
    )
    # "refund only the helmet, I'll deal with the bottles": "only" makes the rest context.
    fine = _listed_before(tokens, spans, [s for s in spans if _said_fine(tokens, s)])
    # A line named outright and said fine or kept is not meant again by a loose word read as it
    # ("compatible with our desking" read as the office chairs that "are to be retained").
    kept_names = {n for s in fine if s not in by_meaning for n in s.matched}
    loose = [s for s in by_meaning if set(s.matched) <= kept_names]
    if loose:
        spans = [s for s in spans if s not in loose]
        missing = [s for s in missing if s not in loose]
        fine = [s for s in fine if s not in loose]
    said_only = [s for s in spans if _says_only(tokens, s, spans)]
    only = _listed_on(tokens, [s for s in spans if s not in fine], said_only)
    # "the jacket doesn't fit, the socks are fine": lines said to be fine are context too, as
    # long as another line is meant.
    meant = [s for s in spans if s not in fine]
    if not meant and not missing:
        # Every line is said to be fine, some only to have come ("the rain jacket came but it's
        # way too small … the wellies and bag are fine, keeping those"): the ones that only
        # came are meant, never the ones praised or kept.
        praised = _listed_before(tokens, spans, [s for s in spans if _said_kept(tokens, s)])
        meant = [s for s in spans if s not in praised]
    # Every line named is praised or kept ("the beanies r fine tho. can i send it back"): what
    # the customer wants back is a line we could not name, never the ones they keep.
    kept_all = bool(spans) and not missing and all(_said_kept(tokens, s) for s in spans)
    # A long message names lines in passing ("the hoodie is the comfiest thing I own ... so I'd
    # like to send the t-shirts back"): the sentence that asks for something says which.
    asked = _in_request_sentences(tokens, meant or spans)
    if asked and len(asked) < len(meant or spans):
        meant = asked
    if not only and spans and _JUST_THOSE.search(" ".join(tokens)):
        at = _JUST_THOSE.search(" ".join(tokens))
        before = len(" ".join(tokens)[: at.start() if at else 0].split())
        named = [s for s in spans if s.end <= before]
        only = named[-1:] if named else []
    for span in (
        []
        if kept_all
        else missing or only or (meant if meant and len(meant) < len(spans) else spans)
    ):
        negative = not missing and _excluded(tokens, span.start, spans)
        if len(span.matched) > 1 and not span.plural and not _says_both(tokens, span.start):
            unresolved = True
            continue
        quantity = None if len(span.matched) > 1 else _count(tokens, span.start)
        if quantity is None and len(span.matched) == 1:
            quantity = _count_after(tokens, span.end)
        for name in span.matched:
            if negative:
                excluded.append(name)
            else:
                picked.append(ItemPick(name=name, quantity=quantity))
    everything = not missing and _says_everything(tokens, spans)
    text = " ".join(t for t in tokens if t not in _BOUNDARY)
    if kept_all or (not spans and not everything and _VAGUE.search(text)):
        unresolved = True
    merged = _merge_picks(picked)
    bare = _BARE_COUNT.search(text) if not spans else None
    bare_count = (
        (int(bare.group(1)) if bare.group(1).isdigit() else _NUMBERS.get(bare.group(1)))
        if bare
        else None
    )
    kept_out = tuple(dict.fromkeys(n for n in excluded if n not in {p.name for p in merged}))
    return ItemReading(
        picked=merged,
        excluded=kept_out,
        everything=everything,
        unresolved=unresolved,
        said=tuple(" ".join(tokens[s.start : s.end]) for s in spans),
        bare_count=bare_count,
        missing=bool(missing) and bool(merged),
        meant=tuple(" ".join(tokens[s.start : s.end]) for s in by_meaning),
    )


def _spans(
    tokens: list[str], names: list[str], keys: dict[str, set[str]], heads: dict[str, str]
) -> list[_Span]:
    spans: list[_Span] = []
    i = 0
    while i < len(tokens):
        word = singular(tokens[i])
        if not any(word in k for k in keys.values()):
            i += 1
            continue
        j = i
        words: list[str] = []
        plural = False
        while j < len(tokens) and any(singular(tokens[j]) in k for k in keys.values()):
            words.append(singular(tokens[j]))
            plural = plural or singular(tokens[j]) != tokens[j]
            j += 1
        # "the silver one(s)": a modifier standing for the item.
        one = j < len(tokens) and tokens[j] in ("one", "ones")
        plural = plural or (one and tokens[j] == "ones")
        if set(words) <= PARCEL_WORDS | _PEOPLE_WORDS:
            # "threw the receipt out with the box": the parcel, not a Cooler Box.
            i = j
            continue
        has_head = any(w == heads[n] for n in names for w in words)
        determined = i > 0 and tokens[i - 1] in _DETERMINERS
        if has_head or one or determined:
            scores = {n: sum(1 for w in set(words) if w in keys[n]) for n in names}
            best = max(scores.values())
            if best:
                matched = [n for n in names if scores[n] == best]
                spans.append(_Span(i, j + (1 if one else 0), matched, plural))
        i = j + (1 if one else 0)
    return spans


# Where a phrase that names an item by other words starts: after an article or possessive (in
# the languages customers mix into English too: "le raincoat", "o charger") or a count, or at
# the start of a clause ("charger dead. return").
_ARTICLES = frozenset(
    {"the", "teh", "my", "this", "that", "these", "those", "your", "our", "his", "her", "their",
     "both", "le", "la", "les", "el", "los", "las", "der", "die", "das", "den", "il", "lo", "o",
     "os", "mi", "mis", "ma", "mon", "mes", "mein", "meine", "um", "uma", "umas", "uns", "un",
     "una", "unos", "unas", "une", "des", "ein", "eine", "einen", "esse", "essa", "esses",
     "essas", "este", "esta", "estes", "estas", "ese", "esa", "cette", "ces", "dieser",
     "diese", "questo", "questa", "meu", "minha", "meus", "minhas"}
)  # fmt: skip
# Words that are never the goods themselves (verbs, pronouns, time, the request's own words);
# the rest is left to the encoder, which also tells goods from "the box" or "my neighbour".
_NOT_GOODS_WORDS = frozenset(
    {"is", "are", "was", "were", "be", "been", "being", "came", "come", "comes", "arrived",
     "arrive", "from", "in", "on", "of", "for", "to", "and", "or", "but", "with", "without",
     "it", "its", "it's", "i", "me", "you", "we", "they", "them", "he", "she", "not", "no",
     "never", "just", "only", "also", "too", "very", "so", "really", "please", "thanks",
     "thank", "back", "up", "out", "off", "order", "orders", "ord", "other", "others", "rest",
     "whole", "same", "first", "last", "next", "new", "old", "wrong", "right", "one", "ones",
     "all", "every", "everything", "anything", "nothing", "something", "thing", "things",
     "item", "items", "stuff", "which", "who", "what", "when", "where", "why", "how", "did",
     "do", "does", "don't", "doesn't", "didn't", "isn't", "wasn't", "has", "have", "had", "can",
     "could", "would", "will", "shall", "should", "may", "might", "must", "i'd", "i'm", "i've",
     "i'll", "want", "need", "like", "get", "got", "send", "return", "refund", "replace",
     "replacement", "money", "dollar", "dollars", "here", "there", "now", "then", "today",
     "yesterday", "hi", "hello", "hey", "hiya", "dear", "ok", "okay", "yes", "yeah", "still",
     "again", "ever", "even", "because", "about", "if", "as", "at", "by", "an", "a", "any",
     "some", "more", "most", "less", "much", "many", "lot", "bit", "little", "big", "small",
     "way", "half", "full", "amount", "price", "cost", "day", "days", "week", "weeks", "time",
     "colour", "color", "style", "size", "fit", "quality", "bundle", "gift", "gifts", "present",
     "run", "pair", "pairs",
     # places and the rest of the closed classes: "under the ute" is where they looked
     "under", "over", "above", "below", "behind", "beside", "between", "inside", "outside",
     "into", "onto", "near", "around", "through", "across", "along", "after", "before",
     "until", "since", "while", "though", "although", "unless", "whether", "than", "this",
     "that", "these", "those", "there's", "their", "our", "your", "his", "her", "my", "mine",
     "him", "us", "myself", "yourself", "everyone", "someone", "anyone", "nobody", "none",
     "both", "either", "neither", "each", "such", "own", "almost", "already", "always",
     "often", "maybe", "perhaps", "quite", "rather", "enough", "soon", "later",
     "tomorrow", "tonight", "week's", "mate", "guys", "folks"}
)  # fmt: skip
# "a set of saucepans", "a pair of kitchen scales": the goods follow these and "of".
_MEASURES = frozenset(
    {"set", "sets", "pair", "pairs", "pack", "packs", "box", "boxes", "couple", "bunch", "case",
     "bag", "bags", "kit", "bundle", "dozen", "lot", "load", "few", "some", "all", "both",
     "one", "two", "three", "four", "five", "six"}
)  # fmt: skip


# Tokens after which a new clause (and often the item it is about) begins: "but charger is not
# inside", "only charger", "money for charger".
_CLAUSE_OPENERS = _BOUNDARY | {",", "but", "and", "only", "just", "without", "except", "for"}
# Words that make a sentence a request for an outcome ("send the t-shirts back").
_REQUEST_WORDS = frozenset(
    {"return", "returning", "refund", "refunded", "replace", "replacement", "exchange",
     "reimburse", "reimbursed"}
)  # fmt: skip
_BACK_VERBS = frozenset({"send", "sending", "give", "take", "money", "post", "ship", "bring"})


def _in_request_sentences(tokens: list[str], spans: list[_Span]) -> list[_Span]:
    """The spans that sit in a sentence asking for a refund, return or replacement."""
    sentences: list[tuple[int, int]] = []
    start = 0
    for k, token in enumerate([*tokens, "."]):
        if token in _BOUNDARY - {"(", ")"}:
            sentences.append((start, k))
            start = k + 1
    asking = []
    for a, b in sentences:
        words = tokens[a:b]
        if set(words) & _REQUEST_WORDS or ("back" in words and set(words) & _BACK_VERBS):
            asking.append((a, b))
    return [s for s in spans if any(a <= s.start < b for a, b in asking)]


def _goods_word(token: str, keys: dict[str, set[str]], elsewhere: set[str]) -> bool:
    return (
        token.isalpha()
        and (len(token) > 2 or token in GOODS_WORDS)
        and token not in _NOT_GOODS_WORDS
        and token not in _ARTICLES
        and token not in _NUMBERS
        and singular(token) not in elsewhere
        and not any(singular(token) in k for k in keys.values())
    )


def _meant_spans(
    tokens: list[str],
    names: list[str],
    keys: dict[str, set[str]],
    spans: list[_Span],
    elsewhere: set[str],
) -> list[_Span]:
    """Spans for items named by other words than their names ("the sneakers", "the charger"),
    read by meaning (app/language/item_meaning.py); only where no word span is."""
    taken = {k for s in spans for k in range(s.start, s.end)}
    starts: list[int] = []
    for k, token in enumerate(tokens):
        after_article = k > 0 and (tokens[k - 1] in _ARTICLES or tokens[k - 1] in _NUMBERS)
        after_measure = k > 1 and tokens[k - 1] == "of" and tokens[k - 2] in _MEASURES
        # "the kids' raincoat", "my son's trainers": whose it is, then the goods.
        after_owner = k > 0 and (tokens[k - 1] in _PEOPLE_WORDS or tokens[k - 1].endswith("'s"))
        clause_start = k == 0 or tokens[k - 1] in _CLAUSE_OPENERS
        opens = after_article or after_measure or after_owner or clause_start
        if k not in taken and opens and _goods_word(token, keys, elsewhere):
            starts.append(k)
    phrases: list[tuple[int, int, str]] = []
    for k in starts:
        phrases.append((k, k + 1, tokens[k]))
        nxt = k + 1
        if nxt < len(tokens) and nxt not in taken and _goods_word(tokens[nxt], keys, elsewhere):
            phrases.append((k, k + 2, f"{tokens[k]} {tokens[nxt]}"))
    read = meanings([p for _, _, p in phrases], names)
    best: dict[int, tuple[float, int, tuple[str, ...]]] = {}
    for (start, end, _), meant in zip(phrases, read, strict=True):
        if meant is not None and meant.similarity > best.get(start, (0.0, 0, ()))[0]:
            best[start] = (meant.similarity, end, meant.names)
    return [
        _Span(start, end, list(matched), tokens[end - 1] != singular(tokens[end - 1]))
        for start, (_, end, matched) in best.items()
    ]


# What follows an item that is missing: "the scarf is missing", "the socks never came", "the mug
# was not in it", "the headlamp just wasn't in the box", "didn't turn up".
_MISSING_AFTER = re.compile(
    r"^(?:(?:is|was|were|are|has|have|had|just|also|still|simply|really|been|even|totally|"
    r"completely|itself|themselves|though|tho|i|we|ordered|bought|paid|for|got|get)\s)*"
    r"(?:missing|absent|never\s(?!fit|fits|fitted|worked|work|used|wore)\w+"
    r"|(?:not|nowhere)\s(?:in|inside|included|there|here|delivered|arrived|come|came|sent|packed)"
    r"|(?:wasn't|wasnt|weren't|werent|isn't|isnt|aren't|arent)\s(?:in|inside|included|there|"
    r"here|packed|sent|delivered)"
    r"|(?:didn't|didnt|did\snot|hasn't|hasnt|haven't|havent|has\snot|have\snot)\s"
    r"(?:come|arrive|arrived|turn|show|make|get|reach|ship|shipped))"
)
# What comes before one: "came without the headlamp", "missing the scarf", "no sign of the mug",
# "with the jacket and NO socks" (a "no" after and/but/with/was, not "no bottles please").
_MISSING_BEFORE = re.compile(
    r"(?:\b(?:came|come|arrived|arrive|delivered|shipped|sent|turned up|showed up|got it|got|"
    r"received)"
    r"(?:\s\w+){0,2}\swithout|\bmissing|\bno sign of|\bno trace of|\bnowhere near"
    # "without" in the languages customers mix in: "llegó pero sin la scarf", "ohne den Schal".
    r"|\b(?:sin|ohne|sans|senza|sem|zonder)"
    # "there was literally no hand cream": an intensifier may stand before the "no".
    r"|\b(?:and|but|with|was|is|there's|theres|were)"
    r"(?:\s(?:literally|actually|really|just|absolutely|simply|definitely|still|also))?\sno)"
    r"(?:\s(?:the|my|a|an|any|one|two|of|both|la|le|el|los|las|les|der|die|das|den|il|lo|o))*$"
)


# "the office chairs on the same order are to be retained", "the backpack from ORD-2424708 is
# lovely": where the line is, before what is said of it.
_WHERE = (
    r"(?:(?:on|in|from|of)\s(?:(?:the|this|that|my|our)\s(?:same\s)?"
    r"(?:order|box|parcel|package|delivery|shipment)|(?:order\s)?ord\s\d+|order\s\d+)\s)?"
)
_FINE_AFTER = re.compile(
    # "r" and "is/are" alike: "the beanies r fine tho".
    r"^"
    + _WHERE
    + r"(?:(?:is|was|were|are|r|arrived|came|itself|themselves|all|totally|absolutely|just|"
    r"perfectly|really|so|is|also|honestly|actually|still|quite|very|lowkey)\s)*(?:fine|ok|"
    r"okay|good|great|perfect|lovely|grand|gorgeous|beautiful|amazing|brilliant|fantastic|"
    r"wonderful|nice|spot on|alright|intact|a keeper|keepers|staying|there|splendid|cute|"
    r"excellent|superb|gr8|perf|fab|fabulous|present|correct|(?:to be|being|will be)\s"
    r"(?:retained|kept))\b"
    # "the lip balms I shall keep", "the socks i'm keeping", "is splendid and I'll keep that"
    # "the runners fit my son great", "fits like a glove"
    r"|^" + _WHERE + r"(?:(?:all|both|really|just|also)\s)*(?:fit|fits|fitted)\s"
    r"(?:(?:me|him|her|them|us|my\s\w+|the\s\w+|\w+'s)\s)?(?:(?:really|just|so|very)\s)?"
    r"(?:great|well|perfectly|perfect|fine|nicely|lovely|a treat|like a glove)\b"
    r"|^" + _WHERE + r"(?:(?:is|are|was|were|r)\s\w+\s(?:and|so)\s)?"
    r"(?:i|we|i'll|we'll|i'm|we're|ill)\s(?:will\s|shall\s|would\s|am\s|can\s)?"
    r"(?:keep|keeping|hang on to|hold on to|retain|retaining)\b"
)


# "only the shoes were in the box", "the mug and the sleeping bag came": a line said to have
# arrived, with nothing said against it in the same clause.
_ARRIVED_AFTER = re.compile(
    r"^(?:(?:all|both|have|has|had|did|just|safely|definitely|at least)\s)*"
    r"(?:came|come|arrived|turned up|showed up|made it|got here|is here|are here|"
    r"(?:was|were|is|are)\s(?:there|in|inside)(?:\s(?:the|my))?(?:\s(?:box|parcel|package))?)"
    r"(?:\s(?:fine|ok|okay|safely|today|yesterday|on time|though|tho))*$"
)


def _said_kept(tokens: list[str], span: _Span) -> bool:
    """Praised or said to be kept ("the hand cream is splendid and I'll keep that")."""
    return bool(_FINE_AFTER.match(_rest_of_sentence(tokens, span.end)))


def _rest_of_sentence(tokens: list[str], start: int, limit: int = 9) -> str:
    """Up to `limit` tokens from `start`, stopping at the sentence's end: in "return the hand
    cream. I'll keep the boots" nothing after the full stop is said of the hand cream."""
    rest: list[str] = []
    for token in tokens[start : start + limit]:
        if token in _BOUNDARY:
            break
        rest.append(token)
    return " ".join(rest)


def _said_fine(tokens: list[str], span: _Span) -> bool:
    after = _rest_of_sentence(tokens, span.end)
    clause: list[str] = []
    for token in tokens[span.end : span.end + 8]:
        if token in _BOUNDARY or token in (",", "but", "and"):
            break
        clause.append(token)
    return bool(_FINE_AFTER.match(after) or _ARRIVED_AFTER.match(" ".join(clause)))


# "found one pair stuffed inside the jacket hood": a line named as the place something is, by
# one of its parts, is not what the customer asks about.
_PLACE_BEFORE = frozenset({"in", "inside", "into", "under", "underneath", "behind", "within"})
_PARTS = frozenset(
    {"hood", "pocket", "pockets", "sleeve", "sleeves", "lining", "lid", "compartment", "zip",
     "zipper", "drawer", "pouch"}
)  # fmt: skip


def _a_place(tokens: list[str], span: _Span) -> bool:
    before = [t for t in tokens[max(0, span.start - 3) : span.start] if t not in _ARTICLES]
    return (
        span.end < len(tokens)
        and tokens[span.end] in _PARTS
        and bool(before)
        and before[-1] in _PLACE_BEFORE
    )


# "only ONE lunch bag in there, I ordered 2": fewer came than were ordered.
_FEWER_BEFORE = re.compile(r"\bonly\s(?:one|1|a single|two|2|three|3)$")
_FEWER_AFTER = re.compile(
    r"^(?:(?:was|were|is|are)\s)?(?:in there|in the box|in it|inside|there|came|arrived|"
    r"turned up|showed up)\b"
)


def _said_missing(tokens: list[str], span: _Span) -> bool:
    after: list[str] = []
    for token in tokens[span.end : span.end + 7]:
        if token in _BOUNDARY or token in (",", "but"):
            break
        after.append(token)
    before: list[str] = []
    for token in reversed(tokens[max(0, span.start - 6) : span.start]):
        if token in _BOUNDARY or token == ",":
            break
        before.insert(0, token)
    fewer = _FEWER_BEFORE.search(" ".join(before)) and _FEWER_AFTER.match(" ".join(after))
    return bool(
        _MISSING_AFTER.match(" ".join(after)) or _MISSING_BEFORE.search(" ".join(before)) or fewer
    )


def _excluded(tokens: list[str], start: int, spans: list[_Span]) -> bool:
    """Whether the clause before `start` puts this item out of the set."""
    k = start - 1
    while k >= 0 and start - k <= 7:
        token = tokens[k]
        if token in _BOUNDARY or (token == "but" and not (k + 1 < start and tokens[k + 1] in _NOT)):
            return False
        if token in _EXCLUDE or (token == "other" and k + 1 < start and tokens[k + 1] == "than"):
            return True
        if token in _NOT and start - k <= 3:
            # "no, just the sleeping bag": a no to the proposal, then what is wanted.
            between = tokens[k + 1 : start]
            return not (set(between) & {"just", "only", "solely", ","})
        if token in _DONT and any(t in _WANT for t in tokens[k + 1 : min(start, k + 4)]):
            return True
        if any(s.start <= k < s.end for s in spans) or (token not in _FILLER and start - k > 3):
            # Another item or a content word: the cue (if any) belongs to that clause; walk on
            # only through lists ("except the bottles and the cups").
            if not any(s.start <= k < s.end for s in spans):
                return False
        k -= 1
    return False


def _count(tokens: list[str], start: int) -> int | None:
    """ "1 of the 3 cables", "two mugs", "one of the bottles": the count before the item."""
    window = tokens[max(0, start - 5) : start]
    for offset, token in enumerate(window):
        value = int(token) if token.isdigit() else _NUMBERS.get(token)
        if value is None or (token == "a" and "of" not in window[offset:]):
            continue
        rest = window[offset + 1 :]
        if not rest or rest[0] == "of" or all(t in _FILLER or t.isdigit() for t in rest):
            return value if 0 < value < 1000 else None
    return None


_LIST_WORDS = frozenset({"and", ",", "&", "plus", "the", "my", "a", "an", "also"})


def _listed_on(tokens: list[str], spans: list[_Span], chosen: list[_Span]) -> list[_Span]:
    """`chosen` plus the spans listed right after one ("just the mug and the headlamp")."""
    out = list(chosen)
    for span in spans:
        if span in out or not out:
            continue
        previous = out[-1]
        between = tokens[previous.end : span.start]
        joiner = set(between) & {"and", ",", "&", "plus"}
        if previous.start < span.start and joiner and set(between) <= _LIST_WORDS:
            out.append(span)
    return out


def _listed_before(tokens: list[str], spans: list[_Span], chosen: list[_Span]) -> list[_Span]:
    """`chosen` plus the spans listed right before one ("the mug and the headlamp arrived")."""
    out = list(chosen)
    for span in reversed(spans):
        if span in out:
            continue
        following = [s for s in out if s.start > span.start]
        if not following:
            continue
        nearest = min(following, key=lambda s: s.start)
        between = tokens[span.end : nearest.start]
        if between and set(between) & {"and", ",", "&"} and set(between) <= _LIST_WORDS:
            out.append(span)
    return out


def _count_after(tokens: list[str], end: int) -> int | None:
    words = " ".join(t for t in tokens[end : end + 9] if t not in _BOUNDARY)
    found = _COUNT_AFTER.match(words)
    if found is None:
        return None
    token = found.group(1)
    value = int(token) if token.isdigit() else _NUMBERS.get(token)
    return value if value and 0 < value < 1000 else None


_ONLY = frozenset({"only", "just", "solely", "alone"})


def _says_only(tokens: list[str], span: _Span, spans: list[_Span]) -> bool:
    """ "only the helmet", "just the mug", "the socks only": within the item's own clause (the
    "only" in "the socks only, jacket's a keeper" is not the jacket's)."""
    for k in range(span.start - 1, max(-1, span.start - 4), -1):
        token = tokens[k]
        if token in _BOUNDARY or token == "," or any(s.start <= k < s.end for s in spans):
            break
        if token in _ONLY - {"alone"}:
            return True
    after = tokens[span.end] if span.end < len(tokens) else ""
    return after in _ONLY and (span.end + 1 >= len(tokens) or tokens[span.end + 1] != "one")


def _says_both(tokens: list[str], start: int) -> bool:
    return any(t in ("both", "all") for t in tokens[max(0, start - 3) : start])


def _says_everything(tokens: list[str], spans: list[_Span]) -> bool:
    inside = {k for s in spans for k in range(s.start, s.end)}
    for k, token in enumerate(tokens):
        if k in inside:
            continue
        nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
        if token in ("everything", "whole", "entire"):
            # "not the whole thing, just the mug": the whole order is what is ruled out.
            if not set(tokens[max(0, k - 3) : k]) & {"not", "no", "nor"}:
                return True
            continue
        if token == "lot" and k and tokens[k - 1] == "the":
            return True
        if token == "all" and nxt in _ALL_AFTER:
            return True
        if token == "both" and not any(s.start in (k + 1, k + 2) for s in spans):
            if not (k and tokens[k - 1] in _NOT):  # "not both, only one pair"
                return True
    return False


def _merge_picks(picks: list[ItemPick]) -> tuple[ItemPick, ...]:
    merged: dict[str, ItemPick] = {}
    for pick in picks:
        old = merged.get(pick.name)
        merged[pick.name] = pick if old is None or old.quantity is not None else old
    return tuple(merged.values())


def select(reading: ItemReading, names: Sequence[str]) -> tuple[ItemPick, ...] | None:
    """The item set the reading names within one order's lines; () when it names none, None
    when it cannot be resolved."""
    if reading.unresolved and not reading.picked:
        return None
    own = list(dict.fromkeys(names))
    if reading.picked:
        chosen = [p for p in reading.picked if p.name in own]
    elif reading.everything or reading.excluded:
        chosen = [ItemPick(name=n) for n in own]
    else:
        return ()
    chosen = [p for p in chosen if p.name not in reading.excluded]
    return tuple(chosen) if chosen else None
