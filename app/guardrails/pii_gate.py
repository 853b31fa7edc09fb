"""Which texts the full Presidio pipeline (spaCy NER and every recognizer) can find PII in.

Most front-door messages are a question about an order ("Where is my order ORD-1000042?"): no
digits outside platform ids, no '@', no capitalised word that could be a name. For those the
pipeline's answer is known in advance: nothing. This is what the recognizers and the finding
rules (findings.py) require, read off them:

- every type but PERSON needs a digit (phone, card, IBAN, SSN, house number, postcode, P.O. box,
  unit number) or an '@' (email); findings inside platform ids are dropped anyway;
- a PERSON finding survives only with a capitalised, not all-caps word that is not one of
  NOT_NAMES (both the NER's and the cue-based recognizer's names); a lone NER name at the start
  of a sentence is dropped, and the cues that take one there ("Sam here", a letterhead above an
  address) need a word after it or a digit below it; a known first name (the gazetteer's) is a
  name there too;
- a lower-case message holds a name only after a cue (LOWER_NAME_CUE) or as a known first name.

`might_contain_pii(text)` is False only when none of this can hold; tests/test_pii_gate.py checks
it against the full pipeline on every text of the PII sets.
"""

from __future__ import annotations

import re

from app.guardrails.name_gazetteer import name_gazetteer
from app.guardrails.name_words import NOT_NAMES
from app.guardrails.protected_ids import protected_spans
from app.guardrails.recognizers import LOWER_NAME_CUE, WEAK_NAME_CUE

_AT = frozenset("@＠﹫")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_TOKEN = re.compile(r"\S+")
# Where a sentence starts for this gate: the text's start, or after . ! ? and a space.
_SENTENCE_END = re.compile(r"[.!?]\s+$")
# "Dr. Shaw": the full stop of a title ends no sentence.
_TITLE_END = re.compile(r"\b(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sr|Sra|Srta|Mme|Mlle)\.\s+$", re.IGNORECASE)
_HERE = re.compile(r"\s+here\b", re.IGNORECASE)


def might_contain_pii(text: str) -> bool:
    spans = protected_spans(text)
    if spans:
        # Platform ids carry digits and capitals of their own; no finding is kept inside one.
        pieces, last = [], 0
        for start, end in sorted(spans):
            pieces.append(text[last:start])
            pieces.append(" " * (end - start))
            last = max(last, end)
        pieces.append(text[last:])
        text = "".join(pieces)
    if any(ch in _AT or ch.isdigit() for ch in text):
        return True
    if LOWER_NAME_CUE.search(text) or WEAK_NAME_CUE.search(text):
        return True
    if not any(ch.isupper() for ch in text):
        gazetteer = name_gazetteer()
        if any(gazetteer.is_first(w.group(0).title()) for w in _WORD.finditer(text)):
            return True
    for token in _TOKEN.finditer(text):
        if _could_be_name(token.group(0)) and not _sentence_initial(
            text, token.start(), token.end()
        ):
            return True
    for word in _WORD.finditer(text):
        if _could_be_name(word.group(0)) and not _sentence_initial(text, word.start(), word.end()):
            return True
    return False


def _could_be_name(word: str) -> bool:
    return word[0].isupper() and not word.isupper() and word.strip(".,").casefold() not in NOT_NAMES


def _sentence_initial(text: str, start: int, end: int) -> bool:
    """A capitalised first word that no rule can keep as a name on its own (a known first name
    can: "Jennifer is very reliable")."""
    before = text[:start]
    at_start = not before.strip() or (
        _SENTENCE_END.search(before) is not None and _TITLE_END.search(before) is None
    )
    if not at_start or _HERE.match(text, end) is not None:
        return False
    return not name_gazetteer().is_first(text[start:end].strip(".,;:!?\"'"))
