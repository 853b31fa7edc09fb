"""Names that neither a cue, the small NER nor the first-name gazetteer finds: "the courier left
a note for Piitaambr Khtrii", "Schiavone and Lowery were precision engineers", "starring Cavazos".

A name is judged by its shape and by what it is not, so that names from lists we do not have
(Armenian, Tamil, Yoruba ...) are found as well as Faker's:
- two to four adjacent capitalised words, each a known first name or surname or a word no
  English dictionary has (spaCy's WordNet lemma tables), none of them a greeting or other
  NOT_NAMES word, the run not a town or region (place_names.py) and not followed by a word
  that makes it a company, street or depot ("Globex Ltd", "Kiannon Street", "Heathrow hub");
- one such word alone, mid-sentence, when it is a known surname ("starring Cavazos") or it
  stands in a list with a known name ("Schiavone and Lowery", "Jan, Malon, Victor and Ana").
In text that is not English (capitalised German nouns, Spanish place names) a run needs at least
one word from the gazetteer: there "no English dictionary has it" says nothing.
"""

from __future__ import annotations

import re
from functools import cache

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from app.guardrails.name_gazetteer import NameGazetteer, name_gazetteer
from app.guardrails.name_words import NAME_PARTICLES, NOT_NAMES, NOT_PERSON_AFTER, looks_english
from app.guardrails.place_names import is_place, place_names

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_LIST_JOINERS = re.compile(r"^(?:,\s*|\s+(?:and|&|or|und|et|y|e|en)\s+|,\s*(?:and|&|or)\s+)$")
_MAX_RUN = 4
SCORE = 0.86


def _title(word: str) -> bool:
    return word[:1].isupper() and not word.isupper() and len(word) > 1


@cache
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _english(gazetteer: NameGazetteer, word: str) -> bool:
    folded = word.casefold()
    if folded in _stop_words() or gazetteer.is_english_word(word, caseless=True):
        return True
    # Plurals and verb forms the lemma index lists only in their base form.
    for suffix, replacement in _INFLECTIONS:
        if folded.endswith(suffix) and len(folded) - len(suffix) > 2:
            base = folded[: len(folded) - len(suffix)] + replacement
            if gazetteer.is_english_word(base, caseless=True):
                return True
    return False


# "difficulties" -> "difficulty", "having" -> "have", "boxes" -> "box", "parcels" -> "parcel".
_INFLECTIONS = (
    ("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
    ("er", ""), ("ly", ""),
)  # fmt: skip


def _known_name(gazetteer: NameGazetteer, word: str) -> bool:
    return gazetteer.is_first(word) or gazetteer.is_last(word)


def _name_like(gazetteer: NameGazetteer, word: str) -> bool:
    if not _title(word) or word.casefold() in NOT_NAMES or word.casefold() in NOT_PERSON_AFTER:
        return False
    return _known_name(gazetteer, word) or not _english(gazetteer, word)


class NameSequenceRecognizer(LocalRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="NameSequenceRecognizer")

    def load(self) -> None:
        name_gazetteer()
        place_names()

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        gazetteer = name_gazetteer()
        english = looks_english(text)
        words = list(_WORD.finditer(text))
        spans: list[tuple[int, int]] = []
        spans += _runs(text, words, gazetteer, english)
        if english:
            spans += _single_names(text, words, gazetteer)
        return [RecognizerResult("PERSON", start, end, SCORE) for start, end in spans]


def _adjacent(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    gap = text[left.end() : right.start()]
    # "Lazar' Bobylev": a transliterated soft sign ends the first word.
    return gap in (" ", "  ", "\t", "' ", "’ ") or (gap == ". " and len(left.group(0)) == 1)


def _runs(
    text: str, words: list[re.Match[str]], gazetteer: NameGazetteer, english: bool
) -> list[tuple[int, int]]:
    """Two to four adjacent name-like words (particles and initials may sit between)."""
    spans = []
    i = 0
    while i < len(words):
        if not _name_like(gazetteer, words[i].group(0)):
            i += 1
            continue
        members = [i]
        j = i + 1
        while (
            j < len(words) and len(members) < _MAX_RUN and _adjacent(text, words[j - 1], words[j])
        ):
            word = words[j].group(0)
            if _name_like(gazetteer, word) or (len(word) == 1 and word.isupper()):
                members.append(j)
            elif word in NAME_PARTICLES and j + 1 < len(words):
                pass  # "Ludwig van Beethoven": kept only if a name word follows
            else:
                break
            j += 1
        # Trailing initials or particles are the next sentence's, not the name's.
        while len(members) > 1 and len(words[members[-1]].group(0)) == 1:
            members.pop()
        names = [words[k].group(0) for k in members if len(words[k].group(0)) > 1]
        if len(names) >= 2 and _plausible_run(text, words, members, names, gazetteer, english):
            spans.append((words[members[0]].start(), words[members[-1]].end()))
        i = members[-1] + 1
    return spans


def _plausible_run(
    text: str,
    words: list[re.Match[str]],
    members: list[int],
    names: list[str],
    gazetteer: NameGazetteer,
    english: bool,
) -> bool:
    start, end = words[members[0]].start(), words[members[-1]].end()
    if is_place(text[start:end]) or any(
        is_place(n) and not _known_name(gazetteer, n) for n in names
    ):
        return False
    following = members[-1] + 1
    if following < len(words) and words[following].group(0).casefold() in NOT_PERSON_AFTER:
        if text[words[members[-1]].end() : words[following].start()].strip() == "":
            return False
    known = sum(_known_name(gazetteer, n) for n in names)
    return known >= 1 or english


def _single_names(
    text: str, words: list[re.Match[str]], gazetteer: NameGazetteer
) -> list[tuple[int, int]]:
    """One capitalised word mid-sentence: a known surname, or a member of a list of names."""
    spans = []
    candidates = [
        k
        for k, word in enumerate(words)
        if _name_like(gazetteer, word.group(0))
        and not _sentence_start(text, word.start())
        and not is_place(word.group(0))
        and not _before_not_person(text, words, k)
    ]
    listed = _listed_with_name(text, words, candidates, gazetteer)
    for k in candidates:
        word = words[k].group(0)
        if k in listed or (gazetteer.is_last(word) and not _english(gazetteer, word)):
            spans.append(words[k].span())
    return spans


def _listed_with_name(
    text: str, words: list[re.Match[str]], candidates: list[int], gazetteer: NameGazetteer
) -> set[int]:
    """Candidates in a list ("A, B and C") of which at least one member is a known name."""
    chosen = set(candidates)
    groups: list[list[int]] = []
    for k in candidates:
        if (
            groups
            and groups[-1][-1] == k - 1
            and _LIST_JOINERS.match(text[words[k - 1].end() : words[k].start()])
        ):
            groups[-1].append(k)
        else:
            groups.append([k])
    listed: set[int] = set()
    for group in groups:
        if len(group) >= 2 and any(_known_name(gazetteer, words[k].group(0)) for k in group):
            listed.update(k for k in group if k in chosen)
    return listed


def _before_not_person(text: str, words: list[re.Match[str]], k: int) -> bool:
    if k + 1 >= len(words):
        return False
    gap = text[words[k].end() : words[k + 1].start()]
    return gap.strip() == "" and words[k + 1].group(0).casefold() in NOT_PERSON_AFTER


def _sentence_start(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t\"'“‘(>")
    return not before or before[-1] in ".!?:;\n-—–*•"
