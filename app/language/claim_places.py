"""Where and when a parcel was: a place or a scan a sentence names must be one the timeline has.

The rest of the checker knows a town name only as a word the facts contain, so "It arrived at the
Leipzig hub yesterday" passed when Leipzig was where the label was printed three days ago, and
"It was picked up on the 10th" passed when the 10th was the label's day and the pick-up the 11th.
Here each part of a sentence that names a town of the facts' timelines, or a scan event with a
date ("picked up", "arrived at the sorting centre", "delayed", "declared lost"), is matched to
the timeline's events:

- the event's kind, when the words name one ("held up at Manchester" needs a delay there);
- the latest event, when they name none or say "still", "now", "has it" (where it is now);
- every date the part gives, read in the customer's zone (or in UTC, as a model copies it).

No event fits: the claim is false, and the sentence falls back to the template. Only ever adds
claims: it cannot make a sentence pass that the rest of the checker rejects.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from datetime import date

from app.language.claim_dates import find_dates
from app.language.claim_facts import ShipmentFact, Stop, TurnFacts, local
from app.language.claim_lexicon import FUTURE_WORD, QUESTION
from app.platform.contract import ShipmentStatus as S

# A location's town: "Newark NJ hub" -> "Newark", "Manchester depot" -> "Manchester".
_FACILITY = re.compile(
    r"(?:\s+[A-Z]{2})?\s+(?:hub|depot|facility|centre|center|warehouse|station|office|gateway)$",
    re.IGNORECASE,
)
# The parts of a sentence a place or a date belongs to.
_PARTS = re.compile(r"[;,]|\s(?:and|but|so|then|before|after|while|which)\s", re.IGNORECASE)
_EventTest = Callable[[Stop], bool]
_KINDS: tuple[tuple[re.Pattern[str], _EventTest], ...] = (
    (
        re.compile(r"\b(?:picked (?:it |them |\w+ parcel )?up|pick-?up|collected|collection)\b"),
        lambda e: "picked up" in e.description.lower(),
    ),
    (
        re.compile(r"\b(?:arriv\w*|reached|got to|sort\w*|scanned in)\b"),
        # "It arrived on the 10th" of a delivered parcel is its delivery.
        lambda e: (
            "arriv" in e.description.lower()
            or "sort" in e.description.lower()
            or e.status in (S.DELIVERED, S.DELIVERED_DISPUTED)
        ),
    ),
    (re.compile(r"\b(?:delay\w*|held up|stuck|on hold)\b"), lambda e: e.status is S.DELAYED),
    (
        re.compile(r"\b(?:out for delivery|on the van|loaded)\b"),
        lambda e: e.status is S.OUT_FOR_DELIVERY,
    ),
    (re.compile(r"\b(?:lost|missing)\b"), lambda e: e.status is S.LOST),
    (
        re.compile(r"\b(?:returned|sent back|back to (?:the )?sender|return to sender)\b"),
        lambda e: e.status is S.RETURNED,
    ),
    # "Delivered scan: Leeds depot": the delivery itself, not the dispute logged after it.
    (re.compile(r"(?<!out for )\bdelivered\b"), lambda e: e.status is S.DELIVERED),
    (re.compile(r"\b(?:label|dispatched)\b"), lambda e: e.status is S.LABEL_CREATED),
)
# Parts that report no past event: expectations, conditions, estimates.
_EXPECTATION = re.compile(
    FUTURE_WORD.pattern + r"|\b(?:if|unless|in case|once|estimat\w*|eta|expected|scheduled)\b"
)
_DELIVERED = re.compile(r"\b(?:deliver\w*|dropped off|handed over)\b")
# "out for delivery since this morning", "went out for delivery yesterday": the day of the van's
# scan, checked here ("it's out for delivery today" is where it is now, checked as a state).
_VAN_SINCE = re.compile(
    r"\b(?:out for delivery|on the van)\b[^.;]*\bsince\b|\bwent out for delivery\b|"
    r"\bwas (?:loaded|put) (?:on|onto) the van\b"
)
_NOW = re.compile(
    r"\b(?:still|currently|now|right now|at the moment|presently|sitting|has it|have it)\b"
)


def _part_spans(sentence: str) -> list[tuple[int, int]]:
    cuts = [0, *(m.end() for m in _PARTS.finditer(sentence)), len(sentence)]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def town(location: str) -> str:
    return _FACILITY.sub("", location.strip()).strip()


def check_places(
    sentence: str,
    scope: list[ShipmentFact],
    facts: TurnFacts,
    claim: Callable[[str, str, bool], None],
) -> None:
    """Adds a "place" or "event" claim for every part of `sentence` that names a town of the
    timelines or a dated scan event; `claim(kind, detail, ok)` records it."""
    towns = {town(s.location) for sh in facts.shipments.values() for s in sh.stops}
    towns.discard("")
    if not towns and not any(sh.stops for sh in scope):
        return
    today = local(facts.now, facts.timezone).date()
    # Dates are read in the whole sentence ("lost on Wednesday, December 17" is one date) and
    # belong to the part they start in.
    all_dates = find_dates(sentence.lower(), today)
    for start, end in _part_spans(sentence):
        part = sentence[start:end]
        low = part.lower()
        if not low.strip() or QUESTION.search(low) or _EXPECTATION.search(low):
            continue  # a question, a condition or an expected arrival: the ETA checks judge those
        named = [t for t in towns if re.search(rf"\b{re.escape(t.lower())}\b", low)]
        kinds = [test for pattern, test in _KINDS if pattern.search(low)]
        dates = [d for d in all_dates if start <= d.start < end]
        if not named and not (kinds and dates):
            continue
        if _DELIVERED.search(low) and not named and not _VAN_SINCE.search(low):
            continue  # a delivery's date is checked against delivered_at elsewhere
        stops = list(_candidates(scope, named, kinds, bool(_NOW.search(low))))
        fits = [
            s
            for s in stops
            if all(any(c.accepts(d, today) for d in _days(s, facts)) for c in dates)
        ]
        detail = ", ".join(named) or "dated event"
        claim("place" if named else "event", f"{detail} ({part.strip()[:40]})", bool(fits))


def _candidates(
    scope: list[ShipmentFact], named: list[str], kinds: list[_EventTest], now: bool
) -> Iterable[Stop]:
    wanted = {t.lower() for t in named}
    for shipment in scope:
        stops = list(shipment.stops)
        if shipment.delivered_at and not any(s.at == shipment.delivered_at for s in stops):
            # A delivery the status output dates without a timeline event of its own.
            stops.append(Stop(shipment.delivered_at, S.DELIVERED, "", "Delivered"))
        latest = max(stops, key=lambda s: s.at, default=None)
        for stop in stops:
            if wanted and town(stop.location).lower() not in wanted:
                continue
            if kinds and not any(test(stop) for test in kinds):
                continue
            # Where it is now: the latest event only. Without a kind, a town alone is read so.
            if (now or not kinds) and stop is not latest:
                continue
            yield stop


def _days(stop: Stop, facts: TurnFacts) -> list[date]:
    # The customer's day: a scan at 03:24 UTC on 2 January was on 1 January in New York.
    return [local(stop.at, facts.timezone).date()]
