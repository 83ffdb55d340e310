"""Plain-text articles: headline + body files, and scraped pages with related stories.

A scraped page (the seed shape) is: headline line, body paragraphs, page boilerplate
("Hashtags", "Comments", "Related Articles", ...), then related stories, each as
source line, relative time ("3 hours ago"), "- source", headline, body.
"""
from __future__ import annotations

import re
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from search.model import Article

BOILERPLATE = {
    "hashtags",
    "try our ai features",
    "comments",
    "no comments yet...",
    "related articles",
    "advertisement",
    "share this article",
}
BOILERPLATE_PREFIXES = ("explore what ", "sign up for ", "read more")
RELATIVE_TIME = re.compile(
    r"^(an?|\d+)\s+(second|minute|hour|day|week|month|year)s?\s+ago$", re.IGNORECASE
)


def read(text: str, source) -> tuple[list[Article], list[str]]:
    """Articles in a text file; the second item lists reasons for parts that were dropped."""
    lines = [line.strip() for line in text.split("\n")]
    cut = _first_boilerplate(lines)
    main = _headline_and_body(lines[:cut], origin=source, position=0)
    related = _related_stories(lines[cut:], source)
    if main is None:
        return related, ["empty: no headline and body"]
    if not related and _is_word_list(main.body):
        return [], ["not an article: a list of short lines (no sentence in the body)"]
    return [main, *related], []


def _is_word_list(body: str) -> bool:
    """Category lists, name lists: three or more lines of a word or three, none a sentence.
    (A short brief, "Fire on Quay Street" / "No one was hurt.", has its full stop.)"""
    lines = [line for line in body.split("\n") if line]
    return len(lines) >= 3 and all(len(line.split()) < 4 and not line.endswith((".", "!", "?", '"')) for line in lines)


def _is_boilerplate(line: str) -> bool:
    lower = line.lower()
    return lower in BOILERPLATE or lower.startswith(BOILERPLATE_PREFIXES)


def _first_boilerplate(lines: list[str]) -> int:
    """Index of the first boilerplate line that only page chrome follows, else len(lines)."""
    for i, line in enumerate(lines):
        if line.lower() in BOILERPLATE:
            return i
    return len(lines)


def _headline_and_body(lines: list[str], origin, position: int, **fields) -> Article | None:
    text_lines = [line for line in lines if line]
    if len(text_lines) < 2:
        return None
    title, *body = text_lines
    return Article(
        id=origin.article_id(position),
        title=title,
        body="\n\n".join(body),
        path=str(origin.path),
        **fields,
    )


def _related_stories(lines: list[str], source) -> list[Article]:
    """Stories after the boilerplate: each starts at a source line followed by a relative time."""
    starts = [
        i
        for i in range(len(lines) - 2)
        if lines[i] and RELATIVE_TIME.match(lines[i + 1]) and lines[i + 2].startswith("- ")
    ]
    stories = []
    for n, (start, end) in enumerate(zip(starts, [*starts[1:], len(lines)]), start=1):
        story_lines = [line for line in lines[start + 3 : end] if not _is_boilerplate(line)]
        article = _headline_and_body(
            story_lines,
            origin=source,
            position=n,
            source=lines[start],
            published=_resolve_relative(lines[start + 1], source.now),
            published_from=f"relative ({lines[start + 1]}) to {source.now_from}",
        )
        if article is not None:
            stories.append(article)
    return stories


def _resolve_relative(phrase: str, now):
    """ "3 hours ago" -> now minus three hours."""
    count, unit = RELATIVE_TIME.match(phrase).groups()
    amount = 1 if count.lower() in ("a", "an") else int(count)
    if unit.lower() in ("month", "year"):
        return now - relativedelta(**{unit.lower() + "s": amount})
    return now - timedelta(**{unit.lower() + "s": amount})
