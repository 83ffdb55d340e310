"""Whole articles out of the index: one by id (highlighted, with similar articles), or
every article a search matches, for feeds and exports.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from dataclasses import fields as dataclass_fields
from pathlib import Path

from search.indexer import open_index
from search.model import Article
from search.query import Hit, QueryError, hit_record, parse_query, prepare
from search.ranking import Ranking
from search.snippets import mark_all, query_terms

SIMILAR = 5  # "more like this" articles shown with an article
KEY_TERMS = 12  # words of an article that "more like this" searches for


class NoArticle(LookupError):
    """No article has that id (it was never indexed, or a reindex dropped it)."""


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article with its title and paragraphs as HTML (escaped but for the query's
    <mark>s) and the articles most like it."""

    article: Article
    title_html: str
    paragraphs_html: tuple[str, ...]
    similar: tuple[Hit, ...]

    def as_dict(self) -> dict:
        return {**article_dict(self.article), "more_like_this": [hit.as_dict() for hit in self.similar]}


def article_dict(article: Article) -> dict:
    """An article as JSON-ready data: the API's and the JSON Lines export's record."""
    data = {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(article).items()}
    data["published"] = article.published.isoformat() if article.published else None
    data["mentioned"] = data.pop("dates")
    return data


def get_article(index, article_id: str, highlight_query: str = "") -> ArticleView:
    """The article with this id; the words of `highlight_query` are marked in its text.

    A query that does not parse only loses its highlights: the article is still worth showing.
    """
    ix = open_index(index) if isinstance(index, (str, Path)) else index
    with ix.searcher(weighting=Ranking()) as searcher:
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise NoArticle(f"No article with id {article_id!r} in this index; it may have gone in a reindex.")
        article = to_article(searcher.stored_fields(docnum))
        terms = _highlight_terms(ix.schema, highlight_query)
        similar = searcher.more_like(docnum, "body", top=SIMILAR, numterms=KEY_TERMS)
        return ArticleView(
            article=article,
            title_html=mark(article.title, terms, ix.schema),
            paragraphs_html=tuple(mark(p, terms, ix.schema) for p in article.body.split("\n") if p.strip()),
            similar=tuple(hit_record(hit.fields(), hit.score) for hit in similar),
        )


def matching_articles(
    index,
    text: str = "",
    *,
    source: str | None = None,
    person: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    sort: str = "relevance",
) -> Iterator[Article]:
    """Every article the search matches, in order, read one at a time: no cap, little memory.

    The query is checked now (a QueryError comes before the first article, so a web
    response can still turn it into a 400); the searcher opens on the first article and
    closes when the iterator ends or is closed.
    """
    ix = open_index(index) if isinstance(index, (str, Path)) else index
    parsed, options = prepare(ix, text, source, person, date_from, date_to, sort)

    def articles() -> Iterator[Article]:
        from search.vectorized import (
            search as ranked_search,  # NumPy loads with the first search
        )

        with ix.searcher(weighting=Ranking()) as searcher:
            for docnum, _ in ranked_search(searcher, parsed, None, time_limit=None, **options).top:
                yield to_article(searcher.stored_fields(docnum))

    return articles()


def to_article(fields: dict) -> Article:
    """Stored fields back into the Article that was indexed.

    Most fields are stored under their own name; people are stored joined for the
    keyword field `person`, dates mentioned as `mentioned`. A field an older index did
    not store comes back empty.
    """
    stored = {f.name: fields[f.name] for f in dataclass_fields(Article) if fields.get(f.name) is not None}
    stored.update(
        people=_names(fields.get("person")),
        dates=tuple(fields.get("mentioned") or ()),
        published_guess=bool(fields.get("published_guess")),
    )
    if "tags" in stored:
        stored["tags"] = _names(stored["tags"])
    return Article(**stored)


def _names(value) -> tuple[str, ...]:
    """A stored list of names: a comma-joined keyword string, or a list."""
    items = value.split(",") if isinstance(value, str) else value or ()
    return tuple(item for item in items if item)


def mark(text: str, terms: frozenset[str], schema=None) -> str:
    """`text` as HTML with the words that analyse to `terms` in <mark>; all else escaped."""
    return mark_all(text, terms)


def _highlight_terms(schema, text: str) -> frozenset[str]:
    """The query's words as body terms; none for a query that does not parse."""
    try:
        parsed = parse_query(text, schema) if text.strip() else None
    except QueryError:
        return frozenset()
    return query_terms(parsed, schema) if parsed is not None else frozenset()
