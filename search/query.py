"""Parse, rank, filter and highlight: a query in, plain Hit records out."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from dateutil.relativedelta import relativedelta
from whoosh import highlight, query as wq
from whoosh.qparser import FieldAliasPlugin, GtLtPlugin, MultifieldParser, OrGroup
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.scoring import BM25F

from search.indexer import open_index
from search.schema import BOOSTS, FIELD_ALIASES

SORTS = {"relevance": None, "newest": True, "oldest": False}  # name -> reverse order by date
COORDINATION = 0.9  # OR group bonus: documents matching more of the query's words rank higher
SNIPPET_FRAGMENTS = 3


class QueryError(ValueError):
    """A query or filter the user must fix; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One result, copied out of Whoosh so it outlives the searcher."""

    id: str
    title: str
    source: str
    published: str | None
    published_guess: bool
    people: tuple[str, ...]
    score: float
    snippet: str
    url: str

    def as_dict(self) -> dict:
        data = asdict(self)
        data["people"] = list(self.people)
        return data


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    parsed: str
    total: int
    page: int
    page_size: int
    hits: tuple[Hit, ...]
    took_ms: float

    def as_dict(self) -> dict:
        return {
            "query": self.query,
            "parsed": self.parsed,
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "took_ms": round(self.took_ms, 2),
            "hits": [hit.as_dict() for hit in self.hits],
        }


def parse_query(text: str, schema, boosts: dict[str, float] | None = None) -> wq.Query:
    """The user's query as Whoosh sees it: words ORed over the boosted fields, with syntax."""
    boosts = boosts or BOOSTS
    parser = MultifieldParser(list(boosts), schema, fieldboosts=boosts, group=OrGroup.factory(COORDINATION))
    parser.add_plugin(FieldAliasPlugin({field: [alias] for alias, field in FIELD_ALIASES.items()}))
    parser.add_plugin(GtLtPlugin())
    parser.add_plugin(DateParserPlugin(free=False))
    if not text.strip():
        return wq.Every()
    try:
        return parser.parse(text)
    except Exception as error:  # Whoosh raises bare Exceptions, e.g. for an unreadable date
        raise QueryError(f"Cannot understand the query {text!r}: {error}") from None


def date_bound(text: str | None, end: bool = False) -> datetime | None:
    """ "2024", "2024-07" or "2024-07-04" -> the first moment of that period, or its last with end."""
    if not text:
        return None
    formats = {4: ("%Y", relativedelta(years=1)), 7: ("%Y-%m", relativedelta(months=1)),
               10: ("%Y-%m-%d", relativedelta(days=1))}
    pattern, length = formats.get(len(text.strip()), (None, None))
    try:
        start = datetime.strptime(text.strip(), pattern)
    except (TypeError, ValueError):
        raise QueryError(f"Cannot read the date {text!r}: use YYYY, YYYY-MM or YYYY-MM-DD.") from None
    return start + length - relativedelta(microseconds=1) if end else start


def build_filter(schema, source=None, person=None, date_from=None, date_to=None) -> wq.Query | None:
    """Source, person and published-date filters, all of which a hit must pass."""
    parts = []
    if source:
        parts.append(wq.Term("source", source.strip().lower()))
    if person:
        words = [t.text for t in schema["people"].analyzer(person)]
        parts.append(wq.Phrase("people", words) if len(words) > 1 else wq.Term("people", "".join(words)))
    start, end = date_bound(date_from), date_bound(date_to, end=True)
    if start or end:
        if start and end and start > end:
            raise QueryError(f"The date range {date_from} to {date_to} ends before it starts.")
        parts.append(wq.DateRange("published", start, end))
    return wq.And(parts) if parts else None


def search(
    index,
    text: str = "",
    *,
    source: str | None = None,
    person: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = 10,
    boosts: dict[str, float] | None = None,
) -> SearchResult:
    """The one search the CLI and the web call. `index` is an open index or its folder."""
    started = time.perf_counter()
    if sort not in SORTS:
        raise QueryError(f"Unknown sort {sort!r}: use one of {', '.join(SORTS)}.")
    if page < 1 or not 1 <= page_size <= 100:
        raise QueryError("Pages start at 1 and hold 1 to 100 results.")
    ix = open_index(index) if isinstance(index, (str, Path)) else index
    parsed = parse_query(text, ix.schema, boosts)
    filter_ = build_filter(ix.schema, source, person, date_from, date_to)
    with ix.searcher(weighting=BM25F()) as searcher:
        options = {"filter": filter_, "limit": page * page_size, "terms": True}
        if SORTS[sort] is not None:
            options.update(sortedby="published", reverse=SORTS[sort])
        results = searcher.search(parsed, **options)
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        hits = tuple(_hit(hit) for hit in results[(page - 1) * page_size :])
        total = len(results)
    took = (time.perf_counter() - started) * 1000
    return SearchResult(text, str(parsed), total, page, page_size, hits, took)


def _hit(hit) -> Hit:
    fields = hit.fields()
    published = fields.get("published")
    return Hit(
        id=fields["id"],
        title=fields.get("title", ""),
        source=fields.get("source", ""),
        published=published.isoformat() if published else None,
        published_guess=bool(fields.get("published_guess")),
        people=tuple(p for p in fields.get("person", "").split(",") if p),
        score=round(float(hit.score or 0.0), 4),
        snippet=_snippet(hit, fields),
        url=fields.get("url", ""),
    )


def _snippet(hit, fields) -> str:
    """Up to three highlighted fragments of the body, HTML-escaped but for the <mark>s."""
    snippet = hit.highlights("body", top=SNIPPET_FRAGMENTS)
    if snippet:
        return snippet
    body = fields.get("body", "")
    return highlight.htmlescape(body[:240] + ("…" if len(body) > 240 else ""))
