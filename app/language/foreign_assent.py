"""A plain go-ahead written in a language the consent model cannot read.

The consent head reads English (and, poorly, seven European languages through their form
words). A customer who answers "Ναι, προχωρήστε. Ευχαριστώ!", "כן, תעשה את ההחזר" or
"ได้ค่ะ ดำเนินการคืนเงินได้เลยค่ะ" has said yes as plainly as "yes, go ahead, thanks", but the
head scores noise. This reader accepts such a reply only when it understands *every* word of it:
all of them come from one language's closed vocabulary in `foreign_assent_lexicon` (or the few
English words customers mix in: "ok", "go ahead", "please"), at least one is a word of assent,
and nothing else is there. Any word outside the list, a question mark, a number that is not the
proposal's own order id, an emoji that is not a plain thumbs-up, or the other action's noun
leaves the reply to the ordinary reader, which asks again. It only ever adds a yes where the
meaning is closed; it never reads a condition, a limit or a refusal, because it cannot see one.

Scripts written without spaces (Thai, Chinese, Japanese, Korean) are cut into the vocabulary's
own pieces; a run that cannot be covered by them entirely ("ไม่ได้", "不可以", "진행하지") is
not understood.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from app.language.consent_lexicon import fold
from app.language.consent_terms import ProposalTerms
from app.language.english_words import is_english
from app.language.foreign_assent_lexicon import VOCABULARIES, Vocabulary
from app.language.mentions import IDS, normalise

# English words customers mix into a reply in their own language ("Ok ka, go ahead na").
_ENGLISH_STRONG = frozenset("yes yeah yep ok okay okey oki go ahead proceed sure".split())
_ENGLISH_WEAK = frozenset("please pls plz thanks thank you thx ty do it the".split())
_ENGLISH_ACTION = {"refund": frozenset({"refund"}), "return": frozenset({"return"})}
_ENGLISH = _ENGLISH_STRONG | _ENGLISH_WEAK | frozenset().union(*_ENGLISH_ACTION.values())

# Veto words of some language that are everyday English words.
_ENGLISH_LOOKALIKES = frozenset(
    "so men to par se de tu la lo den le net mat ha bas ei as later".split()
)
_QUESTION_MARKS = re.compile(r"[?¿؟？;;]")
# Chunks are split at spaces and punctuation; hyphens and apostrophes split words as well
# ("fais-le", "ir-rifużjoni", "d'accord").
_SPLIT = re.compile(r"[\s,.!:…()\"“”«»„、。！，،؛~\-–—'’/|*_]+")
# Signs that sit beside a plain yes; anything else that is not a letter is not understood.
_POSITIVE_SIGNS = frozenset("👍🙏✅👌😊🙂😀😃😄😁☺❤♥💯🤝✔✓🆗🥰😘🫶❣💕💖")
_SIGN_MODIFIERS = frozenset("\ufe0f\u200d\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")
_MAX_WORDS = 16
# A plain go-ahead is short; the cut also bounds the cost of cutting an unspaced script.
_MAX_CHARS = 160

# Scripts that are not accent-folded (their vowel marks carry meaning) and those cut into
# the vocabulary's pieces because they are written without spaces between words.
_UNFOLDED_SCRIPT = re.compile(r"[\u0900-\u09ff\u0e00-\u0e7f\u1100-\u11ff\u1200-\u137f"
                              r"\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")  # fmt: skip
_UNSPACED_SCRIPT = re.compile(
    r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
# Arabic and Persian letter variants typed interchangeably, and letters NFKD keeps whole
# (Maltese "ħ", Turkish dotless "ı").
_VARIANTS = str.maketrans({"ة": "ه", "ى": "ي", "ي": "ی", "ك": "ک", "ـ": None, "\u200c": None,
                           "\u200f": None, "\u200e": None, "ħ": "h", "ı": "i"})  # fmt: skip


def _key(word: str) -> str:
    word = unicodedata.normalize("NFC", word).lower().translate(_VARIANTS)
    return word if _UNFOLDED_SCRIPT.search(word) else fold(word)


@dataclass(frozen=True)
class _Language:
    name: str
    strong: frozenset[tuple[str, ...]]
    weak: frozenset[tuple[str, ...]]
    actions: dict[str, frozenset[tuple[str, ...]]]  # "refund" / "return" -> the nouns it may name
    pieces: tuple[str, ...]  # single entries in unspaced scripts, longest first
    vetoes: frozenset[str]
    own_words: frozenset[str]  # every word of its assent and courtesy, phrases' words too

    def words(self, action: str) -> frozenset[tuple[str, ...]]:
        return self.strong | self.weak | self.actions[action]


def _entries(words: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(_key(w) for w in entry.split("_")) for entry in words.split())


def _compile(v: Vocabulary) -> _Language:
    strong, weak = _entries(v.strong), _entries(v.weak)
    refund, return_, either = _entries(v.refund), _entries(v.return_), _entries(v.either)
    every = strong | weak | refund | return_ | either
    pieces = sorted(
        {e[0] for e in every if len(e) == 1 and _UNSPACED_SCRIPT.search(e[0])},
        key=len,
        reverse=True,
    )
    return _Language(
        name=v.language,
        strong=strong,
        weak=weak,
        actions={"refund": refund | either, "return": return_ | either},
        pieces=tuple(pieces),
        # "no" is English too, and English vetoes read it.
        own_words=frozenset(w for entry in strong | weak for w in entry),
        vetoes=frozenset(_key(w) for w in v.vetoes.split() if "_" not in w) - {"no"},
    )


@cache
def _languages() -> tuple[_Language, ...]:
    return tuple(_compile(v) for v in VOCABULARIES)


def _segment(chunk: str, pieces: tuple[str, ...]) -> list[str] | None:
    """`chunk` cut into vocabulary pieces that cover all of it, or None."""
    best: list[list[str] | None] = [None] * (len(chunk) + 1)
    best[0] = []
    for end in range(1, len(chunk) + 1):
        for piece in pieces:
            start = end - len(piece)
            if start >= 0 and best[start] is not None and chunk[start:end] == piece:
                best[end] = [*best[start], piece]  # type: ignore[misc]
                break
    return best[len(chunk)]


def _chunks(reply: str, terms: ProposalTerms) -> list[str] | None:
    """The reply's words (keys), or None when it holds anything this reader cannot place."""
    text = normalise(reply)
    if len(text) > _MAX_CHARS or _QUESTION_MARKS.search(text):
        return None
    own = {terms.order_id.upper(), *(a.upper() for a in terms.awbs)}
    for match in IDS.finditer(text):
        if match.group(0).upper() not in own:
            return None
    text = IDS.sub(" ", text)
    words: list[str] = []
    for raw in _SPLIT.split(text):
        if not raw:
            continue
        letters = "".join(c for c in raw if c.isalnum() or unicodedata.category(c) in {"Mn", "Mc"})
        signs = "".join(c for c in raw if c not in letters)
        if any(c not in _POSITIVE_SIGNS and c not in _SIGN_MODIFIERS for c in signs):
            return None
        if not letters:
            continue
        if letters.isdigit():
            return None  # a number; Franco-Arabic's digit letters ("2aywa", "e3mel") are words
        words.append(_key(letters))
    return words if 0 < len(words) <= _MAX_WORDS else None


def _covers(words: list[str], language: _Language, action: str, *, assenting: bool = True) -> bool:
    """Every word is the language's (or the mixed-in English) and, when `assenting`, one of
    them assents."""
    allowed = language.words(action)
    english_action = _ENGLISH_ACTION[action]
    longest = max((len(e) for e in allowed), default=1)
    assent = own_language = False
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            entry = tuple(words[i : i + size])
            if entry in allowed:
                assent = assent or entry in language.strong
                own_language = own_language or not set(entry) <= _ENGLISH
                i += size
                break
        else:
            word = words[i]
            if word in _ENGLISH_STRONG:
                assent = True
            elif word not in _ENGLISH_WEAK and word not in english_action:
                if not _UNSPACED_SCRIPT.search(word):
                    return False
                parts = _segment(word, language.pieces)
                if parts is None or parts == [word]:
                    return False  # not the language's, or a whole entry this action may not name
                words = [*words[:i], *parts, *words[i + 1 :]]
                continue
            i += 1
    return (assent or not assenting) and own_language


def foreign_assent(reply: str, terms: ProposalTerms) -> str | None:
    """The language whose plain go-ahead the whole reply is, or None."""
    return _understood_in(reply, terms, assenting=True)


def foreign_courtesy(text: str, terms: ProposalTerms) -> str | None:
    """The language in which every word of `text` is assent, thanks or courtesy ("Ndatenda
    shamwari", "khob khun krub"): nothing in it the reader cannot place."""
    return _understood_in(text, terms, assenting=False)


def vetoed_in_own_language(text: str, terms: ProposalTerms) -> str | None:
    """The language in which the text refuses, sets a condition or a limit: one of its veto
    words beside another of its words ("Tak, terima kasih bang" is Malay for "no, thanks",
    "Ja, men bara hälften" Swedish for "yes, but only half"). A word that is a yes elsewhere
    ("tak", "aiwa") is read in the language of the words around it."""
    words = set(_loose_words(text))
    # Common English words ("so", "men", "to") are read by the English vetoes, not here; and a
    # veto word counts only beside a word of its own language that English does not have, or
    # one of the language's words of assent ("ja ... bara").
    foreign = {w for w in words if not is_english(w)}
    for language in _languages():
        vetoes = (words - _ENGLISH_LOOKALIKES) & language.vetoes
        if vetoes and any(
            (w,) in language.strong or (w in language.own_words and w in foreign)
            for w in words - vetoes
        ):
            return language.name
    return None


@cache
def foreign_veto_words() -> frozenset[str]:
    """Every language's words of refusal, condition and limit that English does not have."""
    vetoes = frozenset().union(*(language.vetoes for language in _languages()))
    return vetoes - _ENGLISH_LOOKALIKES


def _loose_words(text: str) -> list[str]:
    """The text's words as keys, unspaced scripts left whole, with no check on what else is
    there."""
    return [_key(w) for w in _SPLIT.split(normalise(text)) if w and any(c.isalpha() for c in w)]


def _understood_in(text: str, terms: ProposalTerms, *, assenting: bool) -> str | None:
    words = _chunks(text, terms)
    if words is None:
        return None
    for language in _languages():
        if _covers(list(words), language, terms.action, assenting=assenting):
            return language.name
    return None
