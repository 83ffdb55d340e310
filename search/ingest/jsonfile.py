"""JSON and JSON Lines articles, with the field names news dumps commonly use (see fields.py).

A JSON file may hold one article, a list of them, a list under a key ({"articles": [...]},
as NewsAPI answers), or an object of articles keyed by id ({"id1": {...}, "id2": {...}}).
"""
from __future__ import annotations

import json

from search.ingest.fields import article_from, field_of
from search.model import Article

LIST_KEYS = ("articles", "items", "entries", "results", "data", "docs", "documents", "posts", "stories", "news")


def read_json(text: str, source) -> tuple[list[Article], list[str]]:
    """A JSON file holding one article object or a collection of them."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [f"malformed JSON at line {error.lineno}: {error.msg}"]
    except RecursionError:
        return [], ["malformed JSON: nested too deeply to read"]
    return _articles(enumerate(_items(data), start=1), source, "item")


def read_json_items(text: str, source, first_item: int) -> tuple[list[Article], list[str]]:
    """Items of a large JSON array, from item `first_item`: a part of the file, cut after a
    top-level comma (or the array's first or last part). Numbered as in the whole array;
    items that are not well-formed JSON cost their part, not the file."""
    inner = text.strip()
    inner = inner[1:] if first_item == 1 else inner  # the array's "["
    inner = inner[:-1] if inner.endswith((",", "]")) else inner  # the comma after the last item, or the array's "]"
    try:
        data = json.loads(f"[{inner}]")
    except json.JSONDecodeError as error:
        return [], [f"malformed JSON in the part of the array from item {first_item}: {error.msg}"]
    except RecursionError:
        return [], [f"malformed JSON in the part of the array from item {first_item}: nested too deeply to read"]
    return _articles(enumerate(data, start=first_item), source, "item")


def read_jsonl(text: str, source, first_line: int = 1) -> tuple[list[Article], list[str]]:
    """One article object per line; a bad line is reported and the others still count.
    `first_line` numbers the lines of a part of a file as in the whole."""
    items, problems = [], []
    for number, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip():
            continue
        try:
            items.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            problems.append(f"malformed JSON at line {number}: {error.msg}")
        except RecursionError:
            problems.append(f"malformed JSON at line {number}: nested too deeply to read")
    articles, more = _articles(items, source, "line")
    return articles, problems + more


def _items(data) -> list:
    """The article records in a parsed JSON document."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict) or any(field_of(k) in ("title", "body") for k in data):
        return [data]
    for key in LIST_KEYS:
        if isinstance(data.get(key), list):
            return data[key]
    values = list(data.values())
    if len(values) > 1 and all(isinstance(v, dict) for v in values):
        return values
    return [data]


def _articles(items, source, unit: str) -> tuple[list[Article], list[str]]:
    articles, problems = [], []
    for number, item in items:
        if not isinstance(item, dict):
            problems.append(f"{unit} {number}: expected an object, found {_kind(item)}")
            continue
        try:
            articles.append(article_from(item, source, number))
        except ValueError as error:
            problems.append(f"{unit} {number}: {error}")
    return articles, problems


def _kind(value) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "null")
