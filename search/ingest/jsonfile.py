"""JSON and JSON Lines articles, with the field names news dumps commonly use."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from dateutil import parser as dateparser

from search.model import Article

# Article field -> the names it goes by in the wild, first match wins.
FIELD_NAMES = {
    "title": ("title", "headline", "name"),
    "body": ("body", "text", "content", "description", "summary"),
    "published": ("published", "date", "publishedAt", "published_at", "pubDate", "datetime"),
    "source": ("source", "site", "publisher"),
    "url": ("url", "link"),
}


def read_json(text: str, source) -> tuple[list[Article], list[str]]:
    """A JSON file holding one article object or a list of them."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [f"malformed JSON at line {error.lineno}: {error.msg}"]
    items = data if isinstance(data, list) else [data]
    return _articles(enumerate(items, start=1), source, "item")


def read_jsonl(text: str, source) -> tuple[list[Article], list[str]]:
    """One article object per line; a bad line is reported and the others still count."""
    items, problems = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            items.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            problems.append(f"malformed JSON at line {number}: {error.msg}")
    articles, more = _articles(items, source, "line")
    return articles, problems + more


def _articles(items, source, unit: str) -> tuple[list[Article], list[str]]:
    articles, problems = [], []
    for number, item in items:
        try:
            articles.append(_article(item, source, number))
        except ValueError as error:
            problems.append(f"{unit} {number}: {error}")
    return articles, problems


def _article(item, source, number: int) -> Article:
    if not isinstance(item, dict):
        raise ValueError(f"expected an object, found {type(item).__name__}")
    fields = {name: _first(item, names) for name, names in FIELD_NAMES.items()}
    if isinstance(fields["source"], dict):  # NewsAPI style: {"source": {"name": ...}}
        fields["source"] = fields["source"].get("name", "")
    title, body = (str(fields[k] or "").strip() for k in ("title", "body"))
    if not title and not body:
        raise ValueError("empty: no title or body")
    published = _parse_date(fields["published"])
    return Article(
        id=source.article_id(number, str(fields["url"] or "")),
        title=title or body[:80],
        body=body,
        source=str(fields["source"] or "").strip(),
        url=str(fields["url"] or "").strip(),
        published=published,
        published_from="field" if published else "",
        path=str(source.path),
    )


def _first(item: dict, names: tuple[str, ...]):
    return next((item[n] for n in names if item.get(n) not in (None, "")), None)


def _parse_date(value) -> datetime | None:
    """An explicit date field, as naive UTC; unparseable values count as absent."""
    if not value:
        return None
    try:
        moment = dateparser.parse(str(value))
    except (ValueError, OverflowError):
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment
