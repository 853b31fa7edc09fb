"""Spans of platform identifiers that the guardrail must never scrub.

The patterns come from the platform contract (anchors stripped), loosened for how customers
actually type them: any case, a space/underscore or nothing instead of the dash, a leading '#'.
A carrier's tracking number is protected too: one written in a carrier's own format (UPS
"1Z…", the postal services' "RR123456789GB"), and a bare run of 10–22 digits right after a
tracking label in the languages customers write ("tracking", "AWB", "Sendung",
"sporingsnummer", "numéro de suivi", ...): a waybill, not a phone number. A phone cue between
the label and the digits ("tracking stopped, call me on …") keeps the number scrubbable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.platform import contract

_CONTRACT_PATTERNS = (
    contract.ORDER_ID_PATTERN,
    contract.AWB_PATTERN,
    contract.SKU_PATTERN,
    contract.REFUND_ID_PATTERN,
    contract.RETURN_ID_PATTERN,
    contract.TICKET_ID_PATTERN,
    contract.NOTIFICATION_ID_PATTERN,
    contract.CUSTOMER_ID_PATTERN,
)


def _loosen(pattern: str) -> str:
    core = pattern.removeprefix("^").removesuffix("$")
    # Only the literal dashes between parts, not the ones inside character classes like [0-9].
    return re.sub(r"\[[^\]]*\]|-", lambda m: "[-_ ]?#?" if m[0] == "-" else m[0], core)


_ID_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:" + "|".join(_loosen(p) for p in _CONTRACT_PATTERNS) + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Labels that say "the number that follows is a parcel's", by language.
_TRACKING_LABELS = (
    r"awb|air ?waybill|waybill|tracking|track(?:ing)?[ -]?(?:no\.?|number|num|code|id)|"
    r"tracknummer|trackingnummer|sendung(?:snummer)?|paketnummer|sporingsnummer|sporingsnr|"
    r"kollinummer|forsendelsesnummer|zendingnummer|volgnummer|"
    r"num[ée]ro de (?:suivi|colis)|n[uú]mero de (?:seguimiento|env[ií]o|rastreo|rastreamento)|"
    r"codice di (?:tracciamento|spedizione)|numer przesy[lł]ki|sledovac[ií] [cč][ií]slo"
)
# What a customer writes before a phone number: the digits after it are theirs, not a parcel's.
_PHONE_CUES = re.compile(
    r"\b(?:call|phone|tel|mobile|cell|ring|text|whats ?app|sms|reach|contact|telefon|handy|"
    r"portable|t[eé]l[eé]phone|m[oó]vil|cellulare)\b",
    re.IGNORECASE,
)
_LABELLED_NUMBER_RE = re.compile(
    rf"\b(?:{_TRACKING_LABELS})\b(?P<gap>[^\n.!?\d+]{{0,20}}?)"
    # Some carriers put up to three letters or digits first (La Poste "6A12345678901").
    r"(?P<number>(?<![A-Za-z0-9])[0-9A-Z]{0,3}\d(?:[ -]?\d){9,21})(?!\d)",
    re.IGNORECASE,
)
_CARRIER_FORMAT_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:1Z[0-9A-Z]{16}|[A-Z]{2}\d{9}[A-Z]{2})(?![A-Za-z0-9])"
)


def _tracking_number_spans(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _CARRIER_FORMAT_RE.finditer(text)]
    for match in _LABELLED_NUMBER_RE.finditer(text):
        if not _PHONE_CUES.search(match.group("gap")):
            spans.append(match.span("number"))
    return spans


def tracking_numbers(text: str) -> list[tuple[int, str]]:
    """(start, number) of each carrier tracking number written in `text` (a carrier format, or
    digits after a tracking label), the number upper-cased without spaces or dashes, in order:
    parcel numbers given in a format other than the platform's AWBs."""
    platform_ids = [m.span() for m in _ID_RE.finditer(text)]
    # "AWB-7730012345" is the platform's own id, not a labelled carrier number.
    spans = sorted(
        s for s in set(_tracking_number_spans(text)) if not overlaps_any(*s, platform_ids)
    )
    return [(start, re.sub(r"[^0-9A-Z]", "", text[start:end].upper())) for start, end in spans]


# A known id shorter than this (its letters and digits after any prefix) is not matched loosely:
# six digits in a message are as likely a phone number's as a parcel's.
MIN_KNOWN_ID_CORE = 6


def known_id_pattern(known: str) -> re.Pattern[str] | None:
    """How a customer may write one of *their own* ids (an AWB or carrier number the pipeline
    knows from hydration): any case, its letter prefix optional ("AWB-7730012345", "awb
    7730012345", "7730012345"), spaces, dashes or dots between the characters ("773 001 2345")."""
    compact = re.sub(r"[^0-9A-Za-z]", "", known)
    prefix_match = re.match(r"([A-Za-z]{2,5})(?=\d)", compact)
    prefix = prefix_match.group(1) if prefix_match else ""
    core = compact[len(prefix) :]
    if len(core) < MIN_KNOWN_ID_CORE:
        return None
    loose_core = r"[ .\-]?".join(re.escape(ch) for ch in core)
    loose_prefix = rf"(?:{re.escape(prefix)}[-_ #:]*)?" if prefix else ""
    return re.compile(rf"(?<![A-Za-z0-9]){loose_prefix}{loose_core}(?![A-Za-z0-9])", re.IGNORECASE)


def known_name_pattern(name: str) -> re.Pattern[str] | None:
    """A catalogue item name of the customer's own orders ("Hiking Boots"), in any case and
    spacing: spaCy reads two capitalised nouns as a person as often as not."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    if not words or len("".join(words)) < MIN_KNOWN_ID_CORE:
        return None
    loose = r"[^A-Za-z0-9]{1,3}".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![A-Za-z0-9]){loose}(?![A-Za-z0-9])", re.IGNORECASE)


def _is_name(value: str) -> bool:
    # Ids are one token with digits ("AWB-7730012345", "1Z999AA10123456784"); names have words.
    return bool(re.search(r"\s", value.strip())) or not re.search(r"\d", value)


def known_id_spans(text: str, known: Sequence[str]) -> list[tuple[int, int]]:
    spans = []
    for value in known:
        pattern = known_name_pattern(value) if _is_name(value) else known_id_pattern(value)
        if pattern is not None:
            spans.extend(m.span() for m in pattern.finditer(text))
    return spans


def protected_spans(text: str, known: Sequence[str] = ()) -> list[tuple[int, int]]:
    """(start, end) of every platform identifier in `text`, in order; with `known`, also every
    place one of those exact ids (the customer's own, from hydration) is written."""
    spans = sorted(
        [m.span() for m in _ID_RE.finditer(text)]
        + _tracking_number_spans(text)
        + known_id_spans(text, known)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def overlaps_any(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)
