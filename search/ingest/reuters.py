"""Reuters-21578 SGML (`reut2-NNN.sgm`): one article per <REUTERS> story.

The SGML is not XML (no root, control-character references), so stories are cut out with
regular expressions. A story keeps its title, dateline (as the body's opening words, the
way the wire printed it), <DATE> as the publication date, <PEOPLE> as given people,
<TOPICS>/<PLACES>/<ORGS>/<EXCHANGES>/<COMPANIES> as tags and <AUTHOR> as the byline.
BRIEF stories are a title only; UNPROC stories are raw text whose first line is the title.
"""
from __future__ import annotations

import html
import re
from datetime import datetime

from search.ingest.fields import parse_date
from search.model import Article

SOURCE = "Reuters"
TAG_LISTS = ("TOPICS", "PLACES", "ORGS", "EXCHANGES", "COMPANIES")
_STORY = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.DOTALL | re.IGNORECASE)
_NEWID = re.compile(r'NEWID="?(\d+)', re.IGNORECASE)
_ELEMENT = re.compile(r"<(DATE|TOPICS|PLACES|PEOPLE|ORGS|EXCHANGES|COMPANIES|TITLE|DATELINE|AUTHOR|BODY)\b[^>]*>"
                      r"(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_TEXT = re.compile(r"<TEXT\b[^>]*>(.*?)</TEXT>", re.DOTALL | re.IGNORECASE)
_ITEM = re.compile(r"<D>(.*?)</D>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^<>]{1,40}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SIGN_OFF = re.compile(r"\n\s*(?:REUTER|Reuter)s?\s*$")
_WIRE_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{1,2}):(\d\d):(\d\d)(?:\.(\d+))?$")
_MONTHS = {m: n for n, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


def read(text: str, source) -> tuple[list[Article], list[str]]:
    """Every story in the file: an article, or a reason naming the story."""
    articles, problems = [], []
    for number, match in enumerate(_STORY.finditer(text), start=1):
        found = _NEWID.search(match.group(1))
        position = int(found.group(1)) if found else number
        try:
            articles.append(_story(match.group(2), source, position))
        except ValueError as error:
            problems.append(f"story {position}: {error}")
    if not articles and not problems:
        problems.append("no <REUTERS> story found: not a Reuters-21578 SGML file")
    return articles, problems


def _story(sgml: str, source, position: int) -> Article:
    parts = _elements(sgml)
    title, body = _clean(parts.get("TITLE", "")), _paragraphs(parts.get("BODY", ""))
    if not title and not body and "TITLE" not in parts:  # UNPROC: raw text only
        text = _TEXT.search(sgml)
        first, _, rest = _CONTROL.sub("", html.unescape(_TAG.sub("", text.group(1) if text else ""))).strip().partition("\n")
        title, body = " ".join(first.split()), _paragraphs(rest)
    if not title and not body:
        raise ValueError("empty: no title, body or text")
    dateline = _clean(parts.get("DATELINE", "")).rstrip(" -")
    published = _wire_date(parts.get("DATE", ""))
    return Article(
        id=source.article_id(position),
        title=title or body[:80],
        body=f"{dateline} - {body}" if dateline and body else body,
        source=SOURCE,
        published=published,
        published_from="field" if published else "",
        people=tuple(_person(p) for p in _items(parts.get("PEOPLE", ""))),
        tags=tuple(dict.fromkeys(t for name in TAG_LISTS for t in _items(parts.get(name, "")))),
        author=re.sub(r"(?i)^by\s+|,\s*reuters?$", "", _clean(parts.get("AUTHOR", ""))).strip(),
        path=str(source.path),
    )


def _elements(sgml: str) -> dict[str, str]:
    """The story's elements by name (the first of each), in one pass over its text."""
    found: dict[str, str] = {}
    for match in _ELEMENT.finditer(sgml):
        found.setdefault(match.group(1).upper(), match.group(2))
    return found


def _items(content: str) -> list[str]:
    return [_clean(item) for item in _ITEM.findall(content) if item.strip()]


def _clean(text: str) -> str:
    """Entities decoded, control characters (&#2; &#3; ...) dropped, spaces squeezed."""
    return " ".join(_CONTROL.sub("", html.unescape(text)).split())


def _paragraphs(text: str) -> str:
    """Hard-wrapped wire text -> paragraphs: a line indented by spaces starts a new one."""
    text = _SIGN_OFF.sub("", _CONTROL.sub("", html.unescape(text)))
    paragraphs = re.split(r"\n(?=[ \t]+\S)|\n\s*\n", text)
    return "\n\n".join(p for p in (" ".join(p.split()) for p in paragraphs) if p)


def _wire_date(value: str) -> datetime | None:
    """"26-FEB-1987 15:01:01.79"; a corrupt time ("605:12:19") keeps the day."""
    match = _WIRE_DATE.match(value.strip())
    if not match or match.group(2).lower() not in _MONTHS:
        return parse_date(value.strip().split(" ")[0])
    day, month, year, hour, minute, second, fraction = match.groups()
    try:
        return datetime(int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second),
                        int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        return parse_date(value.strip().split(" ")[0])


def _person(code: str) -> str:
    """"james-baker" -> "James Baker"."""
    return " ".join(word.capitalize() for word in code.replace("-", " ").split())
