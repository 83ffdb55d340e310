"""Parse, rank, filter and highlight: a query in, plain Hit records out."""
from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh import query as wq
from whoosh.qparser import FieldAliasPlugin, GtLtPlugin, MultifieldParser, OrGroup
from whoosh.qparser.dateparse import DateParserPlugin

from search.explain import explain as in_words
from search.indexer import open_index
from search.periods import period
from search.ranking import Ranking, WordQuery, half_life_days, one_per_word, rank_query
from search.schema import BOOSTS, FIELD_ALIASES
from search.serving import MAX_DEPTH, TIME_LIMIT, SharedIndex, check_expensive
from search.snippets import query_terms, snippet
from search.spelling import did_you_mean
from search.why import explain_hit

if TYPE_CHECKING:
    from search.facets import Facets

SORTS = {"relevance": None, "newest": True, "oldest": False}  # name -> reverse order by date
MAX_QUERY_LENGTH = 1000  # characters; longer queries are pastes gone wrong, and slow to parse
MAX_PAGE_SIZE = 100
PUBLISHED_RANGE = re.compile(r"published:\s*(?:\[[^\]]*\]?|[<>]=?\s*\S+)", re.IGNORECASE)
STRAY_COMPARISON = re.compile(r"(?<!:)[<>]")  # < and > compare only right after a field
QUESTION_MARK = re.compile(r"(?<!\w)\?|\?(?!\w)")  # a "?" not inside a word ends a question
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b")
PLAIN_QUERY = re.compile(r" *[A-Za-z0-9]+(?: +[A-Za-z0-9]+)* *")  # words of letters and digits, spaces
PLAIN_WORD = re.compile(r"[A-Za-z0-9]+")
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
WORDS_KEPT = 50_000  # plain words whose analysis in each field is remembered


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
    explanation: dict | None = None  # with search(explain=True): why.Explanation.as_dict()

    def as_dict(self) -> dict:
        """A copy for JSON (dataclasses.asdict copies deeply, field by field: five times slower)."""
        data = {field.name: getattr(self, field.name) for field in fields(self)}
        data["people"] = list(self.people)
        if self.explanation is None:
            del data["explanation"]
        else:
            data["explanation"] = copy.deepcopy(self.explanation)  # results are remembered: callers get their own
        return data


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of results. `parsed` is Whoosh's reading of the query, `explained` the
    same in the user's words; `suggestion` is the query respelled when words are unknown;
    `facets` are counts over all matches, when asked for; `notice` says when the search was
    cut off by its time limit."""

    query: str
    parsed: str
    total: int
    page: int
    page_size: int
    hits: tuple[Hit, ...]
    took_ms: float
    explained: str = ""
    suggestion: str | None = None
    facets: Facets | None = None
    notice: str | None = None

    def as_dict(self) -> dict:
        data = {
            "query": self.query,
            "parsed": self.parsed,
            "explained": self.explained,
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "took_ms": round(self.took_ms, 2),
            "suggestion": self.suggestion,
            "notice": self.notice,
            "hits": [hit.as_dict() for hit in self.hits],
        }
        if self.facets is not None:
            data["facets"] = self.facets.as_dict()
        return data


def parse_query(text: str, schema, boosts: dict[str, float] | None = None) -> wq.Query:
    """The user's query as Whoosh sees it: words ORed over the boosted fields, with syntax."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"The query is {len(text):,} characters long; the limit is {MAX_QUERY_LENGTH:,}. "
            "Keep the words that matter, or use the source, person and date filters."
        )
    if not text.strip():
        return wq.Every()
    plain = plain_query(text, schema, boosts or BOOSTS)
    if plain is not None:
        return plain
    try:
        return tighten_or_groups(rank_query(parser(schema, boosts or BOOSTS).parse(tidy(text), normalize=False)))
    except Exception as error:  # Whoosh raises bare Exceptions, e.g. for an unreadable date
        raise QueryError(f"Cannot understand the query {text!r}: {error}") from None


_PARSERS: dict = {}


def parser(schema, boosts: dict[str, float]) -> MultifieldParser:
    """Whoosh's parser for these fields and boosts, built once: building it costs more than
    parsing a short query. (Relative dates are read against the time of each parse.)"""
    key = (id(schema), tuple(boosts.items()))
    if key not in _PARSERS:
        if len(_PARSERS) > 64:  # boosts come from API callers: keep a few
            _PARSERS.clear()
        built = MultifieldParser(list(boosts), schema, fieldboosts=boosts, group=OrGroup)
        built.add_plugin(FieldAliasPlugin({field: [alias] for alias, field in FIELD_ALIASES.items()}))
        built.add_plugin(GtLtPlugin())
        built.add_plugin(DateParserPlugin(free=False))
        _PARSERS[key] = (schema, built)  # the schema kept alive, so its id stays its own
    return _PARSERS[key][1]


def plain_query(text: str, schema, boosts: dict[str, float]) -> wq.Query | None:
    """The parse of plain words (letters and digits between spaces, no operators), built
    directly, or None for any other query: the same query as the parser's and rank_query's,
    in a fraction of their time. Each word is a WordQuery of its terms in the boosted
    fields; a word typed twice counts twice."""
    if not PLAIN_QUERY.fullmatch(text):
        return None
    words: dict[tuple, WordQuery] = {}
    for match in PLAIN_WORD.finditer(text):
        terms = _word_terms(schema, boosts, match.group(), match.span())
        if terms is None:
            return None
        key = tuple((t.fieldname, t.text, t.boost) for t in terms)
        if key in words:
            words[key].boost += 1.0
        else:
            words[key] = WordQuery(terms)
    parts = list(words.values())
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _word_terms(schema, boosts: dict[str, float], word: str, span: tuple[int, int]) -> list[wq.Term] | None:
    """A typed word's Term in each field whose analyzer keeps it, as the parser makes them;
    None when the parser would make something else of it (an operator, several tokens)."""
    if word in OPERATORS:
        return None
    terms = []
    for field, boost in boosts.items():
        if field not in schema or schema[field].self_parsing():
            return None
        texts = _analysed(schema[field], word)
        if len(texts) > 1:
            return None
        if texts:
            term = wq.Term(field, texts[0], boost=boost)
            term.startchar, term.endchar = span
            terms.append(term)
    return terms if len(terms) > 1 else None


_ANALYSED: dict = {}


def _analysed(field, word: str) -> list[str]:
    """The field's query analysis of a word, remembered (with the field, so its id stays its own)."""
    key = (id(field), word)
    found = _ANALYSED.get(key)
    if found is None:
        if len(_ANALYSED) >= WORDS_KEPT:
            _ANALYSED.clear()
        found = _ANALYSED[key] = (field, list(field.process_text(word, mode="query", tokenize=True, removestops=True)))
    return found[1]


def tidy(text: str) -> str:
    """The query text with what trips Whoosh's parser rewritten, at the same length (so
    the character offsets that corrections and explanations use still point right).

    Stray < and > (in "<b>", "a > b") become spaces: Whoosh fails on them, or matches
    nothing. So does a "?" that is not inside a word: in "what is a quango?" it ends a
    question, and Whoosh would read a wildcard that finds "quangos" and misses "quango"
    ("wom?n" keeps its wildcard). ISO dates in published ranges become compact: Whoosh reads
    "published:[2024-03 to 2024-05]" as all of 2024, "[202403  to 202405 ]" right.
    """
    text = QUESTION_MARK.sub(" ", STRAY_COMPARISON.sub(" ", text))
    return PUBLISHED_RANGE.sub(lambda m: ISO_DATE.sub(_compact_date, m.group(0)), text)


def _compact_date(match: re.Match) -> str:
    digits = "".join(match.groups(""))
    return digits.ljust(len(match.group(0)))


def tighten_or_groups(q: wq.Query) -> wq.Query:
    """ "flood NOT harbour" as flood without harbour, "flood published:2024" as flood in 2024.

    Words are ORed for ranking, but in an OR group Whoosh reads a NOT as "or anything
    without it" and a publication range as "or anything published then": both match
    nearly the whole archive. In each OR group the NOTs exclude and the ranges restrict.
    """
    if q.is_leaf():
        return q
    if not isinstance(q, wq.CompoundQuery):
        return q.apply(tighten_or_groups)
    q = copy.copy(q)
    q.subqueries = [tighten_or_groups(child) for child in q.subqueries]
    if not isinstance(q, wq.Or):
        return q
    negated = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
    ranges = [c for c in q.subqueries if _is_published_range(c)]
    wanted = [c for c in q.subqueries if not isinstance(c, wq.Not) and not _is_published_range(c)]
    if not wanted:  # only ranges ("published:2024 OR published:2025") or only NOTs
        wanted, ranges = ranges, []
    if not wanted or not (negated or ranges):
        return q
    q.subqueries = wanted
    tightened = q if len(wanted) > 1 else wanted[0]
    if ranges:
        tightened = wq.And([tightened, *ranges])
    return wq.AndNot(tightened, wq.Or(negated)) if negated else tightened


def _is_published_range(q: wq.Query) -> bool:
    return isinstance(q, (wq.DateRange, wq.NumericRange, wq.TermRange)) and q.field() == "published"


def date_bound(text: str | None, end: bool = False) -> datetime | None:
    """A filter bound: the first moment of the period text names, or with `end` its last."""
    if not text:
        return None
    try:
        start, last = period(text)
    except ValueError as error:
        raise QueryError(f"Cannot read the date {text!r}: {error}.") from None
    return last if end else start


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
    facets: bool = False,
    time_limit: float | None = TIME_LIMIT,
    recency: str | float | None = None,
    explain: bool = False,
) -> SearchResult:
    """The one search the CLI and the web call. `index` is an open index (or a SharedIndex)
    or its folder. A search running past `time_limit` seconds returns what it found by then.

    `recency` ("7d", "2w", "6m", "1y" or days) ranks newer articles higher: a score halves
    with each half-life of age. It is off when sorting by date or filtering by dates.
    `explain=True` gives each hit the parts of its score (ranking.py, why.py).

    `facets=True` also counts sources, people and dates over every match (the web's side
    panel and chart); it costs a pass over the matches, so the CLI leaves it off.

    A SharedIndex remembers recent results of its current commit: a repeated search is
    answered from memory (with its own took_ms).
    """
    started = time.perf_counter()
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryError(f"Pages start at 1 and hold 1 to {MAX_PAGE_SIZE} results.")
    if page * page_size > MAX_DEPTH:
        raise QueryError(f"Results can be paged {MAX_DEPTH:,} deep: narrow the search, or export all matches.")
    ix = open_index(index) if isinstance(index, (str, Path)) else index
    asked = dict(text=text, source=source, person=person, date_from=date_from, date_to=date_to, sort=sort, page=page,
                 page_size=page_size, boosts=boosts, facets=facets, time_limit=time_limit, recency=recency,
                 explain=explain)
    key = (date.today(), *((name, tuple(sorted(value.items())) if isinstance(value, dict) else value)
                           for name, value in asked.items()))  # today: relative dates move with it
    remembered = ix.recall(key) if isinstance(ix, SharedIndex) else None
    if remembered is not None:
        return replace(remembered, took_ms=(time.perf_counter() - started) * 1000)
    result, generation = _search(ix, **asked)
    if isinstance(ix, SharedIndex) and result.notice is None:
        ix.remember(key, generation, result)
    return replace(result, took_ms=(time.perf_counter() - started) * 1000)


def _search(ix, text, source, person, date_from, date_to, sort, page, page_size, boosts, facets, time_limit, recency,
            explain) -> tuple[SearchResult, int]:
    """search() itself: the result, and the commit generation it was found in."""
    # NumPy's import is a cost a reindex need not pay: it comes with the first search.
    from search.facets import count_facets
    from search.vectorized import search as ranked_search
    from search.vectorized import stored_fields

    parsed, options = prepare(ix, text, source, person, date_from, date_to, sort, boosts)
    half_life = recency_half_life(recency, parsed, sort, date_from, date_to)
    with ix.searcher(weighting=Ranking(half_life=half_life)) as searcher:
        ranked = ranked_search(searcher, parsed, page * page_size, time_limit=time_limit, **options)
        terms = query_terms(parsed, ix.schema)
        hits = tuple(
            hit_record(stored_fields(searcher, docnum), score, terms,
                       explain_hit(searcher, parsed, docnum, text).as_dict() if explain else None)
            for docnum, score in ranked.top[(page - 1) * page_size :]
        )
        suggestion = did_you_mean(searcher, parsed, text)
        span = (date_bound(date_from), date_bound(date_to, end=True))
        counts = count_facets(ix, searcher, ranked.docs, span) if facets else None
        generation = searcher.reader().generation()
    result = SearchResult(text, str(parsed), ranked.total, page, page_size, hits, 0.0, in_words(parsed, text),
                          suggestion, counts, ranked.notice)
    return result, generation


def recency_half_life(recency, parsed: wq.Query, sort: str, date_from, date_to) -> float | None:
    """Recency's half-life in days, or None: it is off when the user sorts by date or asks
    for a range of publication dates (a filter, or published: in the query)."""
    try:
        days = half_life_days(recency)
    except ValueError as error:
        raise QueryError(str(error)) from None
    by_date = sort != "relevance" or date_from or date_to or any(_is_published_range(q) for q in parsed.leaves())
    return None if by_date else days


def prepare(ix, text, source, person, date_from, date_to, sort, boosts=None) -> tuple[wq.Query, dict]:
    """The parsed query and the searcher options (filter, order) shared by every kind of search."""
    if sort not in SORTS:
        raise QueryError(f"Unknown sort {sort!r}: use one of {', '.join(SORTS)}.")
    parsed = parse_query(text, ix.schema, boosts)
    check_expensive(one_per_word(parsed), QueryError)  # a word searched in four fields counts once
    options = {"filter_q": build_filter(ix.schema, source, person, date_from, date_to)}
    if SORTS[sort] is not None:
        options.update(sortedby="published", reverse=SORTS[sort])
    return parsed, options


def hit_record(fields: dict, score: float = 0.0, terms: frozenset[str] = frozenset(), explanation: dict | None = None) -> Hit:
    """An article's stored fields copied into a plain Hit, while its searcher is open;
    `terms` are the query's words to mark in the snippet."""
    published = fields.get("published")
    return Hit(
        id=fields["id"],
        title=fields.get("title", ""),
        source=fields.get("source", ""),
        published=published.isoformat() if published else None,
        published_guess=bool(fields.get("published_guess")),
        people=tuple(p for p in fields.get("person", "").split(",") if p),
        score=round(float(score or 0.0), 4),
        snippet=snippet(fields.get("body", ""), terms),
        url=fields.get("url", ""),
        explanation=explanation,
    )
