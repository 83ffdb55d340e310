"""Periods a user names for a date filter: "2024", "2024-07", "2024-07-04", or relative
ones ("yesterday", "last week", "this month", "past 30 days", "3 months ago")."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

ISO = {4: ("%Y", relativedelta(years=1)), 7: ("%Y-%m", relativedelta(months=1)), 10: ("%Y-%m-%d", relativedelta(days=1))}
UNITS = {"day": relativedelta(days=1), "week": relativedelta(weeks=1), "month": relativedelta(months=1), "year": relativedelta(years=1)}
PAST = re.compile(r"^(?:past|last) (\d+) (day|week|month|year)s?$")
AGO = re.compile(r"^(\d+|a|an|one) (day|week|month|year)s? ago$")
HELP = 'use YYYY, YYYY-MM, YYYY-MM-DD, or "yesterday", "last week", "this month", "past 30 days", "2 weeks ago"'


def period(text: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The first and last moment of the period text names; ValueError when it names none."""
    text, now = " ".join(text.lower().split()), now or datetime.now()
    iso = ISO.get(len(text))
    if iso and re.fullmatch(r"\d{4}(-\d\d){0,2}", text):
        try:
            start = datetime.strptime(text, iso[0])
        except ValueError:  # "2024-13"
            raise ValueError(HELP) from None
        return start, start + iso[1] - timedelta(microseconds=1)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start, length = _relative(text, today)
    return start, min(start + length, today + UNITS["day"]) - timedelta(microseconds=1)


def _relative(text: str, today: datetime) -> tuple[datetime, relativedelta]:
    calendar = {
        "today": (today, UNITS["day"]),
        "yesterday": (today - UNITS["day"], UNITS["day"]),
        "this week": (today - timedelta(days=today.weekday()), UNITS["week"]),
        "last week": (today - timedelta(days=today.weekday() + 7), UNITS["week"]),
        "this month": (today.replace(day=1), UNITS["month"]),
        "last month": (today.replace(day=1) - UNITS["month"], UNITS["month"]),
        "this year": (today.replace(month=1, day=1), UNITS["year"]),
        "last year": (today.replace(month=1, day=1) - UNITS["year"], UNITS["year"]),
    }
    if text in calendar:
        return calendar[text]
    if match := PAST.match(text):
        count, unit = int(match[1]), match[2]
        return today - UNITS[unit] * count + UNITS["day"], UNITS[unit] * count
    if match := AGO.match(text):
        count = 1 if match[1] in ("a", "an", "one") else int(match[1])
        day = today - UNITS[match[2]] * count
        return day, UNITS["day"]
    raise ValueError(HELP)
