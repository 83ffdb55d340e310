"""The records that flow through morgue: articles in, hits out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, as ingest found it and the index stores it.

    `published_from` says where `published` came from ("field", "relative to --now",
    "relative to file time", "dateline", "file time"); `published_guess` is True when the
    date is only the file's modification time and must not be shown as fact.
    `people` may come filled from the file (a feed's or dump's own list, Reuters' <PEOPLE>);
    ingest then adds the names it finds in the text. `author` is the byline as given; `tags`
    are the labels the source gave (topics, places, categories), not ones we inferred.
    """

    id: str
    title: str
    body: str
    source: str = ""
    url: str = ""
    published: datetime | None = None
    published_from: str = ""
    published_guess: bool = False
    people: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    path: str = ""
    author: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date named in an article's text, resolved to an ISO value of its granularity.

    `value` is "1980s" (decade), "2024" (year), "2024-07" (month) or "2024-07-04" (day).
    """

    text: str
    value: str
    granularity: str
    start: int = -1
