"""Dates mentioned in an article's text, resolved against its publication date.

Anchored patterns are tried from the most specific ("July 4, 2024") to the least ("April"); a
free-text date parser run over whole bodies reads "We" as Wednesday and "may" as a month, so
none is used. Month names count only capitalised, and "May" and "March" alone only after a word
such as "in" or "last". A bare number is a year only where a year fits ("in 1994", "1994,", not
"1994 votes"). "2024-25" (a season) gives 2024; numeric dates other than ISO ("4/7/2024") are
left alone as ambiguous.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from search.extract.lexicon import MONTHS, WEEKDAYS
from search.extract.runs import is_initial
from search.model import DateMention

_MONTH_NUMBER = {m: i + 1 for i, m in enumerate(MONTHS)} | {
    m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_MONTH_FORMS = sorted({f for m in _MONTH_NUMBER for f in (m.capitalize(), m.upper())}, key=len, reverse=True)
# Capitalised only, so the modal "may" and the verb "march" never match; abbreviations may end in a dot.
_M = rf"(?P<month>{'|'.join(_MONTH_FORMS)})(?:\.(?=\s)|(?![\w'’]))"
_D = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_Y = r"(?P<year>1\d{3}|20\d\d)"
_NOT_NUM_BEFORE = r"(?<![\w$£€¥#+.,:/-])"
_NOT_NUM_AFTER = r"(?![\w%]|[.,:/][0-9])"
_TRIGGER = (r"(?i:in|since|until|till|by|from|through|during|before|after|of|on|around|between|"
            r"and|to|early|late|mid|mid-|last|next|this|that|each|every)")
_WEEKDAY_FORMS = "|".join(w.capitalize() for w in WEEKDAYS) + "|" + "|".join(w.upper() for w in WEEKDAYS)

_DATE_PATTERNS = [
    ("iso", re.compile(r"(?<![\w-])(?P<year>1\d{3}|20\d\d)-(?P<mon>0[1-9]|1[0-2])-"
                       r"(?P<day>0[1-9]|[12]\d|3[01])(?![\w-])")),
    ("month_day", re.compile(rf"(?<![\w]){_M},?\s+{_D}(?:,?\s+{_Y})?{_NOT_NUM_AFTER}")),
    ("day_month", re.compile(rf"{_NOT_NUM_BEFORE}{_D}(?:\s+of)?\s+{_M}(?:,?\s+{_Y})?{_NOT_NUM_AFTER}")),
    ("month_year", re.compile(rf"(?<![\w]){_M},?\s+{_Y}{_NOT_NUM_AFTER}")),
    ("decade", re.compile(r"(?<![\w$£€¥#+.,:/])(?:(?P<century>1[5-9]|20)(?P<tens>\d)0|['’](?P<short>\d)0)"
                          r"s(?!\w)")),
    ("year", re.compile(r"(?<![\w$£€¥#+.,:/])(?<!\d[ -])(?P<year>1[5-9]\d\d|20\d\d)"
                        r"(?:[-–/](?P<end>\d\d|1[5-9]\d\d|20\d\d))?(?![\w%]|[.,:/-]\d|\s\d)")),
    ("month_alone", re.compile(rf"(?<!\w)(?P<trigger>{_TRIGGER})\s+(?:the\s+(?:end|start|beginning|middle)\s+of\s+)?"
                               rf"{_M}(?!\s*\d)(?!(?<=May)\s[A-Z][a-z])")),
    ("weekday", re.compile(rf"(?:(?<!\w)(?P<trigger>(?i:last|next|this))\s+)?(?<![\w])(?P<weekday>{_WEEKDAY_FORMS})"
                           r"(?![\w])")),
    ("relative", re.compile(r"(?<![\w-])(?P<word>(?i:yesterday|today|tomorrow)|(?i:last|this|next)\s+(?i:year|month))"
                            r"(?![\w-])")),
    # "April was wet", "November's vote": a full month name alone, but never "May" or "March".
    ("month_bare", re.compile(r"(?<![\w'’.-])(?P<month>January|February|April|June|July|August|September|"
                              r"October|November|December)(?=['’]s\b|(?![\w'’-]))")),
]

# Where each kind's matches can start, found by plain string search. The patterns open with
# a lookbehind, so their finditer would try every position of a text, and a regex scan for a
# set of first characters is itself ten times slower than str.find. So each kind is tried
# only at the places of a string its every match holds ("-0" or "-1" four characters in, for
# an ISO date), found in the text, or in the text casefolded for the month and day names and
# the (?i:) words (see _Places).
_MONTH_NAME = re.compile(rf"(?:{'|'.join(_MONTH_FORMS)})(?:\.(?=\s)|(?![\w'’]))")
_MONTH_STARTS = sorted({m[:3] for m in _MONTH_NUMBER})  # "jan" ... "sep" (also of "sept")
_YEAR_STARTS = ("15", "16", "17", "18", "19", "20")
_RELATIVE_WORDS = ("yesterday", "today", "tomorrow", "year", "month")
_WEEKDAY_NAME = re.compile(_WEEKDAY_FORMS)
_DAY_REACH = max(map(len, WEEKDAYS)) - 3  # from a weekday's start to its "day"
# "in April", "4 May", "last Monday", "last year" may open with a word before the name (a
# trigger word, which may be almost any word, or a day): they are found from the name back.
# (The names, matched where they start; what may stand before them.)
_NAMES = {
    "month_alone": (re.compile(rf"(?<!\w){_M}"),
                    re.compile(rf"(?<!\w){_TRIGGER}\s+(?:the\s+(?:end|start|beginning|middle)\s+of\s+)?\Z")),
    "day_month": (re.compile(rf"(?<!\w){_M}"),
                  re.compile(rf"{_NOT_NUM_BEFORE}(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?:\s+of)?\s+\Z")),
    "weekday": (re.compile(rf"(?<!\w)(?:{_WEEKDAY_FORMS})"), re.compile(r"(?<!\w)(?i:last|next|this)\s+\Z")),
    "relative": (re.compile(r"(?i:yesterday|today|tomorrow|year|month)"),
                 re.compile(r"(?<![\w-])(?i:last|this|next)\s+\Z")),
}
TRIGGER_REACH = 60  # characters from the start of a trigger word (or day) to its name's

# "1994 points": a number with a unit after it is a quantity, not a year.
_UNITS = frozenset(
    "points point votes vote people persons men women children students workers employees jobs troops "
    "soldiers police officers members seats cases deaths dead copies units shares barrels tonnes tons "
    "tonne kilos kg km miles metres meters feet foot yards acres hectares dollars euros pounds yen francs "
    "marks rupees yuan rubles roubles calories pages words times runs goals wickets homes houses cars "
    "vehicles flights passengers visitors signatures patients beds items lines files hours minutes "
    "seconds days weeks months years rounds laps shots mph degrees percent per million billion "
    "thousand bn m k mw kw gw mb gb employees users customers subscribers households rooms sq".split()
)
_YEAR_BEFORE = frozenset(
    "in since until till by from through during before after between and or of to early late mid "
    "circa around year the summer spring autumn fall winter season fiscal fy its his her their end "
    "start beginning middle january february march april may june july august september october "
    "november december".split()
)
_YEAR_AFTER = frozenset("and or to through when as was is will saw had has while until".split())
_NAMED_DAY_BEFORE = frozenset(
    "good black super ash bloody palm easter holy maundy cyber shrove whit low blue giving".split()
)
_NEXT_WORD_RE = re.compile(r"\s+([A-Za-z]+)")
_PREV_WORD_RE = re.compile(r"([A-Za-z]+)[\s-]+$")


def _pub_date(published) -> date | None:
    """The publication day; none for a missing or absurd one (date arithmetic would overflow)."""
    if isinstance(published, datetime):
        published = published.date()
    if not isinstance(published, date) or not 1 < published.year < 9999:
        return None
    return published


def _nearest_day(month: int, day: int, pub: date) -> date | None:
    """A day and month without year: the occurrence nearest the publication date."""
    options = []
    for year in (pub.year - 1, pub.year, pub.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: abs((d - pub).days)) if options else None


def _month_before(month: int, pub: date, strict: bool) -> str:
    """The latest such month on or before (strictly before, for "last") the publication month."""
    year = pub.year if month < pub.month or (month == pub.month and not strict) else pub.year - 1
    return f"{year:04d}-{month:02d}"


def _weekday_date(weekday: int, pub: date, trigger: str) -> date:
    """"Thursday": the last one on or before publication; "last"/"next" move a week off that day."""
    back = (pub.weekday() - weekday) % 7
    if trigger == "next":
        return pub + timedelta(days=(weekday - pub.weekday()) % 7 or 7)
    if trigger == "last" and back == 0:
        back = 7
    return pub - timedelta(days=back)


def _month(m: re.Match) -> int:
    """The month number of a match's month name ("Sept." -> 9)."""
    return _MONTH_NUMBER[m.group("month").lower()]


def _full_date(m: re.Match, pub: date | None) -> list[tuple[str, str]]:
    """"July 4, 2024", "4 July", "1996-08-30": a day; without a year, the one nearest publication."""
    month = int(m.group("mon")) if "mon" in m.re.groupindex else _month(m)
    day = int(m.group("day"))
    if m.group("year"):
        try:
            return [(date(int(m.group("year")), month, day).isoformat(), "day")]
        except ValueError:
            return []
    found = _nearest_day(month, day, pub) if pub else None
    return [(found.isoformat(), "day")] if found else []


def _month_year(m: re.Match, pub: date | None) -> list[tuple[str, str]]:
    """"July 2024": a month; it needs no publication date."""
    return [(f"{int(m.group('year')):04d}-{_month(m):02d}", "month")]


def _decade(m: re.Match, pub: date | None) -> list[tuple[str, str]]:
    """"the 1980s", "'90s" (a two-digit decade is taken from the 1900s unless it is the 00s-20s)."""
    if m.group("century"):
        return [(f"{m.group('century')}{m.group('tens')}0s", "decade")]
    tens = int(m.group("short"))
    return [(f"{19 if tens >= 3 else 20}{tens}0s", "decade")]


def _year(m: re.Match, pub: date | None, text: str) -> list[tuple[str, str]]:
    """A bare year, unless a unit follows ("1994 votes") or nothing around it suggests a year.

    A season or range keeps its years: "2024-25" and "1990-95" give their first year only,
    "1994-1996" gives 1994 and 1996.
    """
    year, end = m.group("year"), m.group("end")
    if end and len(end) == 2 and int(end) <= int(year) % 100:
        return []  # "2024-12" and the like: a code or a month, not a range
    after = _NEXT_WORD_RE.match(text, m.end())
    next_word = after.group(1) if after else ""
    before = _PREV_WORD_RE.search(text, max(0, m.start() - 30), m.start())
    prev_word = before.group(1).lower() if before else ""
    if next_word.lower() in _UNITS:
        return []
    if prev_word not in _YEAR_BEFORE and next_word and next_word not in _YEAR_AFTER:
        return []
    years = [(year, "year")]
    if end and len(end) == 4:
        years.append((end, "year"))
    return years


def _month_alone(m: re.Match, pub: date | None) -> list[tuple[str, str]]:
    """"last October", "in April": the nearest such month before publication ("next": after)."""
    if pub is None:
        return []
    trigger = m.group("trigger").lower()
    month = _month(m)
    if trigger == "next":
        year = pub.year if month > pub.month else pub.year + 1
        return [(f"{year:04d}-{month:02d}", "month")]
    if trigger == "this":
        return [(f"{pub.year:04d}-{month:02d}", "month")]
    return [(_month_before(month, pub, strict=trigger == "last"), "month")]


def _month_bare(m: re.Match, pub: date | None, text: str) -> list[tuple[str, str]]:
    """"April" with no word to anchor it: a month, unless it is part of a name ("April Ryan")."""
    if pub is None:
        return []
    after = _NEXT_WORD_RE.match(text, m.end())
    before = _PREV_WORD_RE.search(text, max(0, m.start() - 30), m.start())
    if (after and after.group(1)[0].isupper()) or (before and before.group(1)[0].isupper()
                                                   and not is_initial(text, m.start())):
        return []
    return [(_month_before(_month(m), pub, strict=False), "month")]


def _weekday(m: re.Match, pub: date | None, text: str) -> list[tuple[str, str]]:
    """"on Thursday": the last Thursday on or before publication; not "Sunday Times", "Good Friday"."""
    if pub is None:
        return []
    after = _NEXT_WORD_RE.match(text, m.end())
    if after and after.group(1)[0].isupper() and after.group(1).lower() not in _MONTH_NUMBER:
        return []  # "Sunday Times", "Sunday Telegraph", "Monday Night Football"
    before = _PREV_WORD_RE.search(text, max(0, m.start() - 30), m.start())
    if before and before.group(1).lower() in _NAMED_DAY_BEFORE:
        return []
    weekday = WEEKDAYS.index(m.group("weekday").lower())
    trigger = (m.group("trigger") or "").lower()
    return [(_weekday_date(weekday, pub, trigger).isoformat(), "day")]


def _relative(m: re.Match, pub: date | None) -> list[tuple[str, str]]:
    """"yesterday", "today", "tomorrow"; "last/this/next year" and "... month"."""
    if pub is None:
        return []
    words = m.group("word").lower().split()
    if len(words) == 1:
        shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[words[0]]
        return [((pub + timedelta(days=shift)).isoformat(), "day")]
    step = {"last": -1, "this": 0, "next": 1}[words[0]]
    if words[-1] == "year":
        return [(f"{pub.year + step:04d}", "year")]
    index = pub.year * 12 + pub.month - 1 + step
    return [(f"{index // 12:04d}-{index % 12 + 1:02d}", "month")]


_DATE_HANDLERS = {
    "iso": _full_date,
    "month_day": _full_date,
    "day_month": _full_date,
    "month_year": _month_year,
    "decade": _decade,
    "year": _year,
    "month_alone": _month_alone,
    "weekday": _weekday,
    "relative": _relative,
    "month_bare": _month_bare,
}
_NEEDS_TEXT = {"year", "weekday", "month_bare"}


def _mention_text(m: re.Match) -> tuple[str, int]:
    """The words that name the date: "last October", "Thursday", not "in April" or "the"."""
    start = m.start()
    trigger = m.group("trigger") if "trigger" in m.re.groupindex else None
    if trigger and trigger.lower() not in ("last", "next", "this"):
        start = m.start("month")
    return m.string[start : m.end()].rstrip("."), start


def find_dates(text: str, published: datetime | None) -> tuple[DateMention, ...]:
    """Dates mentioned in text, resolved against the publication date (DateMention from search.model).

    Patterns are tried from the most to the least specific; a stretch of text matched by one is
    not read again by the next ("May 3, 2024" is one day, not also a month and a year).
    """
    if not isinstance(text, str) or not text:
        return ()
    pub = _pub_date(published)
    taken = bytearray(len(text))
    places = _Places(text)
    found: list[DateMention] = []
    for kind, pattern in _DATE_PATTERNS:
        handler = _DATE_HANDLERS[kind]
        for m in _matches(kind, pattern, places):
            if taken.find(1, m.start(), m.end()) != -1:
                continue
            values = handler(m, pub, text) if kind in _NEEDS_TEXT else handler(m, pub)
            if not values and kind in _NEEDS_TEXT:
                continue  # not a date at all: leave the span to the later patterns
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
            mention, start = _mention_text(m)
            found.extend(DateMention(mention, value, granularity, start) for value, granularity in values)
    return tuple(sorted(found, key=lambda d: d.start))


class _Places:
    """Where each kind of date may start in one text: for each kind, sorted, every place
    one of its matches starts at, and some where none does."""

    def __init__(self, text: str):
        self.text = text
        self.folded = _folded(text)
        self.month_words = _found(self.folded, _MONTH_STARTS)  # "Jan", "MAR", "mark"...
        self.months = [place for place in self.month_words if _MONTH_NAME.match(text, place)]

    def of(self, kind: str) -> list[int]:
        """The places for kind (for kinds in _NAMES, where the names start)."""
        if kind in ("month_day", "month_year", "month_alone", "day_month"):
            return self.months
        if kind == "month_bare":
            return self.month_words
        if kind == "iso":
            return _found(self.text, ("-0", "-1"), shift=-4)
        if kind == "decade":  # "1990s", "'90s"
            ends = _found(self.text, ("0s",))
            return sorted([end - 3 for end in ends if end >= 3] + [end - 2 for end in ends if end >= 2])
        if kind == "year":
            return _found(self.text, _YEAR_STARTS)
        if kind == "relative":
            return _found(self.folded, _RELATIVE_WORDS)
        return self._weekdays()

    def _weekdays(self) -> list[int]:
        """Where _WEEKDAY_NAME.finditer would find weekdays: each ends in "day"."""
        places = []
        for day in _found(self.folded, ("day",)):
            m = _WEEKDAY_NAME.search(self.text, max(0, day - _DAY_REACH), day + 3)
            if m is not None and m.end() == day + 3:
                places.append(m.start())
        return places


def _folded(text: str) -> str:
    """text casefolded letter by letter, keeping offsets: "Today" and "TODAY" give "today", as
    (?i:today) matches them. (A letter that folds into two, as "ß" does, becomes a NUL.)"""
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    return "".join(c if len(c) == 1 else "\0" for c in map(str.casefold, text))


def _found(text: str, strings: tuple[str, ...] | list[str], shift: int = 0) -> list[int]:
    """Where any of strings starts in text, overlaps included, plus shift (if not before
    the text's start), sorted."""
    places = []
    for string in strings:
        at = text.find(string)
        while at != -1:
            if at + shift >= 0:
                places.append(at + shift)
            at = text.find(string, at + 1)
    places.sort()
    return places


def _matches(kind: str, pattern: re.Pattern, places: _Places) -> Iterator[re.Match]:
    """pattern.finditer(text), the pattern tried only where one of its matches can start."""
    if kind in _NAMES:
        return _named(kind, pattern, places.text, places.of(kind))
    return _tried_at(pattern, places.text, places.of(kind))


def _tried_at(pattern: re.Pattern, text: str, places: list[int]) -> Iterator[re.Match]:
    """pattern.finditer(text) for a pattern that can match only at these places."""
    at = 0
    for place in places:
        if place >= at and (m := pattern.match(text, place)) is not None:
            at = m.end()
            yield m


def _named(kind: str, pattern: re.Pattern, text: str, places: list[int]) -> Iterator[re.Match]:
    """pattern.finditer(text) for a kind of _NAMES: tried at each of its names, from
    the trigger word before it if there is one."""
    name, trigger_before = _NAMES[kind]
    at = 0
    for place in places:
        if place < at or not name.match(text, place):
            continue
        trigger = trigger_before.search(text, max(at, place - TRIGGER_REACH), place)
        m = (pattern.match(text, trigger.start()) if trigger else None) or pattern.match(text, place)
        if m is not None:
            yield m
            at = m.end()
