"""Records with named fields (JSON objects, CSV rows) -> Article, by the names news dumps use.

JSON and CSV share this so that a column called "headline" means the same in both, and
a date field is read the same way everywhere ingest meets one (feeds and HTML too).
"""
from __future__ import annotations

import re
import warnings
from datetime import datetime, timezone
from functools import lru_cache

from dateutil import parser as dateparser
from dateutil import tz

from search.model import Article

# Article field -> the names it goes by in the wild, first match wins. Names are compared
# without case, "_", "-" or spaces: "publishedAt", "published_at" and "Published At" are one.
FIELD_NAMES = {
    "title": ("title", "headline", "name", "subject"),
    "body": ("body", "text", "content", "articlebody", "maintext", "description", "summary", "abstract"),
    "published": ("published", "date", "publishedat", "pubdate", "datepublished", "datetime", "publicationdate",
                  "created", "createdat", "timestamp"),
    "source": ("source", "site", "sitename", "publisher", "outlet", "newsgroup"),
    "url": ("url", "link", "permalink", "href"),
    "author": ("author", "authors", "byline", "creator", "writer"),
    "people": ("people", "persons", "person"),
    "tags": ("tags", "topics", "category", "categories", "keywords", "section", "places"),
    "id": ("id", "guid", "uuid", "docid", "articleid", "storyid", "itemid", "newid"),
}
YEARS = (1800, 2200)  # a date field outside these years is a placeholder or a typo, not a date
ISO_START = re.compile(r"\d{4}-\d\d-\d\d(?:$|[T ]\d)")  # a date, alone or with a time: what _iso reads
_NOT_NAME = re.compile(r"[\s_\-]+")
_NAME_OF = {name: field for field, names in FIELD_NAMES.items() for name in names}
_US_ZONES = {name: tz.gettz(zone) for name, zone in {
    "EST": "America/New_York", "EDT": "America/New_York", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "BST": "Europe/London", "CET": "Europe/Paris", "CEST": "Europe/Paris"}.items()}


def normal_name(name: str) -> str:
    """A field name as compared: "Published_At" -> "publishedat"."""
    return _NOT_NAME.sub("", str(name)).lower()


@lru_cache(maxsize=4096)  # a dump repeats the same few keys on every record
def _rank(name: str) -> tuple[str, int] | None:
    """(Article field, rank among that field's names) for a record's key, or None."""
    normal = normal_name(name)
    field = _NAME_OF.get(normal)
    return (field, FIELD_NAMES[field].index(normal)) if field else None


def field_of(name) -> str | None:
    """The Article field a record's field name maps to, if any."""
    ranked = _rank(name) if isinstance(name, str) else None
    return ranked[0] if ranked else None


def mapped(record: dict) -> dict:
    """The record's values by Article field; the first non-empty value of each field wins."""
    found: dict = {}
    ranked = sorted((r, key) for key in record if isinstance(key, str) and (r := _rank(key)))
    for (field, _), key in ranked:
        if field not in found and record[key] not in (None, "", [], {}):
            found[field] = record[key]
    return found


def article_from(record: dict, source, position: int) -> Article:
    """One record -> an Article; raises ValueError with the reason when it has no text."""
    fields = mapped(record)
    title, body = text_of(fields.get("title")), text_of(fields.get("body"))
    if not title and not body:
        if any(field_of(k) in ("title", "body") for k in record):
            raise ValueError("empty: no title or body")
        names = ", ".join(str(k)[:40] for k in list(record)[:8]) or "none"
        raise ValueError(f"no title or body field (it has: {names})")
    published = parse_date(fields.get("published"))
    url = text_of(fields.get("url"))
    return Article(
        id=source.article_id(position, url, own_id(fields.get("id"))),
        title=title or body[:80],
        body=body,
        source=text_of(fields.get("source")),
        url=url,
        published=published,
        published_from="field" if published else "",
        author=", ".join(names_of(fields.get("author"))),
        people=tuple(names_of(fields.get("people"))),
        tags=tuple(dict.fromkeys(t for k, v in record.items() if field_of(k) == "tags" for t in names_of(v))) if "tags" in fields else (),
        path=str(source.path),
    )


def own_id(value) -> str:
    """A record's own id ("id": 17, "guid": "a81f"), if it is a plain value."""
    return str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def text_of(value) -> str:
    """A field's text: strings as they are, {"name": ...} objects (NewsAPI's source) by name."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("title") or value.get("value") or ""
    if isinstance(value, list):
        return "\n\n".join(filter(None, (text_of(v) for v in value)))
    return "" if value is None or isinstance(value, bool) else str(value).strip()


def names_of(value) -> list[str]:
    """A list field (people, authors, tags) as strings: a list, or one string split at ; or |."""
    if isinstance(value, (list, tuple)):
        items = [text_of(v) for v in value]
    elif isinstance(value, str):
        items = re.split(r"\s*[;|]\s*", value)
    else:
        items = [text_of(value)]
    return [item for item in dict.fromkeys(i.strip() for i in items) if item]


def parse_date(value) -> datetime | None:
    """An explicit date field, as naive UTC; unparseable values count as absent.

    Takes ISO and most written forms, US zone names ("EDT"), and Unix times in seconds
    or milliseconds (JSON-LD and APIs use both).
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_epoch(value)
    text = text_of(value)
    if not text or len(text) > 64:
        return None
    if text.isdigit():
        return _from_epoch(int(text))
    moment = _iso(text) or _written(text)
    if moment is None:
        return None
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except (ValueError, OverflowError):
            return None
    return moment if YEARS[0] <= moment.year <= YEARS[1] else None  # "0001-01-01" is a placeholder


def _iso(text: str) -> datetime | None:
    """An ISO 8601 date or time, as most feeds and dumps write them, read by the standard
    library in a few microseconds: dateutil took 80 per date, much of reading a JSON dump."""
    if not ISO_START.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _written(text: str) -> datetime | None:
    """Any other written date ("Thu, 11 Jul 2024 09:30:00 EDT", "July 11, 2024"), by dateutil."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dateparser.parse(text, tzinfos=_US_ZONES, default=datetime(datetime.now().year, 1, 1))
    except (ValueError, OverflowError, TypeError, LookupError):
        return None


def _from_epoch(number: float) -> datetime | None:
    seconds = number / 1000 if number > 1e11 else number
    if not 1e8 < seconds < 4e9:  # 1973..2096: anything else is not a timestamp
        return None
    return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)
