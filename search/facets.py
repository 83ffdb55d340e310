"""What the matching articles are made of: counts by source, person and date, and the
attention over time (matches per period against all articles of that period).

Counting from stored fields on every request would read every match's document each
time. Instead one pass over each segment's stored fields fills a table of arrays (docnum ->
source, people, day, year and month), and a request counts over the docnums it matched with
a few array operations: fast enough to give every web search its side panel. A commit's
table reads only the segments the commit added (a daily update: one small segment).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from weakref import WeakKeyDictionary
from zipfile import BadZipFile

import numpy as np

TOP = 50  # values kept per facet; the page shows fewer and folds the rest under "more"
EPOCH = date(1970, 1, 1).toordinal()  # day ordinals less this are NumPy's days
UNITS = {"year": "Y", "month": "M", "day": "D"}  # NumPy's names, whose dates print as our periods do
DAY_SPAN = 62  # a chart spanning up to this many days goes day by day...
MONTH_SPAN = 240  # ...up to this many months month by month, and year by year beyond
SORTED_BELOW = 4  # _top sorts ids fewer than a fourth of the names it counts
PEOPLE_GATHER = 8  # up to one match in this many (article, name) pairs, gather matches' names one by one


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
class _Names:
    """Sources or people, numbered from 1 (0 is none), and each one's place in
    case-blind alphabetical order, which breaks ties between counts."""

    names: list[str]
    alphabetical: np.ndarray

    @classmethod
    def of(cls, numbers: dict[str, int]) -> _Names:
        names = list(numbers)  # in the order of their numbers
        alphabetical = np.empty(len(names), np.int64)
        alphabetical[sorted(range(len(names)), key=lambda i: names[i].lower())] = np.arange(len(names))
        return cls(names, alphabetical)


@dataclass(frozen=True, slots=True)
class _Periods:
    """Each article's year or month as a number into `labels` (in date order), 0 for none:
    a request counts its matches' periods with one bincount."""

    labels: list[str]  # 0 is "" (no date)
    codes: np.ndarray

    def count(self, docs: np.ndarray) -> dict[str, int]:
        counts = np.bincount(self.codes[docs], minlength=len(self.labels))
        found = np.flatnonzero(counts[1:]) + 1
        return dict(zip([self.labels[i] for i in found.tolist()], counts[found].tolist()))


@dataclass(frozen=True, slots=True)
class _Table:
    """Per docnum: its source and publication day (an ordinal, 0 for none), whether that
    day is a guess, and the year and month it falls in; people as (docnum, name) pairs in
    docnum order, a docnum's first at `people_from[docnum]`. Sources and people are
    numbers into their `_Names`. `articles` counts the articles of known date per period,
    by unit, once asked; `parts` are the segments' shares, which the next commit's table
    takes again for the segments it kept."""

    generation: int
    source_names: _Names
    person_names: _Names
    sources: np.ndarray
    people_docs: np.ndarray
    people: np.ndarray
    people_from: np.ndarray
    days: np.ndarray
    guessed: np.ndarray
    periods: dict[str, _Periods]  # "year" and "month"
    first: int  # the first and last known days, as ordinals (0 when none)
    last: int
    articles: dict[str, dict[str, int]]  # unit -> period -> articles of known date
    parts: dict  # (segment id, its articles) -> _Part


_tables: WeakKeyDictionary = WeakKeyDictionary()  # index -> its latest _Table
_building = threading.Lock()


def count_facets(ix, searcher, docnums: Collection[int], span=(None, None)) -> Facets:
    """Facets over `docnums`; `span` (start, end datetimes) is the date filter, which
    the chart covers even where nothing matched, so an empty stretch shows as empty."""
    table = _table(ix, searcher)
    docs = np.asarray(docnums, dtype=np.int64)
    return Facets(
        sources=_top(table.source_names, table.sources[docs]),
        people=_top(table.person_names, _people(table, docs)),
        years=tuple(Count(p, n) for p, n in table.periods["year"].count(docs).items()),
        months=tuple(Count(p, n) for p, n in table.periods["month"].count(docs).items()),
        timeline=timeline(table, docs, span),
    )


def _people(table: _Table, docs: np.ndarray) -> np.ndarray:
    """The names of people in docs (a name once per article): gathered article by article
    for a few matches, picked by a mask over every (article, name) pair for many."""
    if len(docs) * PEOPLE_GATHER > len(table.people):
        chosen = np.zeros(len(table.days), dtype=bool)
        chosen[docs] = True
        return table.people[chosen[table.people_docs]]
    starts = table.people_from[docs]
    sizes = table.people_from[docs + 1] - starts
    ends = np.cumsum(sizes)
    return table.people[np.arange(ends[-1] if len(ends) else 0) + np.repeat(starts - ends + sizes, sizes)]


def _per_period(ordinals: np.ndarray, unit: str) -> dict[str, int]:
    """How many of the day ordinals (0: no date) fall in each year, month or day ("2024",
    "2024-07", "2024-07-04"), in date order: counted by NumPy, not day by day in Python."""
    days = (ordinals[ordinals > 0] - EPOCH).astype("datetime64[D]")
    periods, counts = np.unique(days.astype(f"datetime64[{UNITS[unit]}]"), return_counts=True)
    return dict(zip(np.datetime_as_string(periods).tolist(), counts.tolist()))


def timeline(table: _Table, docs: np.ndarray, span=(None, None)) -> Timeline:
    """Matches and all articles per day, month or year, over the matches' date range."""
    known_docs = docs[~table.guessed[docs] & (table.days[docs] > 0)]
    undated = len(docs) - len(known_docs)
    if not len(known_docs):
        return Timeline("month", (), undated)
    known = table.days[known_docs]
    first, last = _range(int(known.min()), int(known.max()), table, span)
    unit, labels = _chart(first, last)
    by_period = table.periods.get(unit)  # days are few: counted as they come
    matches = by_period.count(known_docs) if by_period else _per_period(known, unit)
    if unit not in table.articles:  # the same for every search of this generation
        table.articles[unit] = _per_period(table.days[~table.guessed], unit)
    articles = table.articles[unit]
    periods = tuple(Period(p, matches.get(p, 0), articles.get(p, 0)) for p in labels)
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
                table = _tables[ix] = _build_table(searcher, generation, table.parts if table else {})
    return table


PART_FILE = ".facets.npz"  # a segment's part, beside its files (Whoosh deletes it with them)


@dataclass(frozen=True, slots=True)
class _Part:
    """One segment's share of a table, numbered within the segment: what a reindex that
    adds a segment leaves as it was (a segment's stored fields never change)."""

    source_names: list[str]
    sources: np.ndarray
    people_docs: np.ndarray
    person_names: list[str]
    people: np.ndarray
    days: np.ndarray
    guessed: np.ndarray

    @classmethod
    def of(cls, reader) -> _Part:
        """The part a reindex saved for the segment, else read from its stored fields
        (deleted articles' too: a later commit may delete more, and the part stays valid)."""
        part = _load(reader)
        if part is None:
            gathered = PartWriter()
            for docnum in range(reader.doc_count_all()):
                gathered.add(reader.stored_fields(docnum))
            part = gathered.part()
        return part


class PartWriter:
    """Gathers a segment's part from its articles' stored fields, in docnum order; a
    reindex worker saves it beside the segment it writes, so that a server moving to the
    commit reads arrays instead of every article (2 s for 50,000 after a full rebuild)."""

    def __init__(self):
        self.source_numbers: dict[str, int] = {"": 0}
        self.person_numbers: dict[str, int] = {}
        self.sources, self.days, self.guessed, self.people_docs, self.people = [], [], [], [], []

    def add(self, fields: dict) -> None:
        docnum = len(self.sources)
        self.sources.append(self.source_numbers.setdefault(fields.get("source") or "", len(self.source_numbers)))
        for name in filter(None, (fields.get("person") or "").split(",")):
            self.people_docs.append(docnum)
            self.people.append(self.person_numbers.setdefault(name, len(self.person_numbers)))
        published = fields.get("published")
        dated = isinstance(published, datetime)
        self.days.append(published.toordinal() if dated else 0)
        self.guessed.append(dated and bool(fields.get("published_guess")))

    def part(self) -> _Part:
        return _Part(list(self.source_numbers), np.array(self.sources, np.int32), np.array(self.people_docs, np.int64),
                     list(self.person_numbers), np.array(self.people, np.int32), np.array(self.days, np.int64),
                     np.array(self.guessed, bool))

    def save(self, folder: Path, segment) -> None:
        """Written under another name, then renamed: a part file is whole or absent (and
        a partial one is the segment's, so Whoosh clears it away with the segment)."""
        part, path = self.part(), folder / segment.make_filename(PART_FILE)
        temporary = folder / segment.make_filename(".facets.partial")
        with open(temporary, "wb") as out:
            np.savez(out, **{name: getattr(part, name) for name in _ARRAYS},
                     **_packed("source_names", part.source_names), **_packed("person_names", part.person_names))
        os.replace(temporary, path)


_ARRAYS = ("sources", "people_docs", "people", "days", "guessed")


def _load(reader) -> _Part | None:
    """The part saved beside the segment, if there is one and it covers the segment."""
    folder = getattr(reader.storage(), "folder", None)
    if folder is None:
        return None
    try:
        with np.load(Path(folder) / reader.segment().make_filename(PART_FILE), allow_pickle=False) as saved:
            part = _Part(_unpacked(saved, "source_names"), saved["sources"], saved["people_docs"],
                         _unpacked(saved, "person_names"), saved["people"], saved["days"], saved["guessed"])
    except (OSError, KeyError, ValueError, EOFError, BadZipFile):  # none saved (older indexes, merged segments), or damaged
        return None
    return part if len(part.days) == reader.doc_count_all() else None


def _packed(key: str, names: list[str]) -> dict[str, np.ndarray]:
    """Names as their UTF-8 text joined and each one's length: NumPy's own strings take
    four bytes a letter, all as long as the longest."""
    return {key: np.frombuffer("".join(names).encode("utf-8"), np.uint8),
            f"{key}_lengths": np.array([len(name) for name in names], np.int64)}


def _unpacked(saved, key: str) -> list[str]:
    text, ends = saved[key].tobytes().decode("utf-8"), np.cumsum(saved[f"{key}_lengths"]).tolist()
    return [text[start:end] for start, end in zip([0] + ends, ends)]


def _build_table(searcher, generation: int, known: dict) -> _Table:
    """Joins the segments' parts (read for new segments, `known` by segment for the rest)
    into the index's table; deleted articles have no day, so they count in no period."""
    size = searcher.doc_count_all()
    source_numbers: dict[str, int] = {"": 0}
    person_numbers: dict[str, int] = {"": 0}
    sources, days = np.zeros(size, np.int32), np.zeros(size, np.int64)
    guessed = np.zeros(size, dtype=bool)
    people_docs, people, parts = [], [], {}
    for reader, offset in searcher.reader().leaf_readers():
        key = (reader.segment().segment_id(), reader.doc_count_all())
        part = parts[key] = known.get(key) or _Part.of(reader)
        end = offset + len(part.days)
        sources[offset:end] = _numbered(part.source_names, source_numbers)[part.sources]
        people_docs.append(part.people_docs + offset)
        people.append(_numbered(part.person_names, person_numbers)[part.people])
        days[offset:end], guessed[offset:end] = part.days, part.guessed
        if reader.has_deletions():
            days[np.fromiter(reader.deleted_docs_set, np.int64) + offset] = 0
    dated = days[~guessed & (days > 0)]
    people_docs = np.concatenate(people_docs) if people_docs else np.zeros(0, np.int64)
    people_from = np.searchsorted(people_docs, np.arange(size + 1)).astype(np.int32)  # docnums come in order
    periods = {unit: _periods_of(days, unit) for unit in ("year", "month")}
    return _Table(generation, _Names.of(source_numbers), _Names.of(person_numbers), sources, people_docs,
                  np.concatenate(people) if people else np.zeros(0, np.int32), people_from, days, guessed, periods,
                  int(dated.min()) if len(dated) else 0, int(dated.max()) if len(dated) else 0, {}, parts)


def _numbered(names: list[str], numbers: dict[str, int]) -> np.ndarray:
    """The index-wide numbers of a part's names, numbering the new ones."""
    return np.array([numbers.setdefault(name, len(numbers)) for name in names], np.int32)


def _periods_of(days: np.ndarray, unit: str) -> _Periods:
    """Each article's year or month (days: ordinals, 0 for none), numbered in date order."""
    dated = days > 0
    periods = (days[dated] - EPOCH).astype("datetime64[D]").astype(f"datetime64[{UNITS[unit]}]")
    found, numbers = np.unique(periods, return_inverse=True)
    codes = np.zeros(len(days), np.int32)
    codes[dated] = numbers + 1
    return _Periods([""] + np.datetime_as_string(found).tolist(), codes)


def _top(names: _Names, ids: np.ndarray) -> tuple[Count, ...]:
    """The TOP names among ids, most frequent first, ties in alphabetical order. A few ids
    among many names are sorted; else counted in an array as long as the names."""
    if len(ids) * SORTED_BELOW < len(names.names):
        found, counts = np.unique(ids, return_counts=True)
    else:
        counts = np.bincount(ids, minlength=len(names.names))
        found = np.flatnonzero(counts)
        counts = counts[found]
    if len(found) and found[0] == 0:  # none
        found, counts = found[1:], counts[1:]
    if len(found) > TOP:  # only those that can make the top: at least the TOP-th count
        floor = np.partition(counts, len(found) - TOP)[len(found) - TOP]
        found, counts = found[counts >= floor], counts[counts >= floor]
    order = np.lexsort((names.alphabetical[found], -counts))[:TOP]
    return tuple(Count(names.names[i], n) for i, n in zip(found[order].tolist(), counts[order].tolist()))


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


@lru_cache(maxsize=128)  # a year chart from a stray early date can hold thousands of periods
def _chart(first: date, last: date) -> tuple[str, tuple[str, ...]]:
    """The chart's unit and its periods from first to last (kept: searches repeat ranges)."""
    unit, key, step = _unit(first, last)
    return unit, tuple(_periods(first, last, key, step))


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
