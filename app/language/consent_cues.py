"""Form cues in a reply to a proposal, and the vetoes they raise.

The cues are features for the consent model and, independently, vetoes on its answer: a reply
that asks, negates, sets a condition, hedges or mocks, or names terms that are not the
proposal's, is never consent, whatever the model scores. A veto only ever turns a yes into
something else; it never makes a yes.

Cues read *form* (an inverted auxiliary, a conditional conjunction, a negation), not lists of
whole replies: "is that correct", "can i confirm", "will it be ok" all start with an auxiliary
followed by its subject, which is how a question is built in English with or without "?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from app.language import consent_lexicon as other_languages
from app.language.consent_terms import ProposalTerms
from app.language.goods_words import GOODS_WORDS
from app.language.mentions import (
    _IDS,
    _MONEY,
    Mentions,
    normalise,
    read_mentions,
    same_amount,
)


class Veto(StrEnum):
    QUESTION = "question"
    NEGATION = "negation"
    CONDITION = "condition"
    SARCASM = "sarcasm"
    HEDGE = "hedge"
    OTHER_ORDER = "other_order"
    OTHER_AMOUNT = "other_amount"
    OTHER_NUMBER = "other_number"
    OTHER_ITEM = "other_item"
    OTHER_OUTCOME = "other_outcome"
    NO_ASSENT = "no_assent"


TERM_VETOES = frozenset(
    {
        Veto.OTHER_ORDER,
        Veto.OTHER_AMOUNT,
        Veto.OTHER_NUMBER,
        Veto.OTHER_ITEM,
        Veto.OTHER_OUTCOME,
    }
)

AUXILIARIES = frozenset(
    "is are was were am do does did can could will would shall should may might must have has "
    "had isnt isn't arent aren't wasnt wasn't doesnt doesn't didnt didn't cant can't couldnt "
    "couldn't wont won't wouldnt wouldn't shouldnt shouldn't hasnt hasn't havent haven't "
    "whats what's hows how's wheres where's whens".split()
)
# What follows an inverted auxiliary: its subject.
SUBJECTS = frozenset(
    "i you u we they he she it that this there these those the my your our his her their "
    "everything anything all ya ur someone somebody me".split()
)
# "do it", "do the refund": imperatives. "do you", "do i need": questions.
_DO_SUBJECTS = frozenset("i you u we they he she ya ur these those there".split())
_WH_TAILS = frozenset("exactly then now next else though tho".split())
WH_WORDS = frozenset(
    "what whats what's wat wut when whens why how hows how's where wheres where's who which "
    "whose whom".split()
)
# Leading words that do not change what follows ("yes, is that ...", "ok so how ...").
LEADERS = frozenset(
    "yes yeah yea yep yup ya ok okay okey k kk sure right so and but um umm uh er hmm hm oh "
    "well wait alright hi hello hey sorry ja si oui sim tak und et en e entonces alors dann dus "
    "entao wiec".split()
)
QUESTION_PHRASES = (
    "i wonder",
    "wondering",
    "can you tell me",
    "could you tell me",
    "can you explain",
    "could you explain",
    "tell me",
    "i want to know",
    "want to know",
    "i'd like to know",
    "would like to know",
    "not sure what",
    "not sure how",
    "not sure if",
    "not sure whether",
    "do you know",
    "any idea",
    "what about",
    "how about",
    "how long",
    "how much",
    "or not",
    "is it possible",
    "whether",
    "clarify",
    "explain",
    "just checking",
    "double checking",
    "checking that",
    "checking if",
    "checking whether",
    "want to check",
    "wanted to check",
    "make sure",
)
NEGATIONS = frozenset(
    "no nope nah naw nay not never neither nor cancel cancelled stop don't dont doesn't doesnt "
    "didn't didnt won't wont wouldn't wouldnt can't cant cannot isn't isnt aren't arent "
    "shouldn't shouldnt refuse decline declined without nothing none nobody nein non "
    "against".split()
)
# Negative words inside phrases that mean yes or nothing about consent.
NEGATION_IDIOMS = (
    "no problem",
    "no problems",
    "no worries",
    "not a problem",
    "no doubt",
    "can't wait",
    "cant wait",
    "cannot wait",
    "no prob",
    "no probs",
    "no problemo",
    "not at all a problem",
    "no wahala",  # Nigerian English: "no problem"
    "full stop",  # dictated punctuation
    "no stress",
    "no bother",
    "not a bother",
    # the proposal's own closure echoed: "just the webcam, nothing else"
    "nothing else",
    *other_languages.NEGATION_IDIOMS,
)
CONDITIONS = (
    "if",
    "only if",
    "as long as",
    "so long as",
    "provided",
    "providing",
    "unless",
    "assuming",
    "on condition",
    "condition",
    "subject to",
    "before",
    "as well",
    "also",
    "include",
    "including",
    "plus",
    "but",
    "except",
    "only",
    "instead",
    "rather",
    "although",
    "though",
    "however",
    "after",
    "once",
    "first",
    "when",
    # A time that is not now: "do it next month", "by friday".
    "until",
    "till",
    "next week",
    "next month",
    "next year",
    "end of the week",
    "end of the month",
    "on monday",
    "on tuesday",
    "on wednesday",
    "on thursday",
    "on friday",
    "on saturday",
    "on sunday",
    "by monday",
    "by friday",
    *other_languages.CONDITIONS,
)
# Month names, English and the lexicon languages', as dates write them.
MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|"
    r"diciembre|januar|februar|marz|juni|juli|oktober|dezember|gennaio|febbraio|aprile|"
    r"maggio|giugno|luglio|settembre|ottobre|dicembre|janeiro|fevereiro|marco|maio|junho|"
    r"julho|setembro|outubro|novembro|dezembro)"
)
# A date: "on 16 April", "from 6 January onwards", "the 1st", "March 3rd".
DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTHS + r"\b"
    r"|\b" + MONTHS + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\bthe\s+\d{1,2}(?:st|nd|rd|th)\b"
)
# A time that is not now, in any form: a weekday, a weekend or fortnight, "next <anything>",
# "in two weeks", "within a month". Naming one beside a yes sets when, which is a term.
_LATER = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|fortnight|"
    r"payday|christmas|new year)s?\b"
    r"|\bnext\s+[a-z]+"
    r"|\b(?:in|within)\s+(?:a|an|one|two|three|four|five|six|a few|a couple of|\d+)\s+"
    r"(?:more\s+)?(?:hours?|days?|weeks?|months?)\b"
    r"|\b(?:" + "|".join(sorted(other_languages.LATER_DAYS)) + r")\b"
    r"|" + DATE.pattern
)
# "We'll post them back Monday": when the customer sends the goods is their own errand, not a
# term of ours; only a sentence that asks nothing of us and sets nothing else may say it.
_OWN_SENDING = re.compile(
    r"^\W*(?:and\s+)?(?:i|we)(?:'ll| will| shall| can)\s+(?:ship|post|send|drop|bring|mail)\b"
)
_ASKS_US = re.compile(
    r"\b(?:then|so|start|do|go|process|refund|wait|hold|until|till|before|after|once|when|if|"
    r"only|unless)\b"
)


def _names_later(lowered: str) -> bool:
    for sentence in re.split(r"[.!?;\n]+", lowered):
        padded = " " + " ".join(re.findall(r"[a-z0-9']+", sentence)) + " "
        if not _LATER.search(padded):
            continue
        if _OWN_SENDING.search(sentence) and not _ASKS_US.search(sentence):
            continue
        return True
    return False


# "for once", "at once": adverbs, not the conjunction "once" ("once it arrives").
_ONCE_ADVERBS = ("for once", "at once", "all at once")
# "too" adds something ("the bottle too") unless it intensifies what follows ("too easy").
_TOO_INTENSIFIES = frozenset(
    "easy good right kind true much many long late slow bad little right sweet simple "
    # how a thing fits or is made: "already too small", "too loud"
    "small big large tight loose short heavy loud expensive early fast high low thin thick "
    "bright dark noisy flimsy cheap hot cold narrow wide tiny".split()
)
SARCASM = (
    "yeah right",
    "yea right",
    "ya right",
    "oh sure",
    "sure sure",
    "as if",
    "like that'll",
    "like i believe",
    # Doubt by precedent: "I'm sure this time it'll all go smoothly. Like the last five times."
    "like the last",
    "sure this time",
    "whatever",
    "riiight",
    "suuure",
    "lol",
    "lmao",
    "rofl",
    "haha",
    "hahaha",
    "yeah yeah",
    "big surprise",
    "thanks for nothing",
    # Condescending agreement.
    "sure buddy",
    "ok buddy",
    "okay buddy",
    "sure pal",
    "sure jan",
    "ok sweetie",
    "sure sweetie",
    "ok boomer",
    "sure thing buddy",
    "like that's",
    "ever going to",
    "ever gonna",
    # Saying the offer is as likely as something absurd.
    "queen of england",
    "the pope",
    "pigs fly",
    "pigs might fly",
    "bold of you",
    "in your dreams",
    "dream on",
    "nice try",
    "good one",
    # Distrust: a reply that calls the offer suspect is not agreeing to it.
    "scam",
    "dodgy",
    "fishy",
    "sketchy",
    "shady",
    "suspicious",
    "fake",
    "bogus",
    "legit",
)
# Laughing faces read like "lol": beside a bare "sure" they mock ("😂😂😂 sure").
SARCASM_MARKS = (
    "🙄",
    "😒",
    "😏",
    "🤡",
    "🙃",
    "😂",
    "🤣",
    "😆",
    "/s",
    "…not",
    "...not",
    ".. not",
    "... not",
)
# Praise of the plan itself ("Brilliant plan.", "what a genius idea"): in a reply to a refund
# offer it mocks it far more often than not; a sincere yes does not grade the idea.
_PRAISED_PLAN = re.compile(
    # "Oh yeah, brilliant, a refund": an exclaimed yes graded at once mocks the offer.
    r"\boh,?\s+(?:yeah|yes|yea|wow)[\s,!]+(?:brilliant|great|wonderful|fantastic|perfect|lovely|"
    r"amazing|terrific|marvellous|super|fab|fabulous|splendid)\b"
    # "That fixes my ruined dinner party": a remedy praised for what it cannot mend.
    r"|\bthat (?:fixes|solves|makes up for|sorts out) (?:my|everything|it all)\b|"
    r"\b(?:brilliant|great|genius|fantastic|wonderful|excellent|amazing|superb|marvellous|"
    r"stellar|fabulous|solid|smart|clever)\s+(?:plan|idea|thinking|logic|system)\b"
    r"|\bwhat an? (?:\w+ )?(?:plan|idea|genius|joke)\b|\bgenius\b"
    r"|\boh\s+(?:yeah|yes|yea)[\s,]+sure\b"
)
# "oh yes, because that worked so well": an exclaimed yes justified at once is the mocking form.
_MOCKING_BECAUSE = re.compile(
    r"\b(?:oh|ah)\s+(?:yes|yeah|sure|right|absolutely|totally|of course)\b"
    r"[^.?!]*?\b(?:because|cause|cos|coz)\b"
    # "because that worked so well last time": praise of what failed.
    r"|\b(?:worked|went|turned out|goes|works)\s+(?:out\s+)?so\s+well\b"
)
HEDGES = (
    "maybe",
    "perhaps",
    "probably",
    "possibly",
    "i guess",
    "guess so",
    "i suppose",
    "suppose so",
    "i think",
    "think so",
    "not sure",
    "unsure",
    "idk",
    "dunno",
    "don't know",
    "dont know",
    "hmm",
    "hm",
    "hmmm",
    "um",
    "umm",
    "uh",
    "erm",
    "wait",
    "hold on",
    "hang on",
    "let me think",
    "let me check",
    "think about it",
    "think it over",
    "have a think",
    "sleep on it",
    "mull it over",
    "later",
    "tomorrow",
    "not yet",
    "kinda",
    "sorta",
    "might",
    "depends",
    "in a minute",
    "give me a",
    "one sec",
    "one moment",
    "should i",
    # Acknowledging the message is not agreeing to it.
    "noted",
    "understood",
    "got it",
    "i see",
    "received",
    "for the info",
    "for the information",
    "for letting me know",
    "good to know",
    "will check",
    # Telling us the proposal is wrong is disputing it, not agreeing to it.
    "you're wrong",
    "you are wrong",
    "that's wrong",
    "that is wrong",
    "thats wrong",
    "it's wrong",
    "this is wrong",
    "incorrect",
    "not correct",
    "not right",
    "mistake",
    "mistaken",
    "we'll see",
    "we will see",
    "see how it goes",
    *other_languages.HEDGES,
)
# Outcomes that are neither a refund nor a return: named in reply to either proposal, they are
# a different request.
_OTHER_THAN_REFUND_OR_RETURN = (
    "exchange",
    "replacement",
    "replace",
    "swap",
    "store credit",
    "voucher",
    "gift card",
    "credit note",
    "partial",
    "half",
    "resend",
    "reship",
    "send another",
    "new one",
    "repair",
    "keep",
    "keeping",
    "hold on to",
    "hang on to",
)
OTHER_OUTCOMES = {
    # Words naming an outcome that is not the proposed action.
    "refund": ("return", *_OTHER_THAN_REFUND_OR_RETURN),
    "return": (
        *_OTHER_THAN_REFUND_OR_RETURN,
        "refund instead",
        "just refund",
        "just a refund",
        "only a refund",
        "refund only",
        "money back now",
    ),
}
OTHER_LANGUAGE_OUTCOMES = other_languages.OTHER_OUTCOMES
# Words that point past the proposal ("the other one", "a different card", "another address").
CHANGE_WORDS = ("another", "different", "other", "others", "else")
# Words that name no product: an item name sharing only these with a reply is not named by it.
_ITEM_STOPWORDS = frozenset("the a an of and with for x set pack pair one two".split())

_ELLIPSIS_NOT = re.compile(r"(?:\.{2,}|…)\s*not\b", re.IGNORECASE)
# A yes that trails off ("sure...", "ok…") hesitates, or sets up what comes after it.
_TRAILING_ASSENT = re.compile(
    r"\b(?:yes|yeah|yea|yep|ok|okay|sure|sure thing|fine|right|alright|go on)\s*(?:\.{2,}|…)"
)


@dataclass(frozen=True)
class Cues:
    """Everything form-level the reader knows about one reply."""

    vetoes: frozenset[Veto]
    mentions: Mentions
    # Affirmative words present (a feature; never a yes by itself).
    affirmative: bool
    # The share of the reply's words that are assent or courtesy ("Perfeito, sim" 1.0, "ok
    # noted" 0.5): a yes in any language is mostly such words, which the English embedding
    # cannot read. A feature, never a yes by itself.
    assent_share: float
    words: tuple[str, ...]


AFFIRMATIVES = frozenset(
    "y yes yess yesss yeah yea yep yup ya yas ok okay okey k kk sure confirm confirmed correct "
    "proceed absolutely definitely certainly agreed agree affirmative alright aight go fine "
    "please pls plz accept accepted approve approved si oui ja da".split()
)


# Taking the answer back or changing the ground under it: "yes go ahead... actually the
# neighbour just handed it over", "let me just run it past my partner", "just realised it's on
# my desk", "I keep it" in any language.
_RETRACTS = re.compile(
    r"\b(?:yes|yeah|yep|ok|okay|sure|go ahead|fine)\b.*\bactually\b|\blet me just\b|"
    r"\brun it (?:past|by)\b|\bcheck with (?:my|the)\b|\bjust reali[sz]ed\b|\bturns out\b|"
    r"\bon second thoughts?\b|\bsecond thoughts\b|\btoo (?:fast|quick|quickly|soon)\b|"
    r"\b(?:stays?|staying) with me\b|\bi'?ll keep\b|\bi keep\b|\bjust the\b|"
    # other languages: think it over, reconsidered, changed my mind, I keep it, actually
    r"\b(?:reflechir|pensarlo|pensarci|nachdenken|nadenken|zastanowic|dusuneyim|pensar melhor|"
    r"ripensato|ripensarci|cambiato idea|cambie de opinion|change d'avis|anders uberlegt|"
    r"mudei de ideia|vazgectim|rozmyslil\w*|bedacht|lo tengo|me lo quedo|se lo queda|"
    r"je le garde|ich behalte|ik houd|zostawiam|fico com|en realidad|na verdade|eigentlich|"
    r"en fait|in realta|eigenlijk|wlasciwie|aslinda|ni hablar|de ninguna manera|"
    r"d'abord|zuerst|primero|primeiro|najpierw|eerst|prima di|avant de|antes de|zanim)\b"
)
# The parcel said to have turned up, outside a negation ("it never arrived" is no arrival).
_ARRIVED = re.compile(
    r"\b(?:arrived|turned up|showed up|handed (?:it )?over|found it|got it|received it|"
    r"is here|it's here|just came|came (?:today|this morning|yesterday|after all)|"
    r"llego|ha llegado|est arrive|ist angekommen|angekommen|e arrivato|arrivato|chegou|"
    r"me entregar|aangekomen|doszla|dotarla|geldi)\b"
)
_NEGATED_BEFORE = re.compile(
    r"\b(?:never|not|no|hasn't|hasnt|hadn't|hadnt|didn't|didnt|haven't|havent|nothing|nunca|"
    r"nie|nicht|pas|nao|non|niet)\W+(?:\w+\W+){0,2}$"
)


def _has_arrived(lowered: str) -> bool:
    return any(not _NEGATED_BEFORE.search(lowered[: m.start()]) for m in _ARRIVED.finditer(lowered))


def read_cues(reply: str, terms: ProposalTerms) -> Cues:
    # Accents folded: customers type "si" and "sí", "nao" and "não" alike.
    text = other_languages.fold(normalise(reply))
    mentions = read_mentions(text)
    words = mentions.words
    padded = mentions.text
    vetoes: set[Veto] = set()

    if _is_question(normalise(reply), text, words, padded):
        vetoes.add(Veto.QUESTION)
    if _is_negated(text, padded):
        vetoes.add(Veto.NEGATION)
    if (
        _has(_without_polite_ifs(_without(padded, other_languages.CONDITION_IDIOMS)), CONDITIONS)
        or _adds_with_too(words)
        or _DESTINATION.search(text.lower())
        or _names_later(text.lower())
    ):
        vetoes.add(Veto.CONDITION)
    if _has(padded, SARCASM) or any(m in text.lower() for m in SARCASM_MARKS):
        vetoes.add(Veto.SARCASM)
    if (
        _ELLIPSIS_NOT.search(text)
        or _MOCKING_BECAUSE.search(text.lower())
        or _PRAISED_PLAN.search(text.lower())
    ):
        vetoes.add(Veto.SARCASM)
    if (
        _has(_without(padded, _SPOKEN_ASSENT), HEDGES)
        or any(m in text for m in other_languages.HEDGE_SIGNS)
        or _TRAILING_ASSENT.search(text.lower())
        or _RETRACTS.search(text.lower())
        or (terms.not_received and _has_arrived(text.lower()))
    ):
        vetoes.add(Veto.HEDGE)
    if not _assents(text, words, padded):
        vetoes.add(Veto.NO_ASSENT)

    if set(mentions.order_ids) - {terms.order_id} or set(mentions.awbs) - set(terms.awbs):
        vetoes.add(Veto.OTHER_ORDER)
    if mentions.skus:
        vetoes.add(Veto.OTHER_ORDER)
    if any(not same_amount(a, terms.amount) for a in mentions.amounts):
        vetoes.add(Veto.OTHER_AMOUNT)
    if mentions.stray_numbers and not _only_own_quantities(text, terms):
        vetoes.add(Veto.OTHER_NUMBER)
    if _counts_other_than_proposed(words, terms):
        vetoes.add(Veto.OTHER_NUMBER)
    if (
        _names_other_item(padded, terms)
        or _names_unknown_product(text, terms)
        or _lists_unknown_item(text, terms)
        or _acts_on_other_goods(text, terms)
        or _has(_without(padded, _CLOSURES), CHANGE_WORDS)
    ):
        vetoes.add(Veto.OTHER_ITEM)
    if (
        _has(padded, OTHER_OUTCOMES[terms.action])
        or _has(padded, OTHER_LANGUAGE_OUTCOMES)
        or (terms.action == "refund" and _has(padded, ("send it back", "send them back")))
    ):
        vetoes.add(Veto.OTHER_OUTCOME)
    return Cues(
        vetoes=frozenset(vetoes),
        mentions=mentions,
        affirmative=any(w in AFFIRMATIVES or w in other_languages.ASSENT for w in words),
        assent_share=_assent_share(text, words),
        words=words,
    )


def _assent_share(text: str, words: tuple[str, ...]) -> float:
    if not words:
        return 1.0 if any(sign in text for sign in ASSENT_SIGNS) else 0.0
    kind = sum(
        w in AFFIRMATIVES or w in other_languages.COURTESY or is_assent_word(w) for w in words
    )
    return kind / len(words)


def _has(padded: str, phrases: tuple[str, ...] | frozenset[str]) -> bool:
    return any(f" {p} " in padded for p in phrases)


# Spanish and Portuguese write an interrogative with its accent wherever it stands in the clause.
_ACCENTED_INTERROGATIVE = re.compile(
    r"\b(?:cuándo|cuánto|cuánta|cuántos|cuántas|qué|cómo|dónde|cuál|cuáles|quién|quiénes)\b",
    re.IGNORECASE,
)


def _is_question(original: str, text: str, words: tuple[str, ...], padded: str) -> bool:
    if "?" in text or "¿" in text:
        return True
    if _ACCENTED_INTERROGATIVE.search(original):
        return True
    if _has(padded, QUESTION_PHRASES) or _has(padded, other_languages.QUESTION_PHRASES):
        return True
    if set(words) & other_languages.HOW_MUCH:
        return True
    # Skip leading interjections and affirmatives: "yes what", "ok so is it ...".
    rest = list(words)
    while rest and rest[0] in LEADERS:
        rest.pop(0)
    if not rest:
        return False
    if _is_wh(rest[0]):
        return True
    # A wh-word left hanging asks: "confirm what exactly", "and then what".
    for i, word in enumerate(rest):
        if _is_wh(word) and (i == len(rest) - 1 or rest[i + 1] in _WH_TAILS):
            return True
    # Each clause may open with an inverted auxiliary: "sure, will it be ok".
    previous: list[str] = []
    pieces = re.split(r"([,.;:!\n]+)", text.lower())
    for k in range(0, len(pieces), 2):
        clause = pieces[k]
        if k and pieces[k - 1].strip() != ",":
            previous = []  # a relative clause follows its noun after a comma only
        cw = re.findall(r"[a-z]+(?:'[a-z]+)*", clause)
        if not cw:
            continue
        while cw and cw[0] in LEADERS:
            cw.pop(0)
        if len(cw) >= 2 and cw[0] in AUXILIARIES and cw[1] in SUBJECTS:
            # "do it", "do that", "will do": imperatives and promises, not questions.
            if cw[0] == "do" and cw[1] not in _DO_SUBJECTS:
                continue
            return True
        if cw and (cw[0] in WH_WORDS or cw[0] in other_languages.QUESTION_OPENERS):
            if _is_relative(cw, previous):
                previous = cw
                continue
            return True
        # "ist das ...", "kan ik ...", "puis je ...": a verb before its subject.
        if (
            len(cw) >= 2
            and cw[0] in other_languages.QUESTION_VERBS
            and (cw[1] in other_languages.QUESTION_SUBJECTS or cw[1] in SUBJECTS)
        ):
            return True
        previous = cw
    return False


# "…the running shoes, which I shall post back": after a comma, a wh-word followed by its own
# subject pronoun, or "which" with a verb, continues the noun before it; it asks nothing. "which
# card", "where is it" and a wh-word after a bare "yes," or "ok," still ask.
_RELATIVE_SUBJECTS = frozenset("i we he she they".split())
_RELATIVE_VERBS = frozenset("is was has had will would means meant".split())


def _is_relative(cw: list[str], previous: list[str]) -> bool:
    if len(previous) < 3 or previous[-1] in LEADERS or previous[-1] in AFFIRMATIVES:
        return False
    if len(cw) < 3 or cw[0] not in {"which", "who", "where", "when"}:
        return False
    return cw[1] in _RELATIVE_SUBJECTS or (
        cw[0] in {"which", "who"} and cw[1] in _RELATIVE_VERBS and len(cw) >= 4
    )


def _is_wh(word: str) -> bool:
    """A wh-word, or one with a letter dropped, added or two swapped ("waht", "wen"); not a
    changed letter, which would make "that" a "what"."""
    if word in WH_WORDS:
        return True
    if len(word) < 3 or word in _NOT_WH:
        return False
    return any(
        (len(word) != len(wh) and one_slip(word, wh)) or swapped(word, wh) for wh in _LONG_WH
    )


_LONG_WH = ("what", "when", "where", "which")
# Real words one slip away from a wh-word.
_NOT_WH = frozenset("here were hen wait hat whet wher".split())


def swapped(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


def _is_negated(text: str, padded: str) -> bool:
    if any(sign in text for sign in other_languages.NEGATION_SIGNS):
        return True
    remaining = _without(padded, NEGATION_IDIOMS).split()
    return any(
        w in NEGATIONS
        or w in other_languages.NEGATIONS
        or w.endswith("n't")
        or w.startswith("n'")  # French "n'est", "n'ai"
        for w in remaining
    )


def _without(padded: str, idioms: tuple[str, ...]) -> str:
    for idiom in idioms:
        padded = padded.replace(f" {idiom} ", " ")
    return padded


# The "if" of politeness, not of a condition: "I'd be grateful if you would start the return".
# Only the "if" goes, and only before a verb of doing the action: what follows is still read, so
# "grateful if you would refund $60" keeps its amount veto, "…if you would only refund the mug"
# its "only" and "…start the return once I'm back" its "once".
_POLITE_IF = re.compile(
    r" (grateful|appreciate it|obliged|thankful|glad|happy) if (?:you|u) (would|could|can)"
    r"(?= (?:kindly |please )?(?:go|proceed|process|do|start|arrange|issue|action|complete|"
    r"initiate|refund|return|book|organise|organize) )"
    # Courtesy about getting in touch: "if you need to update me", "if you have any questions".
    r"| if (?:you|u) (?:need|want|have) to (?:contact|reach|update|call|email|text|message|ring)"
    r" (?:me|us) "
    r"| if (?:you|u) (?:need|have) any (?:questions|queries) "
    # Courtesy about the bother: "yes please, if it's no trouble", "if you don't mind".
    r"| if (?:it's|it is|its) (?:no|not too much|not much) (?:trouble|bother)(?: at all)? "
    r"| if (?:you|u) (?:don't|dont|do not) mind "
    r"| if (?:that's|that is|thats) (?:ok|okay|alright|all right) "
)


# "when it turned up smashed", "when I opened the box": a "when" in the past tense tells what
# happened; only one that is still to come ("when it arrives") sets a time for the consent.
_PAST_WHEN = re.compile(
    r" when (?=(?:it|i|we|they|he|she|you|the \w+|my \w+) (?:was|were|did|came|arrived|got|"
    r"turned|showed|opened|saw|found|took|left|broke|[a-z]{3,}ed) )"
)


def _without_polite_ifs(padded: str) -> str:
    padded = _POLITE_IF.sub(
        lambda m: f" {m.group(1)} you {m.group(2)}" if m.group(1) else " ", padded
    )
    padded = _PAST_WHEN.sub(" as ", padded)
    return _without(padded, _ONCE_ADVERBS)


# Somewhere else for the money or the goods ("send it to my office", "Yes. To my wife."): the
# proposal names where they go, so another place is a change to its terms. "to my card" is
# left to the other cues: a card refund goes back to the card paid with.
_DESTINATION = re.compile(
    r"\b(?:send|sent|ship|deliver|refund|pay|transfer|credit|put|give|post|move|return)\b"
    r"[^.?!;]*?\b(?:to|into|onto|at)\s+(?:(?:my|our|his|her|their)\s+(?!card\b)|another\b|"
    r"a different\b|the other\b)"
    r"|(?:^|[.!;:,]\s*)(?:and\s+)?(?:to|into|onto)\s+(?:(?:my|our|his|her|their)\s+(?!card\b)|"
    r"another\b|a different\b|the other\b)"
)


def names_other_destination(reply: str) -> bool:
    """The reply sends the money or the goods somewhere the proposal does not ("Yes. To my
    wife.", "send it to my office")."""
    return bool(_DESTINATION.search(other_languages.fold(normalise(reply)).lower()))


# "was too small", "it's way too big": after a copula or a degree word "too" grades what follows.
_BEFORE_GRADING_TOO = frozenset(
    "is was were are am be been being it's its i'm you're they're that's way far much bit "
    "little just a".split()
)


def _adds_with_too(words: tuple[str, ...]) -> bool:
    return any(
        w == "too"
        and (i + 1 == len(words) or words[i + 1] not in _TOO_INTENSIFIES)
        and not (0 < i < len(words) - 1 and words[i - 1] in _BEFORE_GRADING_TOO)
        for i, w in enumerate(words)
    )


# Counts written as words: "I ordered two of these and the refund would cover both".
_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "both": 2}
# What may follow a count word without it counting the order's goods.
_NOT_GOODS = frozenset(
    "weeks week days day hours hour minutes months years times calls kids children daughters "
    "sons dogs cats people".split()
)


def _counts_other_than_proposed(words: tuple[str, ...], terms: ProposalTerms) -> bool:
    """A count of goods in words that the proposal's lines do not hold ("both" beside one
    item); "two weeks" and "both of us" count something else."""
    total = sum(terms.quantities) if terms.quantities else 1
    for i, w in enumerate(words):
        n = _COUNT_WORDS.get(w)
        if w == "one" and _counts_goods_with_one(words, i):
            n = 1
        if n is None or n == total or n in terms.quantities:
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        if following in _NOT_GOODS or (following == "of" and words[i + 2 : i + 3] == ("us",)):
            continue
        if w == "both" and (
            following in _BOTH_NOT_GOODS or (i > 0 and words[i - 1] in _BOTH_SUBJECTS)
        ):
            continue  # "both correct", "we both think": not a count of goods
        return True
    return False


# "one" counts goods only in these company: "one pair's worth", "one of them", "just one";
# "this one", "one moment", "the one I ordered" count nothing.
_ONE_COUNTS = frozenset("pair pairs of item items unit units piece pieces set sets box".split())


def _counts_goods_with_one(words: tuple[str, ...], i: int) -> bool:
    following = words[i + 1] if i + 1 < len(words) else ""
    before = words[i - 1] if i > 0 else ""
    if following.startswith("pair"):
        return True
    if following in _ONE_COUNTS and not (following == "of" and words[i + 2 : i + 3] == ("us",)):
        return True
    return before in ("just", "only") and following not in ("more", "moment", "sec", "second")


# "both" that qualifies a judgement or people, not goods.
_BOTH_NOT_GOODS = frozenset("correct right fine ok okay good agree think".split())
_BOTH_SUBJECTS = frozenset("we they you us them".split())


def _only_own_quantities(text: str, terms: ProposalTerms) -> bool:
    """Bare numbers that are the proposal's own quantities ("yes, the 2 pairs")."""
    blanked = _MONEY.sub(" ", _IDS.sub(" ", text))
    found = re.findall(r"\d+(?:\.\d+)?", blanked)
    return bool(found) and all(n.isdigit() and int(n) in terms.quantities for n in found)


def _content_words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", name.lower()) if w not in _ITEM_STOPWORDS}


def _names_other_item(padded: str, terms: ProposalTerms) -> bool:
    own = set().union(*(_content_words(n) for n in terms.item_names)) if terms.item_names else set()
    said = set(padded.split())
    for name in terms.other_item_names:
        distinct = _content_words(name) - own
        if distinct and distinct & said:
            return True
    return False


# Capitalised words a reply may hold that name no product.
_NOT_PRODUCTS = frozenset(
    "i i'm i'd i'll i've ok okay yes no please thanks thank sure confirmed dear sir madam mr mrs "
    "ms monday tuesday wednesday thursday friday saturday sunday paypal visa mastercard amex "
    "usd gbp eur january february march april may june july august september october "
    "november december "
    # "sorry for my English", "my WhatsApp is full": languages and how the customer is reached
    "english spanish french german italian portuguese polish russian chinese arabic hindi urdu "
    "turkish japanese korean dutch greek hebrew thai whatsapp telegram viber wechat messenger "
    "gmail outlook hotmail yahoo".split()
)


def _names_unknown_product(text: str, terms: ProposalTerms) -> bool:
    """A capitalised name after a determiner that is not the proposal's ("refund the Yoga Mat
    too", "and my Blue Kettle"): a product the customer names is not in these terms."""
    own = {w.lower() for n in terms.item_names for w in re.findall(r"[A-Za-z]+", n)}
    for match in _NAMED.finditer(text):
        # Every word of the name: "the Hose Reel" is not "the Garden Hose".
        for word in match.group(1).lower().split():
            if word not in own and word not in _NOT_PRODUCTS:
                return True
    return False


# "return the rice cooker and the steamer basket": the objects of a refund or return, listed.
_LISTED = re.compile(
    r"\b(?:return|refund|send back|take back|replace|swap)\b[^,.;!?]*?"
    r"\b(?:and|plus|&|as well as)\s+(?:also\s+)?(?:the|my|a|an|both|those|these)\s+"
    r"([a-z]+(?:\s+[a-z]+)?)"
)
# Nouns a listed object may be without naming a product.
_NOT_ITEMS = frozenset(
    "money refund rest whole lot amount order parcel package box item items thing things stuff "
    "same full total balance card account bank paypal".split()
)
# "no other questions", "nothing else": nothing is changed.
_CLOSURES = ("nothing else", "no other", "nothing more", "no more")


def _own_item_words(terms: ProposalTerms) -> set[str]:
    """The words of the proposal's lines, singular and plural alike."""
    own = {w.lower() for n in terms.item_names for w in re.findall(r"[A-Za-z]+", n)}
    return own | {w[:-1] for w in own if w.endswith("s")} | {f"{w}s" for w in own}


def _lists_unknown_item(text: str, terms: ProposalTerms) -> bool:
    own = _own_item_words(terms)
    for match in _LISTED.finditer(text.lower()):
        words = [w for w in match.group(1).split() if w not in _ITEM_STOPWORDS]
        if words and not set(words) & _NOT_ITEMS and not set(words) <= own:
            return True
    return False


# "Yes, send the hairdryer back", "yep, take back the wallet", "sim, pode devolver o fone": the
# goods the yes acts on, named by the customer. When none of their words is the proposal's (or
# an everyday word for its head noun, goods_words.py), the yes is to other goods.
_DETERMINER = (
    r"(?:the|my|di|de|da|dem|that|this|those|these|both|o|os|el|la|los|las|le|les|il|lo|den|"
    r"die|das|het)"
)
_GOODS_WORDS_RUN = r"((?:[^\W\d_][\w'-]*)(?:\s+[^\W\d_][\w'-]*){0,3})"
_ACTED_ON = (
    # "send back the clogs", "take back di radio"
    re.compile(
        rf"\b(?:send|sending|take|taking|tek|bring|post|ship|mail)\s+back\s+{_DETERMINER}\s+"
        + _GOODS_WORDS_RUN,
        re.IGNORECASE,
    ),
    # "send the wellies back": the words before "back" only
    re.compile(
        rf"\b(?:send|sending|take|taking|tek|bring|post|ship|mail)\s+{_DETERMINER}\s+"
        r"((?:[^\W\d_][\w'-]*)(?:\s+[^\W\d_][\w'-]*){0,3}?)\s+back\b",
        re.IGNORECASE,
    ),
    # "return the rice cooker", "pode devolver o fone de ouvido"
    re.compile(
        r"\b(?:return|returning|refund|devolver|devolva|devuelvo|retourner|renvoyer|rimandare|"
        rf"zurueckschicken|zurückschicken)\s+{_DETERMINER}\s+" + _GOODS_WORDS_RUN,
        re.IGNORECASE,
    ),
)
# Where the named goods end: "send the wellies back to you", "return the lamp please".
_OBJECT_ENDS = frozenset(
    "back to for please pls now today tomorrow and but so as if then too also with from in on "
    "at go it its they them".split()
)


def _acts_on_other_goods(text: str, terms: ProposalTerms) -> bool:
    if not terms.item_names:
        return False  # a whole-order proposal names no lines to differ from
    own = _own_item_words(terms)
    own |= {f"{w}es" for w in own}
    heads = {n.split()[-1].lower() for n in terms.item_names if n.split()}
    for match in (m for pattern in _ACTED_ON for m in pattern.finditer(text)):
        words: list[str] = []
        for word in match.group(1).lower().split():
            if word in _OBJECT_ENDS:
                break
            words.append(word)
        content = [w for w in words if w not in _ITEM_STOPWORDS]
        if not content or set(content) & (_NOT_ITEMS | _THE_PROPOSAL | _TIMES):
            continue
        if set(content) & own:
            continue
        glossed = {g for w in content for g in GOODS_WORDS.get(w, "").split()}
        if glossed & heads or {g + "s" for g in glossed} & heads:
            continue
        return True
    return False


# "I'll post it back this week": when, not what.
_TIMES = frozenset(
    "week weekend month morning afternoon evening night time year day days weeks minute "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
# What a yes may act on that is the proposal itself, not goods.
_THE_PROPOSAL = frozenset(
    "return refund order parcel package lot rest everything all one ones same it them delivery "
    "shipment purchase stuff item items thing things".split()
)


_NAMED = re.compile(
    r"\b(?:the|a|an|my|your|this|that|these|those|and|plus|\d+ x|\d+)\s+"
    r"([A-Z][a-z]+(?: [A-Z][a-z]+)*)"
)


# An explicit yes needs a word (or sign) of assent; thanks or a story alone is not consent.
ASSENT_WORDS = frozenset(
    "y ya yah yeah yea yep yup yas yes ye yh yessir sure ok okay okey oki k kk alright aight "
    "fine confirm confirmed confirming correct right proceed absolutely definitely certainly "
    "agreed agree affirmative accept accepted approve approved deal bet perfect great good "
    "lovely wonderful marvellous excellent satisfactory acceptable works cool go do proceed "
    "start process carry action initiate si oui ja da make issue submit complete arrange "
    "book consent consented authorise authorised authorize authorized "
    # World Englishes and radio voice: Scots and Northern "aye", "roger", "affirm".
    "aye ay roger affirm wilco".split()
)
ASSENT_SIGNS = ("👍", "✅", "👌", "✔", "💯", "🆗")
# Spoken assent as typed: "mm-hm", "uh-huh" (read as words: "mm hm", "uh huh").
_SPOKEN_ASSENT = ("mm hm", "mhm", "mmhm", "uh huh", "mm hmm")
# Asking for the action itself is assent: "please refund", "kindly start the return".
_ASKED_ACTION = re.compile(
    r" (?:please|pls|plz|kindly) (?:refund|return|process|start|issue|action|proceed) "
)
_COLLAPSED_ASSENT = {re.sub(r"(.)\1+", r"\1", w): w for w in ASSENT_WORDS}


# "say yes", "I replied ok": the assent word is quoted, not given.
_QUOTED_ASSENT = re.compile(
    r"\b(?:say|says|said|saying|reply|replied|replying|answer|answered|type|typed|write|wrote|"
    r"click|clicked|press|pressed|put)\s+(?:\w+\s+)?(?:yes|ok|okay|y|confirm|sure)\b"
)


def _assents(text: str, words: tuple[str, ...], padded: str) -> bool:
    if any(sign in text for sign in ASSENT_SIGNS):
        return True
    if _has(padded, _SPOKEN_ASSENT) or _ASKED_ACTION.search(padded):
        return True
    if _QUOTED_ASSENT.search(padded):
        padded = _QUOTED_ASSENT.sub(" ", padded)
        words = tuple(padded.split())
    if _has(padded, other_languages.ASSENT_PHRASES):
        return True
    return any(is_assent_word(word) for word in words)


def is_assent_word(word: str) -> bool:
    if word in ASSENT_WORDS or word in other_languages.ASSENT:
        return True
    # Stretched or doubled letters and one slip of the keys: "yesss", "okk", "confrim".
    collapsed = re.sub(r"(.)\1+", r"\1", word)
    if collapsed in _COLLAPSED_ASSENT:
        return True
    if len(collapsed) >= 5 and any(
        len(w) >= 5 and one_slip(collapsed, w) for w in _COLLAPSED_ASSENT
    ):
        return True
    return any(swapped(collapsed, w) for w in _COLLAPSED_ASSENT if len(w) >= 3)


def one_slip(a: str, b: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
