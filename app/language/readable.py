"""Whether the reader can read a clause at all: English, or the languages its word lists hold.

The consent head reads English through its embedding, and seven European languages through the
form words of `consent_lexicon`. A clause mostly in any other language ("tapi saya tak nak
refund", "pero papalitan na lang po", "dar nu acum") carries words the vetoes cannot see, so it
must neither be set aside as an aside nor be read as a yes: the customer is asked again.
"""

from __future__ import annotations

import re
from functools import cache

from app.language import consent_lexicon
from app.language.consent_cues import one_slip, swapped
from app.language.consent_lexicon import fold
from app.language.consent_terms import ProposalTerms
from app.language.english_words import near_english
from app.language.foreign_assent import foreign_courtesy
from app.language.foreign_assent_lexicon import VOCABULARIES
from app.language.mentions import normalise

# Letters of scripts other than Latin: Greek, Cyrillic, Hebrew, Arabic, Indic, Thai, CJK.
_OTHER_SCRIPT = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f"
                           r"\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # fmt: skip
_LETTERS = re.compile(r"[a-z]+")
_WORD = re.compile(r"[^\W\d_]+")
_FUNCTION_WORD_TOKENS = re.compile(r"[a-z]+(?:['-][a-z]+)*")
# The languages `consent_lexicon` lists form words for: the head reads them with their vetoes.
LEXICON_LANGUAGES = frozenset("es pt fr de it nl pl".split())
# Function words of the languages `consent_lexicon` lists form words for (es, pt, fr, de, it,
# nl, pl, tr), and of other languages written in Latin letters: foreign wherever they stand,
# although the encoder's English vocabulary holds some of them ("pero", "wag", "yang", "dar").
LEXICON_FUNCTION_WORDS = frozenset(
    "que el los las del por con una para pero esta muy dice "  # es
    "nao uma voce com mas isso "  # pt
    "les est pas je vous nous avec mais cette dans "  # fr
    "der die das und ist nicht ich sie wir mit aber auch "  # de
    "che il della sono non per questo anche "  # it
    "het een niet ik maar ook zijn "  # nl
    "jest nie sie ale juz tylko "  # pl
    "bir bu ve ama icin cok".split()  # tr
)
_OTHER_FUNCTION_WORDS = frozenset(
    "lang po na wag hindi ako ko mo yung ang ng sa naman kasi rin sana ba "  # tl
    "tapi yang saya tak nak ke tu ini itu dengan untuk kalau sama juga sudah belum nanti "
    "dulu kan aja "  # id, ms
    "lakini kwa hii hiyo kama sasa bado "  # sw
    "dar nu acum daca doar "  # ro
    "chua khong roi "  # vi
    "bara inte eller "  # sv, no, da
    "mutta ei "  # fi
    "jen ne "  # cs
    "nem csak".split()  # hu
)
FOREIGN_FUNCTION_WORDS = LEXICON_FUNCTION_WORDS | _OTHER_FUNCTION_WORDS
# Chat's own words: laughter and abbreviations, English whatever the dictionary says.
CHAT_WORDS = frozenset(
    "lol lmao lmfao rofl haha hahaha hehe omg idk tbh ngl smh imo btw pls plz thx tysm "
    "ikr fyi asap".split()
)
# Function words of English: a clause with one is English with typos ("dont need to emial me"),
# not another language.
_ENGLISH_FUNCTION_WORDS = frozenset(
    "a an the to of in on at for and or but i me my you your it is are was be do not no so if "
    "this that with we us our they he she pls please".split()
)
# The words a yes is made of, so that "go ahaed" and "sounds goood" are read, not foreign.
_CONSENT_WORDS = frozenset(
    "yes yeah okay sure ahead proceed please thanks thank good great fine refund return "
    "sounds confirm agreed absolutely alright".split()
)


def in_another_language(clause: str) -> bool:
    """The clause is in a language the model and the vetoes' word lists cannot read: two or
    more function words of another language, or mostly words that are not English (or another
    script). The aside gate never sets such a clause aside."""
    folded = fold(normalise(clause)).lower()
    if len(set(_FUNCTION_WORD_TOKENS.findall(folded)) & FOREIGN_FUNCTION_WORDS) >= 2:
        return True
    return _mostly_unknown(clause, lexicon_read=False)


def unread_part(clauses: list[str], terms: ProposalTerms) -> str | None:
    """The first clause the reader cannot read, or None when it can read them all.

    Readable: English (a name, a slip of a consent word, "ahaed", "goood", included), the
    languages `consent_lexicon` lists form words for (the head reads them with their vetoes),
    and a clause every word of which is assent or courtesy in a language `foreign_assent`
    knows ("Ndatenda shamwari")."""
    for clause in clauses:
        if _mostly_unknown(clause, lexicon_read=True) and foreign_courtesy(clause, terms) is None:
            return clause
    return None


def _mostly_unknown(clause: str, *, lexicon_read: bool) -> bool:
    """Whether most of the clause's words are unknown (`_mostly`), or it is in another script.

    Unknown: a word neither English nor one slip from it (at seven letters), nor chat's own,
    and any other language's function word. With `lexicon_read` (what the head reads with its
    vetoes) the seven lexicon languages' words, names and slips of consent words are known too,
    and their function words are foreign only beside another language's ("pero" is Spanish,
    but Tagalog in "pero mamaya na lang")."""
    text = normalise(clause)
    # The gate looks at the folded text, where Hangul's compatibility letters ("ㅎㅎ") become
    # jamo and count as a script of their own.
    if _OTHER_SCRIPT.search(text if lexicon_read else fold(text)):
        return True
    if lexicon_read:
        found = [(m.group(0), fold(m.group(0)).lower()) for m in _WORD.finditer(text)]
    else:
        found = [(w, w) for w in _LETTERS.findall(fold(text).lower())]
    other = any(word in _OTHER_FUNCTION_WORDS for _, word in found)
    foreign = FOREIGN_FUNCTION_WORDS if other or not lexicon_read else _OTHER_FUNCTION_WORDS
    counted = unknown = 0
    for i, (original, word) in enumerate(found):
        if word in foreign:
            counted += 1
            unknown += 1
        elif len(word) > 2 and word not in CHAT_WORDS:
            counted += 1
            unknown += not (
                near_english(word)
                or (
                    lexicon_read
                    and (
                        (i > 0 and original[:1].isupper())  # a name
                        or word in lexicon_words()
                        or any(one_slip(word, w) or swapped(word, w) for w in _CONSENT_WORDS)
                    )
                )
            )
    # English with typos ("dont need to emial me") or a lexicon language ("pas besoin de
    # m'appeler") is read with its vetoes; any other language may limit in two words.
    read = any(w in _ENGLISH_FUNCTION_WORDS or w in lexicon_words() for _, w in found)
    return _mostly(unknown, counted, strict=lexicon_read and not read)


def _mostly(unknown: int, counted: int, *, strict: bool) -> bool:
    """At least two words, and more than two in three, are unknown: a rare word or two in an
    English clause ("the thermostat overshoots") is not a language. Beside a yes, a clause
    with no English function word and no lexicon word in it (`strict`) may hold a limit in two
    words ("ok, ali samo slušalice": "but only the headphones"), and more than half is
    enough."""
    if strict:
        return unknown >= 2 and 2 * unknown > counted
    return unknown >= 2 and 3 * unknown > 2 * counted


@cache
def lexicon_words() -> frozenset[str]:
    """Every word of the consent lexicon's lists and of the vocabularies of its languages."""
    words: set[str] = set(LEXICON_FUNCTION_WORDS)
    for value in vars(consent_lexicon).values():
        if isinstance(value, frozenset | tuple) and all(isinstance(v, str) for v in value):
            for entry in value:
                words.update(_LETTERS.findall(fold(entry).lower()))
    for vocabulary in VOCABULARIES:
        if vocabulary.language in LEXICON_LANGUAGES:
            for field in (vocabulary.strong, vocabulary.weak, vocabulary.refund,
                          vocabulary.return_, vocabulary.either):  # fmt: skip
                words.update(_LETTERS.findall(fold(field.replace("_", " ")).lower()))
    return frozenset(words)
