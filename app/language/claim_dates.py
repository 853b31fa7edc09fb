"""Dates and times a sentence claims, resolved against the turn's "now" in the customer's zone.

Hand-written on purpose: a general date parser (dateutil, spaCy's DATE entities) resolves
"Monday" to one guess and drops the relation ("by Friday", "within 3 days"), while a claim
check needs every reading the words allow, each compared with the platform's timestamps. The
grammar below is small, closed and deterministic; an expression it half-recognises leaves its
digits unexplained, and unexplained digits fail the check (fail closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_SHORT = {d[:3]: i for i, d in enumerate(WEEKDAYS)} | {"tues": 1, "thurs": 3}
MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH = {m: i + 1 for i, m in enumerate(MONTHS)} | {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
_MONTH["sept"] = 9
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "three": 3,
    "a few": 3,
    "few": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_PARTS_OF_DAY = {
    "morning": (5, 12),
    "afternoon": (12, 18),
    "evening": (17, 24),
    "tonight": (17, 24),
    "night": (17, 24),
}

_WD = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|urday|sday)?\.?"
_MON = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"(?:uary|ruary|ch|il|e|y|ust|tember|ober|ember)?\.?"
)
_DAYNUM = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_COUNT = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a couple(?: of)?|a few|an?)"
_BY = r"(?P<by>\b(?:by|before|no later than|at the latest|until|till|within)\s+)?"

DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("iso", _BY + r"\b(?P<y>20\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?:t[\d:]+z?)?\b"),
        ("slash", _BY + r"\b(?P<a>[0-3]?\d)/(?P<b>[01]?\d)(?:/(?P<y>(?:20)?\d\d))?\b"),
        (
            "day_month",
            _BY + rf"\b(?:(?P<wd>{_WD}),?\s+)?(?:the\s+)?(?P<d>{_DAYNUM})(?:\s+of)?\s+"
            rf"(?P<mon>{_MON})"
            r"(?:,?\s+(?P<y>20\d\d))?\b",
        ),
        (
            "month_day",
            _BY + rf"\b(?:(?P<wd>{_WD}),?\s+)?(?P<mon>{_MON})\s+(?:the\s+)?(?P<d>{_DAYNUM})"
            r"(?:,?\s+(?P<y>20\d\d))?\b",
        ),
        # "the 17th", "Friday the 12th": a day of the month named without its month.
        (
            "ordinal",
            _BY + rf"\b(?:(?P<wd>{_WD}),?\s+)?the\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)\b"
            rf"(?!\s+(?:of\s+)?{_MON})",
        ),
        ("ago", rf"\b(?P<n>{_COUNT})\s+(?P<unit>days?|weeks?)\s+ago\b"),
        (
            "in_days",
            rf"\b(?P<rel>in|within|over the next|in the next|after)\s+(?:about\s+|around\s+)?"
            rf"(?P<n>{_COUNT})(?:\s*(?:-|to|or)\s*(?P<n2>\d{{1,2}}|two|three|four|five))?"
            r"\s+(?:more\s+)?(?:business\s+|working\s+)?(?P<unit>days?|weeks?|hours?)\b",
        ),
        ("day_before_yesterday", r"\bthe day before yesterday\b"),
        ("day_after_tomorrow", r"\bthe day after tomorrow\b"),
        (
            "relative_day",
            _BY + r"\b(?P<word>today|tonight|yesterday|tomorrow|this (?:morning|afternoon|evening)"
            r"|later today|earlier today|last night|tomorrow (?:morning|afternoon|evening))\b",
        ),
        ("weekday", _BY + rf"\b(?P<which>last|next|this|this coming|coming)?\s*(?P<wd>{_WD})\b"),
        (
            "week",
            _BY + r"\b(?P<which>this|next|last|the end of the|end of the|the end of this|"
            r"end of this|early next|later this|the start of next)\s+(?P<unit>week|weekend)\b",
        ),
        # "over the weekend", "at the weekend": the nearest weekend, either side of today.
        ("weekend", _BY + r"\b(?:over|at|on|during|for)\s+the\s+weekend\b"),
        (
            "month",
            _BY + rf"\b(?P<which>(?:back )?in|during|early|late|mid|end of)\s+(?P<mon>{_MON})\b",
        ),
        ("this_month", _BY + r"\b(?P<which>this|last|next|earlier this|later this)\s+month\b"),
    )
)
TIME_PATTERN = re.compile(
    r"(?P<by>\b(?:by|before|no later than|until|till)\s+)?"
    r"\b(?:(?P<h>[0-2]?\d)[:.](?P<mi>[0-5]\d)\s*(?P<ap>a\.?m\.?|p\.?m\.?)?"
    r"|(?P<h2>1[0-2]|0?[1-9])\s*(?P<ap2>a\.?m\.?|p\.?m\.?)"
    r"|(?P<noon>noon|midday|midnight))(?![\w])"
    r"(?:\s*(?P<tz>utc|gmt|cet|cest|bst|est|edt|et|local time))?"
)
PART_OF_DAY = re.compile(
    r"\b(?:this|tomorrow|yesterday|today|in the|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s+"
    r"(?P<part>morning|afternoon|evening)\b"
)
# Vague time words that promise nothing checkable about a date; allowed only where the shipment
# is still moving (checked by the caller).
VAGUE_SOON = re.compile(
    r"\b(?:soon|shortly|any (?:day|time) now|in the coming days|in the next few days|"
    r"before long|very soon|any moment)\b"
)


@dataclass(frozen=True)
class DateClaim:
    """A calendar window the words allow; `by` means the fact may fall on or before it."""

    text: str
    start: int
    end: int
    lo: date
    hi: date
    by: bool = False
    upto: bool = False  # "within 3 days": anywhere from now to hi
    either: bool = False  # a bare weekday: lo or hi, never the days between
    alt: tuple[date, date] | None = None  # a second window the words allow ("the weekend")
    bound: bool = False  # "by Friday" said of a day named loosely: that day or before

    def accepts(self, day: date, today: date) -> bool:
        if self.alt is not None and self.alt[0] <= day <= self.alt[1]:
            return True
        if self.upto:
            return today <= day <= self.hi
        if self.bound:
            # "you'll have it by Friday" is a bound: the platform's day falls on it or before.
            # A bound still to come is not met by a day already gone (a stale estimate).
            return (today <= day or self.hi < today) and day <= self.hi
        if self.either:
            return day in (self.lo, self.hi)
        if self.by and self.lo != self.hi:
            return day <= self.hi
        # "by Fri 16 Jan" copies a calendar date: it names the day the platform expects it,
        # not any day before (a day early is as wrong as a day late).
        return self.lo <= day <= self.hi


@dataclass(frozen=True)
class TimeClaim:
    text: str
    start: int
    end: int
    hour: int
    minute: int | None
    by: bool = False
    window: tuple[int, int] | None = None  # part of day: [lo, hi) hours

    def accepts(self, moment: datetime) -> bool:
        if self.window is not None:
            return self.window[0] <= moment.hour < self.window[1]
        if self.by:
            return (moment.hour, moment.minute) <= (self.hour, self.minute or 0)
        if self.minute is None:
            # "around 2pm" / "2pm": the hour the platform gave, to the minute when it is :00..:59.
            return moment.hour == self.hour
        return (moment.hour, moment.minute) == (self.hour, self.minute)


def _count(word: str) -> int:
    word = word.strip()
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 1)


def _weekday(word: str) -> int:
    return _WEEKDAY_SHORT[word.rstrip(".")[:3]]


# A date the words name that no calendar has ("Saturday 26 October" in a year where the 26th
# is a Sunday): a window no day falls in, so the claim is false, never skipped.
NO_SUCH_DAY = (date.max, date.min, False)


def _one(day: date) -> tuple[date, date]:
    return day, day


def _resolve(name: str, m: re.Match[str], today: date) -> tuple[date, date, bool] | None:
    """(lo, hi, upto) for one match, or None when the words do not make a date."""
    g = m.groupdict()
    if name == "iso":
        try:
            return (*_one(date(int(g["y"]), int(g["m"]), int(g["d"]))), False)
        except ValueError:
            return None
    if name == "slash":
        year = int(g["y"]) if g.get("y") else today.year
        year = year + 2000 if year < 100 else year
        days = []
        for d, mo in ((int(g["a"]), int(g["b"])), (int(g["b"]), int(g["a"]))):
            try:
                days.append(date(year, mo, d))
            except ValueError:
                pass
        if not days:
            return None
        return min(days), max(days), False  # dd/mm or mm/dd: either reading
    if name in ("day_month", "month_day"):
        month = _MONTH.get(g["mon"].rstrip(".")[:4]) or _MONTH.get(g["mon"].rstrip(".")[:3])
        day_num = int(re.sub(r"\D", "", g["d"]))
        year = int(g["y"]) if g.get("y") else None
        candidates = [year] if year else [today.year - 1, today.year, today.year + 1]
        days = []
        for y in candidates:
            try:
                days.append(date(y, month or 0, day_num))
            except ValueError:
                pass
        if not days:
            return None
        if g.get("wd"):
            # "Tuesday, 29 September" names one day twice: only a year where both agree.
            days = [d for d in days if d.weekday() == _weekday(g["wd"])]
            if not days:
                return NO_SUCH_DAY
        closest = min(days, key=lambda d: abs((d - today).days))
        return (*_one(closest), False)
    if name == "weekend":
        return (*_weekends(today)[0], False)
    if name == "ordinal":
        return _ordinal(int(g["d"]), g.get("wd"), today)
    if name == "ago":
        n = _count(g["n"]) * (7 if g["unit"].startswith("week") else 1)
        day = today - timedelta(days=n)
        slack = 3 if g["unit"].startswith("week") else 0
        return day - timedelta(days=slack), day + timedelta(days=slack), False
    if name == "in_days":
        n = _count(g["n"])
        n2 = _count(g["n2"]) if g.get("n2") else n
        unit = g["unit"]
        if unit.startswith("hour"):
            return today, today + timedelta(days=(n2 + 23) // 24), g["rel"] != "after"
        scale = 7 if unit.startswith("week") else 1
        lo, hi = today + timedelta(days=n * scale), today + timedelta(days=n2 * scale)
        if "business" in m.group(0) or "working" in m.group(0):
            hi += timedelta(days=2 * (1 + n2 // 5))
        if g["rel"] in ("within", "over the next", "in the next"):
            return today, hi, True
        return lo, hi, False
    if name == "day_before_yesterday":
        return (*_one(today - timedelta(days=2)), False)
    if name == "day_after_tomorrow":
        return (*_one(today + timedelta(days=2)), False)
    if name == "relative_day":
        word = g["word"]
        if word.startswith("tomorrow"):
            return (*_one(today + timedelta(days=1)), False)
        if word.startswith("yesterday") or word == "last night":
            return (*_one(today - timedelta(days=1)), False)
        return (*_one(today), False)
    if name == "weekday":
        wd = _weekday(g["wd"])
        which = (g.get("which") or "").strip()
        back = (today.weekday() - wd) % 7
        past = (
            today - timedelta(days=back or 7) if which == "last" else today - timedelta(days=back)
        )
        ahead = (wd - today.weekday()) % 7
        future = today + timedelta(days=ahead or (7 if which == "next" else 0))
        if which == "last":
            return (*_one(past), False)
        if which in ("next", "this coming", "coming"):
            return (*_one(future), False)
        # A bare weekday names the nearest one either side of today: either reading is allowed,
        # and only those two days.
        return (past, future, False) if past != future else (*_one(past), False)
    if name == "week":
        which, unit = g["which"], g["unit"]
        monday = today - timedelta(days=today.weekday())
        if "next" in which:
            monday += timedelta(days=7)
        elif which == "last":
            monday -= timedelta(days=7)
        if unit == "weekend":
            return monday + timedelta(days=5), monday + timedelta(days=6), False
        if "end of" in which:
            return monday + timedelta(days=3), monday + timedelta(days=6), False
        return monday, monday + timedelta(days=6), False
    if name == "month":
        month = _MONTH.get(g["mon"].rstrip(".")[:3])
        if month is None:
            return None
        year = (
            today.year
            if abs(month - today.month) <= 6
            else today.year + (1 if month < today.month else -1)
        )
        if g["which"].startswith("back") and date(year, month, 1) > today:
            year -= 1  # "back in December" is the past one
        return (*_month_span(date(year, month, 1)), False)
    if name == "this_month":
        first = today.replace(day=1)
        which = g["which"]
        if which == "last":
            first = (first - timedelta(days=1)).replace(day=1)
        elif which == "next":
            first = _month_span(first)[1] + timedelta(days=1)
        lo, hi = _month_span(first)
        if which == "earlier this":
            return lo, today, False
        if which == "later this":
            return today, hi, False
        return lo, hi, False
    return None


def _month_span(first: date) -> tuple[date, date]:
    end = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, end


def _ordinal(day_num: int, weekday: str | None, today: date) -> tuple[date, date, bool] | None:
    """ "The 17th" (or "Friday the 17th"): the nearest such day either side of today, as a
    bare weekday is; with a weekday, only days of the month that fall on it."""
    candidates: list[date] = []
    for shift in range(-12, 13):
        month_index = today.month - 1 + shift
        try:
            day = date(today.year + month_index // 12, month_index % 12 + 1, day_num)
        except ValueError:
            continue
        if weekday is None or day.weekday() == _weekday(weekday):
            candidates.append(day)
    past = [d for d in candidates if d <= today]
    future = [d for d in candidates if d >= today]
    if not past and not future:
        return None
    lo = max(past) if past else min(future)
    hi = min(future) if future else max(past)
    return lo, hi, False


def _weekends(today: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The weekend just gone (or this one, on a Saturday or Sunday) and the next one."""
    saturday = today - timedelta(days=(today.weekday() - 5) % 7)
    past = (saturday, saturday + timedelta(days=1))
    if today.weekday() >= 5:
        return past, past
    return past, (saturday + timedelta(days=7), saturday + timedelta(days=8))


# A full calendar date: what a model copies from the platform's own timestamp.
_CALENDAR = frozenset({"iso", "slash", "day_month", "month_day"})


def find_dates(text: str, today: date) -> list[DateClaim]:
    """Every date expression in `text` (lowercase), longest first, without overlaps."""
    found: list[DateClaim] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if name == "weekday" and not _is_weekday_word(m.group("wd")):
                continue
            if name == "month" and m.group("mon").startswith("may") and m.group("which") == "in":
                continue  # "in may" is rarer than "may" the verb after "in"; let digits decide
            resolved = _resolve(name, m, today)
            if resolved is None:
                continue
            lo, hi, upto = resolved
            by = bool(m.groupdict().get("by")) and "within" not in (m.group("by") or "")
            upto = upto or "within" in (m.groupdict().get("by") or "")
            taken.append((start, end))
            either = name in ("weekday", "ordinal")
            alt = _weekends(today)[1] if name == "weekend" else None
            bound = by and name not in _CALENDAR
            found.append(
                DateClaim(m.group(0), start, end, lo, hi, by, upto, either, alt=alt, bound=bound)
            )
    return found


def _is_weekday_word(word: str) -> bool:
    word = word.rstrip(".")
    # "sat", "sun" and "wed" are English words first; only their long forms name a day.
    short = word in _WEEKDAY_SHORT and word not in {"sat", "sun", "wed"}
    return word in WEEKDAYS or short or word in {"weds", "thur"}


def find_times(text: str) -> list[TimeClaim]:
    found: list[TimeClaim] = []
    for m in TIME_PATTERN.finditer(text):
        g = m.groupdict()
        by = bool(g.get("by"))
        if g.get("noon"):
            hour = 0 if g["noon"] == "midnight" else 12
            found.append(TimeClaim(m.group(0), *m.span(), hour, 0, by))
            continue
        hour = int(g["h"] if g["h"] is not None else g["h2"])
        minute = int(g["mi"]) if g.get("mi") is not None else None
        meridiem = (g.get("ap") or g.get("ap2") or "").replace(".", "")
        if hour > 23:
            continue
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        found.append(TimeClaim(m.group(0), *m.span(), hour, minute, by))
    for m in PART_OF_DAY.finditer(text):
        window = _PARTS_OF_DAY[m.group("part")]
        found.append(TimeClaim(m.group(0), *m.span(), window[0], None, window=window))
    if re.search(r"\btonight\b", text):
        start = text.index("tonight")
        found.append(TimeClaim("tonight", start, start + 7, 17, None, window=(17, 24)))
    return found
