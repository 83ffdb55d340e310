"""What the matching articles are made of: counts by source, person and date, and the
attention over time (matches per period against all articles of that period).

Counting from stored fields on every request would read every match's document each
time. Instead one pass per index generation fills a table of arrays (docnum -> source,
people, day), and a request counts over the docnums it matched with a few array
operations: fast enough to give every web search its side panel.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from weakref import WeakKeyDictionary

import numpy as np

TOP = 50  # values kept per facet; the page shows fewer and folds the rest under "more"
EPOCH = date(1970, 1, 1).toordinal()  # day ordinals less this are NumPy's days
UNITS = {"year": "Y", "month": "M", "day": "D"}  # NumPy's names, whose dates print as our periods do
DAY_SPAN = 62  # a chart spanning up to this many days goes day by day...
MONTH_SPAN = 240  # ...up to this many months month by month, and year by year beyond


@dataclass(frozen=True, slots=True)
class Count:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class Period:
    """One bar of the attention chart: `period` is "2024", "2024-07" or "2024-07-04"."""

    period: str
    matches: int
    articles: int

    @property
    def share(self) -> float:
        """The matches as a part of everything published then: attention, not volume."""
        return self.matches / self.articles if self.articles else 0.0


@dataclass(frozen=True, slots=True)
class Timeline:
    """Matches per period; `undated` counts matches whose date is only a file's time,
    which would pile up on the day the files were copied, so they are not charted."""

    unit: str
    periods: tuple[Period, ...]
    undated: int

    def as_dict(self) -> dict:
        periods = [{"period": p.period, "matches": p.matches, "articles": p.articles,
                    "share": round(p.share, 4)} for p in self.periods]
        return {"unit": self.unit, "periods": periods, "undated": self.undated}


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts over every match of a query, most frequent first (dates in date order)."""

    sources: tuple[Count, ...]
    people: tuple[Count, ...]
    years: tuple[Count, ...]
    months: tuple[Count, ...]
    timeline: Timeline

    def as_dict(self) -> dict:
        counts = lambda items: [{"value": c.value, "count": c.count} for c in items]  # noqa: E731
        return {
            "sources": counts(self.sources),
            "people": counts(self.people),
            "years": counts(self.years),
            "months": counts(self.months),
            "timeline": self.timeline.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class _Table:
    """Per docnum: its source and publication day (an ordinal, 0 for none), whether that
    day is a guess; people as (docnum, name) pairs. Names are numbers into `names`.
    `articles` counts the articles of known date per period, by unit, once asked."""

    generation: int
    names: list[str]  # 0 is "" (no source)
    alphabetical: np.ndarray  # each name's place in case-blind alphabetical order
    sources: np.ndarray
    people_docs: np.ndarray
    people: np.ndarray
    days: np.ndarray
    guessed: np.ndarray
    first: int  # the first and last known days, as ordinals (0 when none)
    last: int
    articles: dict[str, dict[str, int]]  # unit -> period -> articles of known date


_tables: WeakKeyDictionary = WeakKeyDictionary()  # index -> its latest _Table
_building = threading.Lock()


def count_facets(ix, searcher, docnums: Collection[int], span=(None, None)) -> Facets:
    """Facets over `docnums`; `span` (start, end datetimes) is the date filter, which
    the chart covers even where nothing matched, so an empty stretch shows as empty."""
    table = _table(ix, searcher)
    docs = np.asarray(docnums, dtype=np.int64)
    chosen = np.zeros(len(table.days), dtype=bool)
    chosen[docs] = True
    days = table.days[docs]
    return Facets(
        sources=_top(table, table.sources[docs]),
        people=_top(table, table.people[chosen[table.people_docs]]),
        years=tuple(Count(p, n) for p, n in _per_period(days, "year").items()),
        months=tuple(Count(p, n) for p, n in _per_period(days, "month").items()),
        timeline=timeline(table, docs, span),
    )


def _per_period(ordinals: np.ndarray, unit: str) -> dict[str, int]:
    """How many of the day ordinals (0: no date) fall in each year, month or day ("2024",
    "2024-07", "2024-07-04"), in date order: counted by NumPy, not day by day in Python."""
    days = (ordinals[ordinals > 0] - EPOCH).astype("datetime64[D]")
    periods, counts = np.unique(days.astype(f"datetime64[{UNITS[unit]}]"), return_counts=True)
    return dict(zip(np.datetime_as_string(periods).tolist(), counts.tolist()))


def timeline(table: _Table, docs: np.ndarray, span=(None, None)) -> Timeline:
    """Matches and all articles per day, month or year, over the matches' date range."""
    known = table.days[docs][~table.guessed[docs]]
    known = known[known > 0]
    undated = len(docs) - len(known)
    if not len(known):
        return Timeline("month", (), undated)
    first, last = _range(int(known.min()), int(known.max()), table, span)
    unit, key, step = _unit(first, last)
    matches = _per_period(known, unit)
    if unit not in table.articles:  # the same for every search of this generation
        table.articles[unit] = _per_period(table.days[~table.guessed], unit)
    articles = table.articles[unit]
    periods = tuple(Period(p, matches.get(p, 0), articles.get(p, 0)) for p in _periods(first, last, key, step))
    return Timeline(unit, periods, undated)


def _table(ix, searcher) -> _Table:
    """The table for the searcher's generation, built on first use (by one thread: the
    others wait for it) and kept per index."""
    generation = searcher.reader().generation()
    table = _tables.get(ix)
    if table is None or table.generation != generation:
        with _building:
            table = _tables.get(ix)
            if table is None or table.generation != generation:
                table = _tables[ix] = _build_table(searcher, generation)
    return table


def _build_table(searcher, generation: int) -> _Table:
    size = searcher.doc_count_all()
    numbers: dict[str, int] = {"": 0}
    sources, days = np.zeros(size, np.int32), np.zeros(size, np.int64)
    guessed = np.zeros(size, dtype=bool)
    people_docs, people = [], []
    for docnum, fields in searcher.reader().iter_docs():
        sources[docnum] = numbers.setdefault(fields.get("source") or "", len(numbers))
        for name in filter(None, fields.get("person", "").split(",")):
            people_docs.append(docnum)
            people.append(numbers.setdefault(name, len(numbers)))
        published = fields.get("published")
        if isinstance(published, datetime):
            days[docnum] = published.toordinal()
            guessed[docnum] = bool(fields.get("published_guess"))
    dated = days[~guessed & (days > 0)]
    names = list(numbers)
    alphabetical = np.empty(len(names), np.int64)
    alphabetical[sorted(range(len(names)), key=lambda i: names[i].lower())] = np.arange(len(names))
    return _Table(generation, names, alphabetical, sources, np.array(people_docs, np.int64), np.array(people, np.int32),
                  days, guessed, int(dated.min()) if len(dated) else 0, int(dated.max()) if len(dated) else 0, {})


def _top(table: _Table, ids: np.ndarray) -> tuple[Count, ...]:
    """The TOP names among ids, most frequent first, ties in alphabetical order."""
    counts = np.bincount(ids, minlength=len(table.names))
    counts[0] = 0  # no source
    found = np.flatnonzero(counts)
    if len(found) > TOP:  # only those that can make the top: at least the TOP-th count
        floor = np.partition(counts[found], len(found) - TOP)[len(found) - TOP]
        found = found[counts[found] >= floor]
    ranked = found[np.lexsort((table.alphabetical[found], -counts[found]))][:TOP]
    return tuple(Count(table.names[i], n) for i, n in zip(ranked.tolist(), counts[ranked].tolist()))


def _range(first: int, last: int, table: _Table, span) -> tuple[date, date]:
    """From the first to the last match (day ordinals), widened to the date filter but not
    past the archive's own first and last dates (a filter from 1900 should not draw 1900)."""
    first, last = date.fromordinal(first), date.fromordinal(last)
    start, end = span
    if start:
        first = min(first, max(start.date(), date.fromordinal(table.first)))
    if end:
        last = max(last, min(end.date(), date.fromordinal(table.last)))
    return first, last


def _unit(first: date, last: date) -> tuple[str, Callable[[date], str], Callable[[date], date]]:
    if (last - first).days < DAY_SPAN:
        return "day", date.isoformat, lambda d: d + timedelta(days=1)
    if (last.year - first.year) * 12 + last.month - first.month < MONTH_SPAN:
        return "month", _month, _next_month
    return "year", _year, lambda d: date(d.year + 1, 1, 1)


def _periods(first: date, last: date, key, step) -> Iterator[str]:
    """Every period from first to last, empty ones included (steps land on period starts)."""
    day = first
    while day <= last:
        yield key(day)
        day = step(day)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _year(day: date) -> str:
    return f"{day.year:04d}"


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)
