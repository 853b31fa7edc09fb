"""First names and surnames from many countries, for recognising names no cue announces.

The lists are Faker's (MIT): the person providers of its ~90 locales, kept to names written in
Latin script (customers write to us in Latin script; placeholders are what the NER sees). They are
read once from the installed package rather than copied here, so an upgrade of Faker brings its
corrections. Words that are also ordinary words in the languages Faker's lorem lists cover ("Will",
"May", "Made", "Noble") are removed, since a capitalised sentence start would otherwise be a name.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache

from app.guardrails.name_words import NOT_NAMES

_NAME_ATTRIBUTES = (
    "first_names",
    "first_names_male",
    "first_names_female",
    "first_names_nonbinary",
    "last_names",
)
# English words that are also given names or surnames in Faker's lists and that customers write
# capitalised at the start of a sentence or in product names. Faker's lorem lists catch the rest.
_COMMON_WORDS = frozenset(
    """
    will may mark grant bill rose amber summer june april august hope faith joy art jack pat
    sandy holly ivy dale chase reed brown white green black gray grey young long short small
    love star king queen page price cash bank early hunter mason baker cook fisher carter
    miller porter parker turner taylor walker ward wood woods hill hills rich joy lane street
    way park case ray sunny crystal pearl ruby jade dawn sky river forest paris london sydney
    florence georgia virginia carolina austin dallas houston jordan chelsea troy lincoln
    apple guy don sun major law christian nike gap best max ace bo del sol van son day wade
    bell bird bond booth bush cross dean dole duke fox frank free gold good hall hart hay
    hope house job joiner knight lamb lord love mann march moon moore more nash new noble
    north south east west page pike pope post rice rock rose row royal sage salt sharp shaw
    silver small snow stone strong swift tan thorn tower tree vale victor wall waters wells
    wise wolf worth wren young made lago ole ana bel ben ivo lou mia rene roy lee sam tom
    dan ken bob jim tim joe sue ann """.split()
) - {"ana", "ben", "lee", "sam", "tom", "dan", "ken", "bob", "jim", "tim", "joe", "sue", "ann"}


@dataclass(frozen=True)
class NameGazetteer:
    first: frozenset[str]
    last: frozenset[str]
    # Names that are also English verbs, adjectives or adverbs ("Will", "Mark", "Rush"), and
    # those that are English nouns ("Heather", "Pepper", "Miles"; also "John", "Teresa").
    english: frozenset[str]
    english_nouns: frozenset[str]

    def is_english_word(self, word: str, *, caseless: bool = False) -> bool:
        folded = word.casefold()
        return folded in self.english or (caseless and folded in self.english_nouns)

    def is_first(self, word: str) -> bool:
        return word in self.first

    def is_last(self, word: str) -> bool:
        return word in self.last


def _latin(word: str) -> bool:
    return all(ch in "'’- " or "LATIN" in unicodedata.name(ch, "") for ch in word)


def _lorem_words() -> set[str]:
    """Common words of every language Faker has a lorem list for (lower case)."""
    import faker.providers.lorem as lorem

    words: set[str] = set()
    for module in pkgutil.iter_modules(lorem.__path__):
        provider = importlib.import_module(f"{lorem.__name__}.{module.name}").Provider
        for word in getattr(provider, "word_list", ()):
            if isinstance(word, str):
                words.add(word.casefold())
    return words


def _place_words() -> set[str]:
    """Countries, languages and currencies ("France", "French", "Euro"): Faker lists a few of
    them as given names, customers write them far more often as what they are."""
    import pycountry

    # Countries word by word ("United", "Kingdom"); of the languages only the major ones (those
    # with a two-letter code: pycountry's ~7,900 also name "Santa Teresa Cora"); single-word
    # currencies.
    names = [c.name for c in pycountry.countries]
    names += [lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")]
    names += [c.name for c in pycountry.currencies if " " not in c.name]
    words: set[str] = set()
    for name in names:
        for word in re.findall(r"[^\W\d_]+", name):
            words.add(word.casefold())
            words.add(word.casefold() + "s")
    return words


def _load() -> NameGazetteer:
    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        if not module.ispkg:
            continue
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attribute in _NAME_ATTRIBUTES:
            values = getattr(provider, attribute, ())
            if not isinstance(values, (list, tuple, dict, set, frozenset)):
                continue  # some locales compute these (a property), others list them
            target = last if attribute == "last_names" else first
            target.update(
                v
                for v in values
                if isinstance(v, str) and len(v) > 1 and " " not in v and _latin(v)
            )
    common = _lorem_words() | _COMMON_WORDS | NOT_NAMES | _place_words()
    first_names = frozenset(n for n in first if n.casefold() not in common)
    last_names = frozenset(n for n in last if n.casefold() not in common)
    nouns, others = _english_words()
    return NameGazetteer(
        first=first_names,
        last=last_names,
        english=frozenset(others),
        english_nouns=frozenset(nouns),
    )


def _english_words() -> tuple[set[str], set[str]]:
    """The base words of spaCy's English lemmatizer tables (WordNet's): nouns, and verbs,
    adjectives and adverbs. The noun table also holds famous people ("john", "teresa"), so a
    capitalised name is doubted only for the other tables; a lower-case one for all of them."""
    import spacy

    from app.guardrails.pii import spacy_model_dir

    nlp = spacy.load(spacy_model_dir(), exclude=["tok2vec", "tagger", "parser", "ner", "senter"])
    lookups = nlp.get_pipe("lemmatizer").lookups
    index = lookups.get_table("lemma_index")
    # Irregular forms too ("said", "went", "children"): their base is in the index, they are not.
    irregular = lookups.get_table("lemma_exc")
    nouns = set(index.get("noun", ())) | set(irregular.get("noun", {}))
    others = {
        word
        for pos in ("verb", "adj", "adv")
        for word in (*index.get(pos, ()), *irregular.get(pos, {}))
    }
    return nouns, others


_lock = threading.Lock()


@cache
def name_gazetteer() -> NameGazetteer:
    """Built on first use (~1.5 s: Faker's modules are imported once)."""
    with _lock:
        return _load()
