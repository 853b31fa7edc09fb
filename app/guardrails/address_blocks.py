"""Street addresses the per-country patterns in recognizers.py cannot see on their own.

Three shapes, each tied to evidence that it is an address rather than a quantity:
- a postal block: lines ending in a country (with or without a postcode), a "City, ST 12345"
  line or a postcode and city, with the street line(s) above it ("41086 Kiannonkatu 98\\n
  OULU\\n Finland 80896");
- a street name between numbers or ending in a house number where customers write them in
  most of Europe ("78 Camiño Ancho 91", "Nørrebrogade 45, 2200 København N");
- whatever follows an address cue ("my address is", "I live at", "send it to", "liefern an",
  "envoyer à") from its first part that holds a house number to the end of the clause.
"""

from __future__ import annotations

import re
from functools import cache

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

_WORD = r"[^\W\d_][\w'’.-]*"
_CAP = r"[^\W\d_a-zß-ÿ][\w'’.-]*"  # starts with a capital (any script with case)
_HOUSE = r"\d{1,5}[A-Za-z]?(?:\s?[/-]\s?\d{1,5}[A-Za-z]?){0,2}"  # "7/3", "1-2-3"
_PARTICLE = r"(?:de|del|della|di|da|das|do|dos|la|le|les|el|van|von|der|den|du|des|y|e|i)"
_POSTCODE = (
    r"(?:\d{2}-\d{3}|\d{3}-\d{4}|\d{5}-\d{3}|\d{4}\s?[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|"
    r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|\d{4,6}(?:-\d{4})?)"
)
# Street words of the languages our patterns do not spell out (Nordic, Baltic, Finnish,
# Hungarian, Slavic, Dutch/Flemish): "Kiannonkatu", "Degnehøjvej", "Dózsa György út".
_STREET_SUFFIX = (
    r"(?i:gade|gaden|vej|vejen|gatan|gata|vägen|väg|veien|vei|gate|gata|stræde|allé|"
    r"katu|tie|kuja|polku|tori|väylä|tänav|iela|gatvė|"
    r"utca|út|útja|tér|körút|ulica|ulice|aleja|náměstí|třída|cesta|trg|"
    r"steenweg|dreef|hof|kaai|markt)"
)
_SUFFIX_STREET = (
    rf"(?<![\w-])(?:{_CAP}\s+){{0,2}}[^\W\d_][\w'’-]*?{_STREET_SUFFIX}\.?"
    rf"(?:\s+{_WORD}){{0,1}}?\s+{_HOUSE}\.?(?![\w])"
)
_SPLIT_STREET = (
    rf"(?<![\w-])(?:ul\.|al\.|pl\.|os\.)\s*{_CAP}(?:\s+{_CAP}){{0,2}}\s+{_HOUSE}(?![\w])"
)
# A month's name after a day is a date ("Fri 04 Dec 2026", "3 März 2026"), not a street.
_MONTH = (
    r"(?i:jan|feb|febr|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar[a-z]*|februar[a-z]*|"
    r"march|märz|mars|marzo|março|maart|april|avril|abril|aprile|mai|mayo|maggio|maio|mei|june|"
    r"juni|juin|junio|giugno|junho|july|juli|juillet|julio|luglio|julho|august|août|agosto|"
    r"augustus|september|septembre|septiembre|settembre|setembro|october|oktober|octobre|"
    r"octubre|ottobre|outubro|november|novembre|noviembre|novembro|december|dezember|décembre|"
    r"diciembre|dicembre|dezembro)\.?(?![\w])"
)
_DATE_OR_TIME = re.compile(
    rf"\b\d{{1,2}}\.?\s+{_MONTH}(?:\s+\d{{2,4}})?|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b"
)
# "78 Camiño Ancho 91", "233 Erzsébet tér 19.", "64 Via Capo le Case 143"
_NUMBER_STREET_NUMBER = (
    rf"(?<![\w.,/-])\d{{1,5}}[A-Za-z]?\s+(?!{_MONTH}){_CAP}(?:\s+(?:{_PARTICLE}|{_WORD})){{0,4}}?"
    rf"\s+{_HOUSE}\.?(?=\s*(?:$|[,;\n)]|\.(?:\s|$)))"
)
_TAIL_AFTER_STREET = (
    rf"(?:,?[ \t]*(?:{_POSTCODE}[ \t]+)?{_CAP}(?:[ \t-]+{_CAP}){{0,2}}(?:[ \t]+[A-Z]{{1,2}}\b)?"
    rf"(?:[ \t,]+{_POSTCODE}\b)?)?"
)

_ADDRESS_CUE = re.compile(
    r"(?i:\baddress(?:es)?\b[^\n:.]{0,30}?(?:\bis\b|:|\bto\b)|\bliv(?:e|es|ing) at|\bstay(?:ing)? "
    r"at|\bmoved to|\b(?:ship|send|sned|deliver|post|mail|return|forward)(?:ed|ing)?"
    r"(?: [\w-]+){0,3}? to|\b(?:ship|send|deliver|post|mail|return|forward)(?:ed|ing)?"
    r"(?: (?:it|them|"
    r"this|that|the \w+))? to|\barrived at|\blocated at|\bfound at|\baddress:|\bc/o\b|"
    r"\bliefern an|\bschicken an|\bsenden an|\banschrift\b:?|\badresse\b:?|\bwohne in|"
    r"\benvoy(?:er|ez) à|\blivr(?:er|ez) à|\bj'habite|\bj’habite|\benviar a|\benvíe a|"
    r"\bentregar en|\bvivo en|\bmi dirección es|\bspedire a|\babito in|\bindirizzo\b:?|"
    r"\bmorada\b:?|\bmoro na|\bbezorgen op|\bwoon op|\badres\b:?)\s*"
)
# A full stop ends the clause, except after an abbreviation of a street or number ("Gg.",
# "Jl.", "Av.", "No.", "Cr."): a capital and at most two letters more.
_CLAUSE_END = re.compile(
    r"[!?]|\.(?=\s|$)(?<!\b[A-Z]\.)(?<!\b[A-Z][a-z]\.)(?<!\b[A-Z][a-z]{2}\.)|\n\s*\n| in case "
    r"| last night| for | instead\b| please\b| pls\b| thanks\b|$"
)
_HOUSE_TOKEN = re.compile(rf"(?<![\w/-]){_HOUSE}(?![\w/-]|\s?(?:am|pm|h|min|kg|cm|%)\b)")


@cache
def _countries() -> re.Pattern[str]:
    """Country names (pycountry's English names and common short forms), one pattern."""
    import pycountry

    names = {"USA", "UK", "U.S.A.", "U.S.", "Greenlander", "People's Republic of China"}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names.add(value)
                names.add(value.split(",")[0])
    alternation = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    return re.compile(rf"(?i:{alternation})")


def _tail_line(line: str) -> bool:
    """The last line of a postal block: a country (postcode optional), "City, ST 12345", ", ST",
    or a postcode with a city."""
    body = line.strip(" \t>?*-|•,")
    if not body:
        return False
    match = _countries().fullmatch(re.sub(rf"[\s,]*{_POSTCODE}$", "", body).strip(" ,"))
    if match:
        return True
    return bool(
        re.fullmatch(rf"(?:{_WORD}[ \t]*){{0,3}},?[ \t]*[A-Z]{{2}}(?:[ \t]+{_POSTCODE})?", body)
        and re.search(r"\b[A-Z]{2}\b", body)
        and (re.search(r"\d", body) or body.startswith(","))
    ) or bool(re.fullmatch(rf"{_POSTCODE}[ \t]+{_CAP}(?:[ \t-]+{_CAP}){{0,2}}", body))


def _block_line(line: str) -> bool:
    body = line.strip(" \t>?*-|•")
    return bool(body) and len(body) <= 60 and len(body.split()) <= 7


def postal_block_spans(text: str) -> list[tuple[int, int]]:
    lines = text.split("\n")
    offsets = []
    position = 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    spans = []
    for index, line in enumerate(lines):
        if not _tail_line(line):
            continue
        first = index
        while first - 1 >= 0 and index - (first - 1) <= 4 and _block_line(lines[first - 1]):
            first -= 1
        # The block starts at its first line with a house number (the lines above are the name
        # and company, which the name recognizers judge on their own).
        while first < index and not re.search(r"\d", lines[first]):
            first += 1
        if first == index and not re.search(r"\d", lines[index]):
            continue  # a country alone is not an address
        start = offsets[first] + len(lines[first]) - len(lines[first].lstrip(" \t>?*-|•"))
        end = offsets[index] + len(lines[index].rstrip())
        spans.append((start, end))
    return spans


def cued_address_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for cue in _ADDRESS_CUE.finditer(text):
        rest_start = cue.end()
        end_match = _CLAUSE_END.search(text, rest_start)
        rest_end = end_match.start() if end_match else len(text)
        clause = text[rest_start:rest_end]
        # From the first comma-separated part that holds a house number.
        offset = 0
        for part in re.split(r"(,)", clause):
            numbers = _DATE_OR_TIME.sub(" ", part)  # "(Fri 04 Dec 2026, 15:08 GMT)" is no house
            if part != "," and _HOUSE_TOKEN.search(numbers) and re.search(r"[^\W\d_]{2}", part):
                start = rest_start + offset + len(part) - len(part.lstrip())
                end = rest_start + len(clause.rstrip(" ,;:"))
                if end > start:
                    spans.append((start, end))
                break
            offset += len(part)
    return spans


# "Križevniška soteska 376, 4479 Murska Sobota", "Prvá 30, 095 66 Vrícko", "ulica Kolonia 19,
# 49-513 Świecie", "Ligetfalvai utca 12., H-7055 Fürdőbánya": words, a house number, then a
# postcode and a capitalised town, the shape of most of Europe's addresses whatever the street
# word. The postcode and town after the number are the evidence.
_TOWN_WORD = r"[^\W\d_a-zß-ÿ][^\W\d_A-ZÀ-Þ][\w'’-]*"  # "Växjö", "Sankt-Vith", not "EUR"
_STREET_NUMBER_POSTCODE_TOWN = (
    rf"(?<![\w-])[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*){{0,3}}[ \t]+{_HOUSE}\.?"
    r",[ \t]*(?:[A-Z]{1,2}-)?(?:\d{2}-\d{3}|\d{3}[ \t]\d{2}|\d{3,5}(?:-\d{3})?)[ \t]+"
    rf"{_TOWN_WORD}(?:[ \t-]+(?:{_PARTICLE}[ \t-]+)?{_TOWN_WORD}){{0,2}}"
)
# Words a match above may start with that belong to the sentence, not the address.
_LEADING_NOT_ADDRESS = re.compile(
    r"^(?:(?:to|at|is|es|an|au|op|in|on|the|a|la|le|el|il|de|die|der|het|mi|my|new|neue|nueva|"
    r"nouvelle|nuova|bitte|naar|nach|para|per|à|deliver|send|ship|come|came|coming|go|goes|went|"
    r"be|should|supposed|from|sent|it|is|was|"
    r"address|adresse|adress|dirección|direccion|indirizzo|morada|adres)[ \t]+)+",
    re.IGNORECASE,
)


def _street_number_postcode_town(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in re.finditer(_STREET_NUMBER_POSTCODE_TOWN, text):
        lead = _LEADING_NOT_ADDRESS.match(match.group(0))
        start = match.start() + (lead.end() if lead else 0)
        if start < match.end() and re.search(r"[^\W\d_]{2}", text[start : match.end()]):
            spans.append((start, match.end()))
    return spans


# An address written on one line as comma-separated parts, whatever the country's street words:
# "prospekt Nezalezhnosti, bud. 031 kv. 7, Mogiliv-Podil's'kii, 48163", "House No. 49, Madhab
# Road, Lalmonirhat, 5666", "pasaje de santiago exposito 845, vizcaya, 14590", "Tobiasboulevard
# 32, 4264CE, Monster". The evidence: a part with words and a house number, then one to four
# more parts, the last of them a postcode (or a postcode and a town).
_PART = r"[^,\n.!?;:()<>/|]{1,40}?"
_LETTERS_WORD = r"[^\W\d_][\w'’.-]*"
# Town words after a postcode stop at the sentence's own words ("14590 my phone number is").
_NOT_TOWN = (
    r"(?!(?:my|our|the|a|an|is|was|and|or|but|phone|number|pls|please|thanks|thank|for|to|it|"
    r"i|we|you|me|ok|yes|no|not|so|then|asap|today|tomorrow)\b)"
)
_TOWN = rf"{_NOT_TOWN}{_LETTERS_WORD}(?:[ \t-]+{_NOT_TOWN}{_LETTERS_WORD}){{0,2}}"
_POSTCODE_PART = (
    r"(?:[A-Z]{1,2}-|TK[ \t]?)?(?:\d{4,6}|\d{3}[ \t]\d{2}|\d{2}-\d{3}|\d{4}[ \t]?[A-Z]{2})"
    rf"(?:[ \t]+{_TOWN})?(?:,[ \t]*[A-Z][\w'’-]+(?:[ \t-]+[A-Z][\w'’-]+){{0,2}})?"
)
_COMMA_ADDRESS = re.compile(
    # An optional street-name part without a number ("prospekt Nezalezhnosti, bud. 031")
    rf"(?<![\w-])(?:{_LETTERS_WORD}(?:[ \t]+{_LETTERS_WORD}){{0,3}},[ \t]*)?"
    rf"(?P<street>(?:{_LETTERS_WORD}[ \t]+){{0,4}}{_HOUSE}\.?"
    rf"|{_HOUSE}(?:[ \t]+{_LETTERS_WORD}){{1,4}}|(?:House|Building) No\.[ \t]*{_HOUSE})"
    rf"(?:[ \t]+(?:kv|k|str|apt|flat|unit)\.?[ \t]*{_HOUSE})*"
    rf"(?:,[ \t]*{_PART}){{0,4}}?,[ \t]*{_POSTCODE_PART}(?![\w-])"
)
# "2 mugs, 3 plates, 12345": counted things, not a street.
_COUNTED = re.compile(r"^\d{1,3}[ \t]+[^\W\d_]+s$")


def _comma_addresses(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _COMMA_ADDRESS.finditer(text):
        lead = _LEADING_NOT_ADDRESS.match(match.group(0))
        start = match.start() + (lead.end() if lead else 0)
        street = match.group("street").strip()
        # A date or a time is no house number ("on 12 May, London, 2026").
        if _DATE_OR_TIME.search(street) or not re.search(r"[^\W\d_]{3}", street):
            continue
        if _COUNTED.match(street):
            continue
        if start < match.end():
            spans.append((start, match.end()))
    return spans


_INLINE = (
    re.compile(_SUFFIX_STREET + _TAIL_AFTER_STREET),
    re.compile(_SPLIT_STREET + _TAIL_AFTER_STREET),
    re.compile(_NUMBER_STREET_NUMBER + _TAIL_AFTER_STREET, re.MULTILINE),
)


class InternationalAddressRecognizer(LocalRecognizer):
    def __init__(self) -> None:
        super().__init__(
            supported_entities=["STREET_ADDRESS"], name="InternationalAddressRecognizer"
        )

    def load(self) -> None:
        _countries()

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        spans = postal_block_spans(text) + cued_address_spans(text)
        spans += _street_number_postcode_town(text) + _comma_addresses(text)
        for pattern in _INLINE:
            spans.extend(m.span() for m in pattern.finditer(text))
        return [RecognizerResult("STREET_ADDRESS", s, e, 0.6) for s, e in spans if e > s]
