"""Names that no cue announces and the small NER misses: "They had 6: Efimiya, Ariana, ...",
"Mehrudin shouted at Todd", "Maybe it's under Elita B Desaulniers".

A capitalised word that is a known first name (name_gazetteer.py) and that spaCy's tagger reads
as a noun starts a name; the capitalised words, initials and particles after it join it. A known
surname joins the name before it. Lower-case messages are read the same way only when the whole
message is lower case (there capitals carry no meaning), and then a word must be a known name
that no lorem list calls an ordinary word.
"""

from __future__ import annotations

import re

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from app.guardrails.name_gazetteer import name_gazetteer
from app.guardrails.name_words import NAME_PARTICLES, NOT_NAMES

# What the tagger calls the word: nouns, proper nouns and foreign words. "Will you ...",
# "Mark it as ..." are a modal and a verb, so they are not names.
_NOUN_TAGS = frozenset({"NNP", "NNPS", "NN", "NNS", "FW", "JJ", "UH"})
_INITIAL = re.compile(r"[A-Z]\.?")
_NAME_SHAPE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_MAX_WORDS = 4
# Above spaCy's 0.85: on the same span Presidio keeps this one, which the resolver trusts.
SCORE = 0.86


def _title(word: str) -> bool:
    return word[:1].isupper() and not word.isupper() and _NAME_SHAPE.fullmatch(word) is not None


class GazetteerNameRecognizer(LocalRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="GazetteerNameRecognizer")

    def load(self) -> None:
        name_gazetteer()  # build at start-up, not on the first customer's message

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if nlp_artifacts is None or nlp_artifacts.tokens is None:
            return []
        gazetteer = name_gazetteer()
        caseless = not any(ch.isupper() for ch in text)
        tokens = list(nlp_artifacts.tokens)
        results: list[RecognizerResult] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            word = token.text.title() if caseless else token.text
            starts = (
                (caseless or _title(token.text))
                and gazetteer.is_first(word)
                and token.tag_ in _NOUN_TAGS
                and token.text.casefold() not in NOT_NAMES
            )
            # A name that is also an English word ("Heather", "Pepper") needs a capital that is
            # not a sentence's and a proper-noun reading; in a lower-case message, never alone.
            ambiguous = starts and (
                gazetteer.is_english_word(word, caseless=caseless)
                or gazetteer.is_english_word(token.lemma_, caseless=caseless)
            )
            if ambiguous and (caseless or token.tag_ != "NNP" or _sentence_start(text, token.idx)):
                starts = False
            if not starts:
                i += 1
                continue
            end = i + 1
            while end < len(tokens) and end - i < _MAX_WORDS:
                nxt = tokens[end]
                if nxt.idx > tokens[end - 1].idx + len(tokens[end - 1].text) + 1:
                    break  # a line break or a wide gap ends the name
                if "\n" in tokens[end - 1].whitespace_:
                    break
                nxt_word = nxt.text.title() if caseless else nxt.text
                if nxt.text.casefold() in NOT_NAMES:
                    break
                if caseless:
                    joins = gazetteer.is_last(nxt_word) or gazetteer.is_first(nxt_word)
                else:
                    joins = (
                        (_title(nxt.text) and nxt.tag_ in _NOUN_TAGS)
                        or _INITIAL.fullmatch(nxt.text) is not None
                        or (
                            nxt.text in NAME_PARTICLES
                            and end + 1 < len(tokens)
                            and _title(tokens[end + 1].text)
                        )
                    )
                if not joins:
                    break
                end += 1
            # "J" alone at the end is the next sentence's "I", not an initial.
            while end - 1 > i and tokens[end - 1].text in NAME_PARTICLES:
                end -= 1
            start_char = token.idx
            last = tokens[end - 1]
            results.append(RecognizerResult("PERSON", start_char, last.idx + len(last.text), SCORE))
            if ambiguous and end == i + 1:
                i = end
                continue  # "Heather" alone stays; "Heather Smith" is a name
            i = end
        return results


def _sentence_start(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t\"'“‘(>")
    return not before or before[-1] in ".!?:;\n-—*•"
