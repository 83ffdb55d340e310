"""The OpenAPI 3.1 document of the machine interfaces, served at /api/openapi.json.

Schemas forbid extra properties, so a field added to a response without a line here
fails the tests that validate real responses against this document.
"""
from __future__ import annotations

from search import SORTS

from web.exports import FORMATS

NULLABLE_STRING = {"type": ["string", "null"]}


def _object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "required": list(properties),
              "additionalProperties": False}
    return {**schema, "description": description} if description else schema


def _list(item: dict) -> dict:
    return {"type": "array", "items": item}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS = {
    "Hit": _object({
        "id": {"type": "string"},
        "title": {"type": "string"},
        "source": {"type": "string", "description": "Empty when the file names none."},
        "published": {**NULLABLE_STRING, "description": "ISO 8601 local date and time."},
        "published_guess": {"type": "boolean", "description": "True when `published` is only the file's time."},
        "people": _list({"type": "string"}),
        "score": {"type": "number"},
        "snippet": {"type": "string", "description": "HTML: escaped text with <mark> highlights."},
        "url": {"type": "string"},
    }, "One search result."),
    "Count": _object({"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}}),
    "Period": _object({
        "period": {"type": "string", "description": "YYYY, YYYY-MM or YYYY-MM-DD."},
        "matches": {"type": "integer"},
        "articles": {"type": "integer", "description": "All articles published in the period."},
        "share": {"type": "number", "description": "matches / articles."},
    }),
    "Timeline": _object({
        "unit": {"enum": ["day", "month", "year"]},
        "periods": _list(_ref("Period")),
        "undated": {"type": "integer", "description": "Matches dated only by their file's time, not charted."},
    }),
    "Facets": _object({
        "sources": _list(_ref("Count")),
        "people": _list(_ref("Count")),
        "years": _list(_ref("Count")),
        "months": _list(_ref("Count")),
        "timeline": _ref("Timeline"),
    }, "Counts over every match, not only the page shown."),
    "SearchResult": _object({
        "query": {"type": "string"},
        "parsed": {"type": "string", "description": "The query as Whoosh reads it."},
        "explained": {"type": "string", "description": "The same, in the words typed."},
        "total": {"type": "integer"},
        "page": {"type": "integer"},
        "page_size": {"type": "integer"},
        "took_ms": {"type": "number"},
        "suggestion": {**NULLABLE_STRING, "description": "The query respelled, when some words match nothing."},
        "notice": {**NULLABLE_STRING, "description": "Set when the search hit its time limit and shows the hits found by then."},
        "hits": _list(_ref("Hit")),
        "facets": _ref("Facets"),
    }, "`morgue query --json` plus `facets`."),
    "Article": _object({
        "id": {"type": "string"},
        "title": {"type": "string"},
        "body": {"type": "string"},
        "source": {"type": "string"},
        "url": {"type": "string"},
        "published": NULLABLE_STRING,
        "published_from": {"type": "string", "description": "Where the date came from, e.g. \"field\", \"file time\"."},
        "published_guess": {"type": "boolean"},
        "people": _list({"type": "string"}),
        "mentioned": _list({"type": "string", "description": "1980s, 2024, 2024-07 or 2024-07-04."}),
        "path": {"type": "string", "description": "The file the article came from."},
        "author": {"type": "string", "description": "The byline as the file gives it; may be empty."},
        "tags": _list({"type": "string", "description": "Labels the source gave: topics, places, categories."}),
        "more_like_this": _list(_ref("Hit")),
    }),
    "Error": _object({"error": {"type": "string"}, "status": {"type": "integer"}}),
}


def _parameter(name: str, description: str, schema: dict | None = None, where: str = "query") -> dict:
    return {"name": name, "in": where, "required": where == "path", "description": description,
            "schema": schema or {"type": "string"}}


SEARCH_PARAMETERS = [
    _parameter("q", 'The query: words, "phrases", AND/OR/NOT, title:, person:, source:, date:, published:[a to b].',
               {"type": "string", "maxLength": 1000}),
    _parameter("source", "Only articles from this source."),
    _parameter("person", 'Only articles that mention this person, e.g. "Elena Varga".'),
    _parameter("from", 'Published on or after: YYYY, YYYY-MM, YYYY-MM-DD, or "last week", "past 30 days"...'),
    _parameter("to", 'Published on or before: YYYY, YYYY-MM, YYYY-MM-DD, or "yesterday", "last month"...'),
    _parameter("sort", "Result order.", {"enum": list(SORTS), "default": "relevance"}),
    _parameter("recency", "Favour recent articles: a score halves every half-life (7d, 2w, 6m, 1y); off when sorting by date or filtering by dates."),
]


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _text(media_type: str, description: str) -> dict:
    return {"description": description, "content": {media_type: {"schema": {"type": "string"}}}}


ERRORS = {"400": _json("Error", "A parameter to fix; `error` says which."),
          "503": _json("Error", "No usable index; `error` says how to build one.")}


def openapi_document() -> dict:
    page = _parameter("page", "Page of results, from 1.", {"type": "integer", "minimum": 1, "default": 1})
    return {
        "openapi": "3.1.0",
        "info": {"title": "morgue", "version": "1", "description": "Full-text search for news archives."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Search: one page of results, with facets over all matches.",
                "parameters": [*SEARCH_PARAMETERS, page],
                "responses": {"200": _json("SearchResult", "Results."), **ERRORS},
            }},
            "/api/article/{id}": {"get": {
                "summary": "One article in full, with the articles most like it.",
                "parameters": [_parameter("id", "The article's id, as in a hit.", where="path"),
                               _parameter("q", "A query whose words to look for (the page highlights them).")],
                "responses": {"200": _json("Article", "The article."),
                              "404": _json("Error", "No article with that id."), **ERRORS},
            }},
            "/feed": {"get": {
                "summary": "RSS 2.0 feed of a search, newest first.",
                "parameters": SEARCH_PARAMETERS[:-1],
                "responses": {"200": _text("application/rss+xml", "The feed."), **ERRORS},
            }},
            "/export": {"get": {
                "summary": "Every matching article, streamed.",
                "parameters": [*SEARCH_PARAMETERS, _parameter("format", "csv or jsonl (records as /api/article, without more_like_this).",
                                                              {"enum": list(FORMATS), "default": "csv"})],
                "responses": {"200": {"description": "The articles.", "content": {
                    media: {"schema": {"type": "string"}} for media, _ in FORMATS.values()}}, **ERRORS},
            }},
        },
        "components": {"schemas": SCHEMAS},
    }
