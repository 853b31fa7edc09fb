"""Word lists for telling names from other capitalised words in support messages."""

from __future__ import annotations

import re

# Not names, although a cue or the NER says so: "Hi team", "Dear Sir", "Guten Tag", "Email ...".
NOT_NAMES = frozenset(
    """
    tel phone mobile email hi hello hey thanks cheers regards dear ref order refund parcel courier
    driver customer customers support team sir madam ma'am mr mrs ms dr there all everyone guys
    folks again sorry please ok okay yes no the and sure just still not very so really happy sad
    angry afraid waiting writing calling back subject from to re fwd
    guten tag buenos buenas días dias tardes bom dia salve goedemiddag goedendag bonsoir bonjour
    buongiorno hola hallo ciao
    """.split()
)
# A capitalised word before one of these is a company, street or place, not a person: "Globex
# Ltd", "Heathrow hub (Sat ...)" in a carrier's event, "Kiannon Street".
NOT_PERSON_AFTER = frozenset(
    """
    ltd limited inc llc plc gmbh ag sa sas srl bv nv corp corporation co company group bank
    university college school hospital hotel airport station terminal hub depot facility
    warehouse centre center office store shop mall market street st road rd avenue ave lane
    way drive boulevard square park bridge river lake mountain island county district province
    region city town village gateway sorting distribution
    """.split()
)
NAME_PARTICLES = frozenset("de van von der den da di le la del dos du bin al".split())

_ENGLISH = frozenset(
    "the and is my i you to of for it on was with have this not please can where what me be".split()
)
# Function words of the other languages we serve (de, es, fr, it, pt, nl).
_OTHER = frozenset(
    """
    der die das und ich ist nicht mein meine ein eine mit für auf wo kann bitte sie noch
    el los las que mi por pedido está gracias hola
    je mon est pas pour et une merci vous commande
    il che sono non della grazie ordine
    não meu minha obrigado encomenda
    het een niet mijn voor bestelling
    """.split()
)


def _function_words(text: str) -> tuple[int, int]:
    """How many English and how many German/Spanish/French/... function words the text has."""
    words = re.findall(r"[^\W\d_]+", text.casefold())
    return sum(w in _ENGLISH for w in words), sum(w in _OTHER for w in words)


def looks_english(text: str) -> bool:
    """Rough: more English than German/Spanish/French/... function words. spaCy's English NER
    tags capitalised nouns and greetings in those languages as people, so there we rely on cues."""
    english, other = _function_words(text)
    return english >= other


def clearly_english(text: str) -> bool:
    """More English function words than others, and at least one ("Geliefert am 3 März" has
    neither, so it is not)."""
    english, other = _function_words(text)
    return english > other
