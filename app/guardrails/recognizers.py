"""The Presidio recognizers the scrubber runs, configured for support messages.

Presidio's defaults miss what customers type most (international phone numbers in fictional or
newly allocated ranges, street addresses) and run dozens of country recognizers we do not need, so
the registry is built explicitly from this list.
"""

from __future__ import annotations

import re

from presidio_analyzer import (
    EntityRecognizer,
    LocalRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UsSsnRecognizer,
)

from app.guardrails.address_blocks import InternationalAddressRecognizer
from app.guardrails.gazetteer_names import GazetteerNameRecognizer
from app.guardrails.name_sequences import NameSequenceRecognizer
from app.guardrails.name_words import NOT_NAMES

# Regions whose national formats (no +country prefix) we parse; numbers written with a '+' are
# parsed whatever the list. Each region costs one matcher pass (~0.1 ms).
PHONE_REGIONS = ("US", "GB", "IE", "DE", "FR", "ES", "IT", "NL", "BE", "PT", "AT", "CH")

_UP = "A-ZÀ-ÖØ-Þ"
_LO = "a-zß-öø-ÿ"
_CAP_WORD = rf"[{_UP}][\w'’.-]*"  # a capitalised word: "Baker", "O'Neill", "St."
_NO_WORD_BEFORE = r"(?<![\w-])"

_EN_STREET_TYPES = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Close|"
    "Crescent|Cres|Terrace|Ter|Square|Sq|Parkway|Pkwy|Highway|Hwy|Gardens|Gdns|Grove|Mews"
)
# Street types that are also ordinary words in product names ("2 Green Park bags", "3 Milky Way
# bars"): they count only with a city or postcode after them.
_EN_WEAK_STREET_TYPES = (
    "Way|Row|Hill|Walk|Circle|Cir|Trail|Park|Green|Parade|Wharf|Quay|Embankment|Rise|Vale|Yard|"
    "Alley"
)
_UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})"
_US_ZIP = r"(?:\d{5}(?:-\d{4})?)"
_EU_POSTCODE = (
    r"(?:\d{4}\s?[A-Z]{2}|\d{4,5}(?:-\d{3})?)"  # NL "1015 CJ", DE/FR/ES/IT, PT "1100-148"
)
_CITY_WORD = rf"[{_UP}][{_LO}'’]+"  # letters only, so "London NW1 6XE" leaves the postcode
_CITY = rf"{_CITY_WORD}(?:[\s-]{_CITY_WORD}){{0,2}}"
_UNIT = r"(?:Flat|Apt|Apartment|Unit|Suite|Ste|Floor|Room)\.?\s*#?\s*[\w-]{1,6}"

_EN_HOUSE_AND_STREET = (
    rf"(?:{_UNIT},?\s+)?{_NO_WORD_BEFORE}\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,5}}[A-Za-z]?)?,?\s+"
    rf"(?:{_CAP_WORD}\s+){{1,4}}"
)
_EN_TAIL_POSTCODE = rf"(?:[A-Z]{{2}}\s+{_US_ZIP}|{_UK_POSTCODE}|{_US_ZIP}(?:\s+{_CITY})?)"
# "Flat 3, 221B Baker Street NW, London NW1 6XE" / "742 Evergreen Terrace, Springfield, IL 62704"
_EN_ADDRESS = (
    rf"{_EN_HOUSE_AND_STREET}(?i:{_EN_STREET_TYPES})\b\.?"
    r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
    rf"(?:,?\s*{_UNIT})?"
    rf"(?:,\s*{_CITY})?"
    rf"(?:,?\s*{_EN_TAIL_POSTCODE})?"
)
# "5 Kestrel Way, Norwich NR4 6HG": a weak street type needs the city or postcode.
_EN_WEAK_ADDRESS = (
    rf"{_EN_HOUSE_AND_STREET}(?i:{_EN_WEAK_STREET_TYPES})\b"
    rf"(?:,?\s*{_UNIT})?"
    rf"(?:,\s*{_CITY}(?:,?\s*{_EN_TAIL_POSTCODE})?|,?\s*{_EN_TAIL_POSTCODE})"
)
# "Hauptstraße 12, 10115 Berlin" / "Keizersgracht 123, 1015 CJ Amsterdam" / "Berliner Str. 5a"
_DE_NL_SUFFIXES = (
    "straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|straat|laan|gracht|"
    "plein|kade|singel|dijk|steeg"
)
_DE_NL_ADDRESS = (
    rf"{_NO_WORD_BEFORE}(?:{_CITY_WORD}\s+)?"
    rf"(?:[{_UP}][\w'-]*?(?:{_DE_NL_SUFFIXES})|Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse)"
    r"\s+\d{1,4}\s?[a-zA-Z]?(?![\w])"
    rf"(?:,?\s*{_EU_POSTCODE}\s+{_CITY})?"
)
# "12 rue de la Paix, 75002 Paris" / "5 bis avenue Victor Hugo"
_FR_ADDRESS = (
    rf"{_NO_WORD_BEFORE}\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+"
    r"(?i:rue|avenue|av\.|boulevard|bd|place|chemin|allée|allee|impasse|quai|cours|route|passage)"
    r"\s+(?:(?:de|du|des|la|le|l'|d'|l’|d’)\s*)*"
    rf"{_CAP_WORD}(?:\s+(?:de|du|des|la|le|{_CAP_WORD})){{0,4}}"
    rf"(?:,?\s*\d{{5}}\s+{_CITY})?"
)
# "Calle Mayor 5, 3º B, 28013 Madrid" / "Via Roma 10, 00184 Roma" /
# "Rua Augusta 27, 1100-048 Lisboa"
_ES_IT_PT_ADDRESS = (
    rf"{_NO_WORD_BEFORE}(?:Calle|C/|Avenida|Avda\.?|Paseo|Plaza|Carrer|Camino|Via|Viale|Corso|"
    r"Piazza|Vicolo|Largo|Rua|Travessa|Praça|Estrada)\s+"
    r"(?:(?:de|del|della|delle|dei|degli|di|da|das|do|dos|la|las|los|el)\s+)*"
    rf"{_CAP_WORD}(?:\s+(?:de|del|di|da|do|{_CAP_WORD})){{0,3}},?\s*"
    r"(?:n\.?\s?º?\s*|nº\s*|n°\s*)?\d{1,4}[a-zA-Z]?(?![\w])"
    r"(?:,?\s*\d{1,2}\s?[º°ª]?\s?[A-Za-z]?(?=,))?"
    rf"(?:,?\s*{_EU_POSTCODE}\s+{_CITY})?"
)
_PO_BOX = r"(?i:P\.?\s?O\.?\s?Box)\s+\d{1,6}"
# US military and diplomatic mail: "PSC 1437, Box 3833 APO AA 66791", "USNS Comfort FPO AE 09512"
_MILITARY = (
    r"\b(?:(?:PSC|Unit|CMR)\s+\d{3,5},?\s+Box\s+\d{1,5}|US(?:NS|NV|S|CGC)\s+[A-Z][\w-]+)"
    r"(?:,?\s*[AFD]PO\s+A[AEP]\s+\d{5})?"  # the line break is part of the block
)
# "Apt. 4B", "Suite 282" on their own (inside a full address they are part of it)
_UNIT_ONLY = r"\b(?:Apt|Apartment|Suite|Ste|Flat)\.?\s*#?\d{1,5}[A-Za-z]?\b"


def address_recognizer() -> PatternRecognizer:
    return PatternRecognizer(
        supported_entity="STREET_ADDRESS",
        name="StreetAddressRecognizer",
        patterns=[
            Pattern("en_house_number_street", _EN_ADDRESS, 0.6),
            Pattern("en_house_number_weak_street", _EN_WEAK_ADDRESS, 0.6),
            Pattern("de_nl_street_number", _DE_NL_ADDRESS, 0.6),
            Pattern("fr_number_street", _FR_ADDRESS, 0.6),
            Pattern("es_it_pt_street_number", _ES_IT_PT_ADDRESS, 0.6),
            Pattern("po_box", _PO_BOX, 0.6),
            Pattern("military_mail", _MILITARY, 0.6),
            Pattern("unit_number", _UNIT_ONLY, 0.4),
        ],
        # Capitalisation carries meaning here (street names); the default flags ignore case.
        global_regex_flags=re.MULTILINE,
    )


def postcode_recognizer() -> PatternRecognizer:
    """A postcode on its own ("my postcode is NW1 6XE"); inside an address it is part of that."""
    us_states = (
        "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
        "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
    )
    return PatternRecognizer(
        supported_entity="POSTCODE",
        name="PostcodeRecognizer",
        patterns=[
            Pattern("uk_postcode", rf"\b{_UK_POSTCODE}\b", 0.5),
            Pattern("us_state_zip", rf"\b(?:{us_states})\s+{_US_ZIP}\b", 0.5),
            Pattern(
                "postcode_after_keyword",
                # Variable-width look-behind (Presidio matches with the `regex` module): the
                # keyword stays readable, only the code is replaced.
                r"(?<=(?i:post\s?code|postal code|zip(?:\s?code)?|PLZ|code postal|CAP|CP)"
                r"\s*(?:is|:)?\s*)"
                rf"(?:{_UK_POSTCODE}|{_EU_POSTCODE}|{_US_ZIP})\b",
                0.5,
            ),
        ],
        global_regex_flags=re.MULTILINE,
    )


# Each continuation starts with a separator or a capital ("O'Neill", "McCathie", "Hans-Peter"):
# written as "['’-]?[A-Z]?[a-z]+" it could split a long word in 2^n ways, and the cues that
# fail after it (" here") backtracked through them all (~85 ms on a 4,000-char message).
# A trailing apostrophe (a transliterated soft sign: "Lazar' Bobylev") stays with its word, so
# the surname after it is still part of the name; never before an "s" ("Sam's").
_NAME_WORD = (
    rf"[{_UP}](?:[{_LO}]+|['’][{_UP}][{_LO}]+)(?:['’-][{_UP}]?[{_LO}]+|[{_UP}][{_LO}]+)*"
    r"(?:['’](?=[ \t]))?"
)
_NAME_PARTICLE = r"(?:de|van|von|der|den|da|di|le|la|del|dos|du|bin|al)"
_NAME = rf"({_NAME_WORD}(?:\s+(?:{_NAME_PARTICLE}\s+)*{_NAME_WORD}){{0,2}})"
_NAME_CUES = (
    # "my name is Maria Lopez", "Name: Tom Baker", "deliver to Priya Shah"
    re.compile(
        r"(?i:\bmy name is|\bmy name's|\bfull name\s*[:=]|\bname\s*[:=]|\brecipient\s*(?:is|[:=])"
        r"|\baddressee\s*(?:is|[:=])|\bdeliver(?:ed)? to|\baddressed to|\bask for|\bsigned"
        r"|\bon behalf of|\b(?:account|card) ?holder\s*(?:is|[:=])?|\bcall me|\bi'm|\bi am"
        r"|\bthis is)\s+" + _NAME
    ),
    # Greetings and "<name> here": "Hi Sam", "Thanks, Priya", "Oliver Grant here."
    re.compile(
        r"(?i:\b(?:hi|hello|hey|dear|thanks|thank you|cheers|hola|bonjour|hallo|ciao|ol[aá]|hoi)),?"
        r"[ \t]+" + _NAME
    ),
    re.compile(_NAME + r"[ \t]+here\b"),
    # "Mr Smith", "Mrs. Okafor", "Frau Keller", "Sra. Ruiz"
    re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|Sr|Sra|Srta|Mme|Mlle)\.?\s+" + _NAME),
    # Introductions in the other languages we serve: "soy", "je m'appelle", "ich heiße" ...
    re.compile(
        r"(?i:\bme llamo|\bmi nombre es|\bsoy|\bje m'appelle|\bje m’appelle|\bmon nom est|"
        r"\bich hei(?:ß|ss)e|\bmein name ist|\bhier ist|\bmi chiamo|\bil mio nome è|\bsono|"
        r"\bchamo-me|\bo meu nome é|\bmeu nome é|\bik ben|\bmijn naam is|\bik heet|\bc'est|"
        r"\bc’est|\bich bin|\bconsignee\s*[:=]?|\bdestinataire\s*[:=]?|\bempfänger\s*[:=]?)\s+"
        + _NAME
    ),
    # "Moin! Bin Archil Gabunia": German drops the "ich" at the start of a sentence.
    re.compile(r"(?:^|[.!?][ \t]+)(?:Bin|bin)[ \t]+" + _NAME, re.MULTILINE),
    # Left with someone: "dejó el paquete con Chipo Mutasa", "laissé avec Awa Ndiaye" (capitals
    # only, and never a carrier's name).
    re.compile(
        r"\b(?:con|avec|com|junto a|chez)[ \t]+(?!(?:Correos|Colissimo|Chronopost|Seur|Nacex|"
        r"Hermes|Amazon|Fedex|FedEx|La Poste|Poste|Mondial|Relais|Evri|Bpost|Ctt|Dhl|Ups)\b)"
        + _NAME
    ),
    # The addressee just before an address: "Again: Zephyrine Quackenbush, 42 Quillfeather
    # Lane", "Bitte an Gunhild Zwirbelmeier, Quarkstraße 17", "send it to Ana Dias, Rua ...".
    re.compile(
        r"(?:^|[:;>]\s*|(?i:\b(?:to|an|à|a|para|per|c/o|attn:?|attention:?|for|from|von|de))\s+)"
        rf"({_NAME_WORD}(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)*{_NAME_WORD}){{1,3}})"
        r"(?=[ \t]*[,\n][ \t]*(?:[^\W\d_][\w.'’-]*[ \t]+){0,4}\d{1,5}(?:\b|[A-Za-z]\b))",
        re.MULTILINE,
    ),
    # A letterhead: the name alone on the first line, the street address below it.
    re.compile(
        r"\A\s*" + _NAME + r"[ \t]*\n(?=[ \t]*(?:\d|Flat|Apt|Apartment|Unit|Suite|P\.?O\.? Box))"
    ),
    # Sign-off on its own line: "Kind regards,\nMaria Lopez"
    re.compile(
        r"(?i:regards|thanks|thank you|cheers|best|sincerely|best wishes|many thanks|yours)"
        r",?\s*\n?\s*(?:-{1,2}\s*)?" + _NAME + r"\s*$",
        re.MULTILINE,
    ),
)


# Lower-case introductions ("my name is priya raghunathan and i ..."): the cue is strong enough
# that the words after it are the name, up to the first function word.
LOWER_NAME_CUE = re.compile(
    r"(?i:\bmy name is|\bmy name's|\bmy full name is|\bcall me|\bname\s*:|\bmaiden name is|"
    r"\b(?:his|her|their|[a-z]+'s) name is|\b(?:partner|husband|wife|mum|mom|dad|son|daughter)'s "
    r"name|\bnamed (?:him|her|them)|\b(?:mr|mrs|ms|dr|prof)\.?)\s+"
    r"([^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*){0,2})"
)


def _lower_case_name(text: str) -> list[tuple[int, int]]:
    from spacy.lang.en.stop_words import STOP_WORDS

    spans = []
    for match in LOWER_NAME_CUE.finditer(text):
        words = []
        for word in re.finditer(r"\S+", match.group(1)):
            if word.group(0).casefold() in STOP_WORDS or word.group(0).casefold() in NOT_NAMES:
                break
            words.append(word)
        if words:
            spans.append((match.start(1) + words[0].start(), match.start(1) + words[-1].end()))
    return spans


# Weaker cues, often typed in lower case ("hey its maja todorovski again", "the name on the
# door is kwabena owusu", "signed by eluned pritchard"): what follows is a name only while its
# words are known names or words no English dictionary has (checked in _weakly_cued_names).
WEAK_NAME_CUE = re.compile(
    r"(?i:\b(?:it'?s|it’s|i'?m|i’m|im|this is|name on the (?:door|bell|buzzer|box|parcel|"
    r"package|label|letterbox|mailbox) is|signed by|signed for by|(?:left|given) (?:it )?"
    r"(?:with|to)|neighbou?r|husband|wife|sister|brother|son|daughter|mum|mom|dad|partner|"
    r"friend|colleague|"
    # Said by or to someone: "says björklund", "follow up with tracy wiśniewska", "add tammy
    # gyarmathy as guardian".
    r"says|said|asked|told|tells|replied|wrote|(?:follow(?:ed)? up|speak|spoke|talk|talked|"
    r"check|checked) with|(?:speak|spoke|talk|talked|write|wrote|reply|replied) to|add|added))"
    r"[ \t]+([^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*){0,2})"
)
# Cues after a name: "Klimek shouted at ...", "Gregorina's address", "Vittore, can I speak to
# your boss?" (a name addressed at the start). The words before the cue count as a name only
# while they are known names or words no English dictionary has.
_NAME_BEFORE_CUE = re.compile(
    r"(?:'s|’s)[ \t]+(?:address|addresses|house|flat|apartment|place|phone|number|mobile|email|"
    r"account|parcel|package|order|name|daughter|son|wife|husband|mother|mum|mom|father|dad|"
    r"brother|sister|partner|boss|friend|neighbou?r|birthday)\b"
    r"|[ \t]+(?:said|says|shouted|asked|told|replied|wrote|texted|emailed|messaged|rang|called)\b"
    r"|^[ \t]*(?P<addressed>[^\W\d_][\w'’-]{1,20}),[ \t]+"
    r"(?=(?:can|could|would|will|please|do|did|are|is|have|i)\b)",
    re.MULTILINE,
)
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’-]*)[ \t]*$")
_LONGEST_WORD = 64


def _titled(value: str) -> str:
    return value[:1].upper() + value[1:]


def _overlapping(cue: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Every match, the next searched from where this one's words begin: in "it says it was
    given to sumn shrmaa", "says" takes "it was given" and "given to" still takes the name."""
    matches = []
    position = 0
    while (match := cue.search(text, position)) is not None:
        matches.append(match)
        position = match.start(1)
    return matches


def _weakly_cued_names(text: str) -> list[tuple[int, int]]:
    from app.guardrails.name_gazetteer import name_gazetteer
    from app.guardrails.name_sequences import _english, _known_name

    gazetteer = name_gazetteer()
    spans = []
    for match in _overlapping(WEAK_NAME_CUE, text):
        words = []
        for word in re.finditer(r"\S+", match.group(1)):
            value = word.group(0).strip(",.;:!?")
            known = _known_name(gazetteer, _titled(value))
            # A verb or adjective ends it even when it is somebody's name ("said", "Will").
            verb_like = gazetteer.is_english_word(value)
            if (
                value.casefold() in NOT_NAMES
                or verb_like
                or (not known and _english(gazetteer, value))
            ):
                break
            words.append((word, known))
        # Two words, or one known first name: "its maja" yes, "its late" no.
        if len(words) >= 2 or (
            words and gazetteer.is_first(words[0][0].group(0).strip(",.;:!?").title())
        ):
            first, last = words[0][0], words[-1][0]
            end = match.start(1) + last.start() + len(last.group(0).rstrip(",.;:!?"))
            spans.append((match.start(1) + first.start(), end))
    return spans


def _names_before_cues(text: str) -> list[tuple[int, int]]:
    from spacy.lang.en.stop_words import STOP_WORDS

    from app.guardrails.name_gazetteer import name_gazetteer
    from app.guardrails.name_sequences import _english, _known_name

    gazetteer = name_gazetteer()
    # Where capitals carry meaning, a name has one ("here's Gregorina's address").
    caseless = not any(ch.isupper() for ch in text)

    def name_word(value: str) -> bool:
        titled = _titled(value)
        return (caseless or value == titled) and not (
            value.casefold() in NOT_NAMES
            or value.casefold() in STOP_WORDS
            or (not _known_name(gazetteer, titled) and _english(gazetteer, value))
        )

    spans = []
    for cue in _NAME_BEFORE_CUE.finditer(text):
        if cue.group("addressed") is not None:
            if name_word(cue.group("addressed")):
                spans.append(cue.span("addressed"))
            continue
        words: list[tuple[int, int]] = []
        cursor = cue.start()
        # Only the last few dozen characters can hold the word before the cursor: searching
        # from the text's start would walk a 4,000-character message for every word.
        while len(words) < 3 and (
            word := _WORD_BEFORE.search(text, max(0, cursor - _LONGEST_WORD), cursor)
        ):
            if not name_word(word.group(1)):
                break
            words.insert(0, word.span(1))
            cursor = word.start(1)
            if text[max(0, cursor - 1) : cursor] not in (" ", "\t"):
                break
        if words:
            spans.append((words[0][0], words[-1][1]))
    return spans


class LuhnCardRecognizer(PatternRecognizer):
    """Card numbers Presidio's own recognizer misses: Mastercard's 2-series and 19-digit cards.
    Any 13-19 digit run (spaces or dashes allowed) that passes the Luhn check."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CREDIT_CARD",
            name="LuhnCardRecognizer",
            patterns=[
                Pattern("luhn_13_19", r"(?<![\d-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\d-])", 0.5)
            ],
        )

    def validate_result(self, pattern_text: str) -> bool:
        digits = [int(ch) for ch in pattern_text if ch.isdigit()]
        if not 13 <= len(digits) <= 19:
            return False
        total = 0
        for i, digit in enumerate(reversed(digits)):
            if i % 2 == 1:
                digit = digit * 2 - 9 if digit > 4 else digit * 2
            total += digit
        return total % 10 == 0


def short_phone_recognizer() -> PatternRecognizer:
    """Short local numbers written in groups ("61 51 81 office", "call 33 93 31"): six to eight
    digits that libphonenumber's matcher does not offer for any region we parse. They count only
    where the words around them say phone (findings.py), so amounts and dates stay."""
    return PatternRecognizer(
        supported_entity="PHONE_NUMBER",
        name="ShortPhoneRecognizer",
        patterns=[
            # Scored just under libphonenumber's 0.4: where both find the same span, Presidio keeps
            # one at random on a tie (set order), and the full-number reading must win.
            Pattern("grouped_digits", r"(?<![\w+.,/-])\d{2,5}(?:[ .-]\d{2,6}){1,3}(?!\d|-\d)", 0.38)
        ],
    )


class ContextualNameRecognizer(LocalRecognizer):
    """Names announced by a cue ("my name is", titles, sign-offs): spaCy's small model misses
    many of them, and we trust it only for multi-word names."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="ContextualNameRecognizer")

    def load(self) -> None:
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        for cue in _NAME_CUES:
            for match in cue.finditer(text):
                span = _without_non_names(match.group(1))
                if span:
                    # Above spaCy's 0.85, so that Presidio's de-duplication keeps this clean span
                    # when spaCy's runs on ("Giulia Rossi\n+1").
                    start, end = match.start(1) + span[0], match.start(1) + span[1]
                    results.append(RecognizerResult("PERSON", start, end, 0.9))
        for start, end in _lower_case_name(text):
            results.append(RecognizerResult("PERSON", start, end, 0.9))
        for start, end in _weakly_cued_names(text):
            results.append(RecognizerResult("PERSON", start, end, 0.86))
        for start, end in _names_before_cues(text):
            results.append(RecognizerResult("PERSON", start, end, 0.86))
        return results


def _without_non_names(name: str) -> tuple[int, int] | None:
    """("Hi Sam" -> the span of "Sam"): the cues cannot tell a greeting from a first name."""
    words = list(re.finditer(r"\S+", name))
    while words and words[0].group(0).casefold() in NOT_NAMES:
        words.pop(0)
    while words and words[-1].group(0).casefold() in NOT_NAMES:
        words.pop()
    return (words[0].start(), words[-1].end()) if words else None


def build_recognizers() -> list[EntityRecognizer]:
    return [
        EmailRecognizer(),
        # POSSIBLE leniency: fictional and freshly allocated ranges (+1 555 01xx, +44 7700 900xxx)
        # fail libphonenumber's validity check but are still someone's number to the customer.
        PhoneRecognizer(supported_regions=PHONE_REGIONS, leniency=0),
        short_phone_recognizer(),
        CreditCardRecognizer(),
        LuhnCardRecognizer(),
        IbanRecognizer(),
        UsSsnRecognizer(),
        SpacyRecognizer(supported_entities=["PERSON"]),
        ContextualNameRecognizer(),
        GazetteerNameRecognizer(),
        NameSequenceRecognizer(),
        address_recognizer(),
        InternationalAddressRecognizer(),
        postcode_recognizer(),
    ]
