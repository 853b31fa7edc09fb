"""Which of Presidio's candidate findings the scrubber acts on.

Presidio returns overlapping candidates from many recognizers, some of them on platform
identifiers (the ten digits of an AWB look like a phone number) and some of them wrong in ways
that matter here (spaCy's small English model calls "Email" in "Email the invoice" a person).
`resolve_findings` keeps plausible findings that do not touch a platform id, one per region.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.guardrails.name_words import (
    NAME_PARTICLES,
    NOT_NAMES,
    NOT_PERSON_AFTER,
    clearly_english,
    looks_english,
)
from app.guardrails.pii_types import PiiType
from app.guardrails.protected_ids import overlaps_any, protected_spans

if TYPE_CHECKING:
    from presidio_analyzer import RecognizerResult

# A phone number has at least this many digits (national numbers with area code: 9-12). Fewer
# are quantities, amounts or bare order numbers.
MIN_PHONE_DIGITS = 9
MIN_INTL_PHONE_DIGITS = 8
MIN_LOCAL_PHONE_DIGITS = 6  # "call 33 93 31": six digits, but the words say phone
_PHONE_CONTEXT = re.compile(
    r"\b(?:call|calling|phone|tel|telephone|mobile|cell|fax|office|desk|whats ?app|text me|sms|"
    r"ring|reach me|answering|contact|landline|handy|tel[eé]fono|t[eé]l[eé]phone|portable|"
    r"my number|mob|phone no|"
    r"telefon|telefoon|telemovel)\b",
    re.IGNORECASE,
)
_NOT_PHONE_CONTEXT = re.compile(
    r"\b(?:order|ref|reference|invoice|ticket|tracking|awb|sku|item|account|customer|id|no\.?|"
    r"qty|quantity|total|amount|ts|timestamp|time|epoch|created_at|updated_at|date|unix|size|"
    r"version|serial|batch|lot)\s*(?:number|no\.?|#|id)?\s*[\"']?\s*(?:[:=#]|is|was)?\s*[\"']?\s*$",
    re.IGNORECASE,
)
_TRIMMABLE = frozenset({PiiType.PERSON, PiiType.STREET_ADDRESS})
# When two findings overlap, the more specific type wins before the score is compared.
_PRIORITY = {
    PiiType.EMAIL_ADDRESS: 6,
    PiiType.IBAN_CODE: 5,
    PiiType.CREDIT_CARD: 5,
    PiiType.US_SSN: 4,
    PiiType.STREET_ADDRESS: 3,
    PiiType.PHONE_NUMBER: 2,
    PiiType.POSTCODE: 1,
    PiiType.PERSON: 0,
}


def resolve_findings(
    text: str, candidates: list[RecognizerResult], known_ids: Sequence[str] = ()
) -> list[RecognizerResult]:
    """Keeps plausible findings off platform ids (and off `known_ids`, the customer's own ids
    however written), one per overlapping region."""
    protected = protected_spans(text, known_ids)
    english = looks_english(text)
    plausible = [
        tidy
        for c in candidates
        if (trimmed := _outside(text, c, protected)) is not None
        and (tidy := _tidy(text, trimmed, english)) is not None
    ]
    merged = _merge_same_type(plausible)
    ranked = sorted(
        merged,
        key=lambda c: (-_PRIORITY[PiiType(c.entity_type)], -c.score, -(c.end - c.start), c.start),
    )
    kept: list[RecognizerResult] = []
    for candidate in ranked:
        # A name that spaCy ran into the next line's phone number keeps its name part.
        trimmed = _outside(text, candidate, [(k.start, k.end) for k in kept])
        if trimmed is not None:
            kept.append(trimmed)
    kept += _coordinated_names(text, kept, protected)
    return [_with_title(text, k, kept) for k in sorted(kept, key=lambda c: c.start)]


# A capitalised word listed with a name is a name: "our founders: Kovalev, Ivanova and
# Phillips", "Sousa and Lang were precision engineers". spaCy often finds one name of a list.
_LISTED_NAME = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:['’-][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)*"
_JOIN = r"(?:,[ \t]*|[ \t]+(?:and|&|or)[ \t]+|,[ \t]*(?:and|&)[ \t]+)"
_NAME_BEFORE = re.compile(rf"(?<![\w.])({_LISTED_NAME}){_JOIN}$")
_NAME_AFTER = re.compile(rf"^{_JOIN}({_LISTED_NAME})(?![\w])")


def _coordinated_names(
    text: str, kept: list[RecognizerResult], protected: Sequence[tuple[int, int]]
) -> list[RecognizerResult]:
    from presidio_analyzer import RecognizerResult

    names = [k for k in kept if k.entity_type == PiiType.PERSON.value]
    taken = [(k.start, k.end) for k in kept]
    found: list[RecognizerResult] = []
    while names:
        person = names.pop()
        for start, end in _neighbours(text, person.start, person.end):
            word = text[start:end]
            if (
                word.casefold() in NOT_NAMES
                or overlaps_any(start, end, [*taken, *protected])
                # At a sentence's start every word is capitalised: "However, Maria ...".
                or (_starts_sentence(text, start) and _is_english(word))
            ):
                continue
            listed = RecognizerResult(PiiType.PERSON.value, start, end, person.score)
            found.append(listed)
            names.append(listed)
            taken.append((start, end))
    return found


def _is_english(word: str) -> bool:
    from app.guardrails.name_gazetteer import name_gazetteer

    gazetteer = name_gazetteer()
    return gazetteer.is_english_word(word) and not gazetteer.is_first(word)


def _neighbours(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    if before := _NAME_BEFORE.search(text[max(0, start - 40) : start]):
        offset = max(0, start - 40)
        out.append((offset + before.start(1), offset + before.end(1)))
    if after := _NAME_AFTER.search(text[end : end + 40]):
        out.append((end + after.start(1), end + after.end(1)))
    return out


# "Mr. Martin", "Dr Okafor", "Frau Keller": the title goes with the name (it says who, and a
# left-over "Dr." beside a placeholder is half the name).
_TITLE_BEFORE = re.compile(
    r"(?<![\w.])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Sr|Sra|Srta|Mme|Mlle|Madame|"
    r"Monsieur|Signor|Signora|Sig|Sig\.ra)\.?[ \t]+$",
    re.IGNORECASE,
)


def _with_title(
    text: str, finding: RecognizerResult, kept: list[RecognizerResult]
) -> RecognizerResult:
    if finding.entity_type != PiiType.PERSON.value:
        return finding
    title = _TITLE_BEFORE.search(text, max(0, finding.start - 12), finding.start)
    if title and not overlaps_any(title.start(), finding.start, [(k.start, k.end) for k in kept]):
        finding.start = title.start()
    return finding


def _outside(
    text: str, finding: RecognizerResult, taken: list[tuple[int, int]]
) -> RecognizerResult | None:
    """The finding if it overlaps none of `taken`; for a name or address, the longest part of it
    outside them; otherwise None (a phone number made of an AWB's digits is dropped whole)."""
    if not overlaps_any(finding.start, finding.end, taken):
        return finding
    if PiiType(finding.entity_type) not in _TRIMMABLE:
        return None
    pieces: list[tuple[int, int]] = []
    cursor = finding.start
    for start, end in sorted(taken):
        if end <= finding.start or start >= finding.end:
            continue
        pieces.append((cursor, max(cursor, start)))
        cursor = max(cursor, end)
    pieces.append((cursor, finding.end))
    best = max(pieces, key=lambda p: _letters(text[p[0] : p[1]]))
    piece = text[best[0] : best[1]]
    stripped = piece.strip(" \n\t,;:-#/()")
    if _letters(stripped) < 2:
        return None
    finding.start = best[0] + piece.index(stripped)
    finding.end = finding.start + len(stripped)
    return finding


def _letters(value: str) -> int:
    return sum(ch.isalpha() for ch in value)


def _tidy(text: str, finding: RecognizerResult, english: bool) -> RecognizerResult | None:
    """The finding if it is plausible (names trimmed to their name words), else None."""
    match PiiType(finding.entity_type):
        case PiiType.PHONE_NUMBER:
            return finding if _plausible_phone(text, finding) else None
        case PiiType.PERSON:
            from_ner = (finding.recognition_metadata or {}).get("recognizer_name") == _SPACY
            if from_ner and not english:
                return None  # the English NER calls German nouns and greetings people
            if _before_not_person_word(text, finding.end):
                return None  # "Heathrow hub", "Globex Ltd": a place or a company
            return _tidy_name(text, finding, from_ner)
        case _:
            return finding


_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_]+)")


def _before_not_person_word(text: str, end: int) -> bool:
    following = _NEXT_WORD.match(text, end)
    return following is not None and following.group(1).casefold() in NOT_PERSON_AFTER


# An ISO date ("placed 2026-11-27") has a phone number's digit count and dashes.
_ISO_DATE = re.compile(r"\s*(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)")


def _plausible_phone(text: str, finding: RecognizerResult) -> bool:
    value = text[finding.start : finding.end]
    if _ISO_DATE.match(value):
        return False
    digits = sum(ch.isdigit() for ch in value)
    before = text[max(0, finding.start - 40) : finding.start]
    if "+" not in value and _NOT_PHONE_CONTEXT.search(before[-25:]):
        return False  # "order no. 5512345678", "ts": 1732451200
    short_shape = (finding.recognition_metadata or {}).get("recognizer_name") == _SHORT_PHONE
    if not short_shape and digits >= (MIN_INTL_PHONE_DIGITS if "+" in value else MIN_PHONE_DIGITS):
        return True
    # A short local number ("call me on 450 0840") counts only when the words around it say
    # phone.
    after = text[finding.end : finding.end + 15]
    return digits >= MIN_LOCAL_PHONE_DIGITS and bool(
        _PHONE_CONTEXT.search(before) or _PHONE_CONTEXT.search(after)
    )


_SPACY = "SpacyRecognizer"
# Grouped digits libphonenumber did not offer: a phone number only where the words say so.
_SHORT_PHONE = "ShortPhoneRecognizer"
# A trailing apostrophe belongs to the word: a transliterated soft sign ("Lazar' Bobylev") or a
# possessive ("James' address").
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*['’]?\.?")


def _tidy_name(text: str, finding: RecognizerResult, from_ner: bool) -> RecognizerResult | None:
    """Trims a PERSON finding to its name words, or drops it.

    The small English NER tags sentence-initial words ("Email the invoice"), JSON keys, runs a
    name into the next line ("Giulia Rossi\\n+1") and, in other languages, tags whole phrases. We
    keep its leading run of name-like words, capitalised, and a lone word only mid-sentence;
    sentence-initial first names come from the cue-based recognizer ("Hi Sam", "Sam here").
    """
    words: list[re.Match[str]] = []
    for word in re.finditer(r"\S+", text[finding.start : finding.end]):
        if not _NAME_WORD.fullmatch(word.group(0)):
            break
        words.append(word)
    while words and words[0].group(0).strip(".,").casefold() in NOT_NAMES:
        words.pop(0)
    while words and words[-1].group(0).strip(".,").casefold() in NOT_NAMES:
        words.pop()
    if not words:
        return None
    if from_ner:
        names = [w.group(0) for w in words if w.group(0).casefold() not in NAME_PARTICLES]
        if (
            words[0].group(0) not in names
            or words[-1].group(0) not in names
            or not all(n[0].isupper() and not n.isupper() for n in names)
            or any(n.strip(".").casefold() in NOT_NAMES for n in names)
        ):
            return None
        if (
            len(names) == 1
            and _starts_sentence(text, finding.start + words[0].start())
            and _capitalised_because_first(text, names[0].strip("."))
        ):
            return None
    base = finding.start
    finding.start = base + words[0].start()
    finding.end = base + words[-1].end()
    if text[finding.end - 1] == ".":
        finding.end -= 1  # "Zoe Clarke." is a name and a full stop
    return finding


def _capitalised_because_first(text: str, word: str) -> bool:
    """ "Email the invoice ...", "Geliefert am 3 März": a sentence's first word, capitalised
    because first. A word no English word list has, in English text, that the NER reads as a
    person stays a name ("Klimek shouted at ..."); in other languages only a known name does."""
    from app.guardrails.name_gazetteer import name_gazetteer

    gazetteer = name_gazetteer()
    if _is_english(word):
        return True
    return not clearly_english(text) and not (gazetteer.is_first(word) or gazetteer.is_last(word))


def _starts_sentence(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?:;\n-—>*•"


def _merge_same_type(findings: list[RecognizerResult]) -> list[RecognizerResult]:
    """Unions overlapping findings of one type (two address patterns matching different parts of
    the same address should scrub all of it)."""
    merged: list[RecognizerResult] = []
    for finding in sorted(findings, key=lambda f: (f.entity_type, f.start)):
        last = merged[-1] if merged else None
        if last and last.entity_type == finding.entity_type and finding.start < last.end:
            last.end = max(last.end, finding.end)
            last.score = max(last.score, finding.score)
        else:
            merged.append(finding)
    return merged
