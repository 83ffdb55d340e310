"""RSS and Atom feeds (feedparser): one article per entry.

The entry's own date is the publication date (a field), the feed's title is the source,
the entry's link its URL (and so its id, which keeps an entry that shows up in many
saved copies of a feed one article). Entry HTML becomes plain paragraphs.
"""
from __future__ import annotations

import calendar
import html
import io
import re
from datetime import datetime, timezone

from search.model import Article

_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|/h\d|/blockquote|/tr)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def read(data: bytes, source) -> tuple[list[Article], list[str]]:
    """Articles of a feed; an entry with neither title nor text is reported by number."""
    import feedparser  # here, not at the top: only a reindex that meets a feed pays for it

    # A stream, never bytes or str: feedparser would take those for a path or URL to open.
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries:
        if not parsed.feed:
            why = f" ({_first_line(parsed.get('bozo_exception'))})" if parsed.get("bozo") else ""
            return [], [f"not an RSS or Atom feed: no <channel> or <feed> found{why}"]
        return [], ["empty: the feed has no entries"]
    feed_title = _text(parsed.feed.get("title", ""))
    articles, problems = [], []
    for number, entry in enumerate(parsed.entries, start=1):
        article = _entry(entry, feed_title, source, number)
        if article is None:
            problems.append(f"entry {number}: empty: no title or text")
        else:
            articles.append(article)
    return articles, problems


def _entry(entry, feed_title: str, source, number: int) -> Article | None:
    title = _text(entry.get("title", ""))
    contents = entry.get("content") or []
    body = _text(max((c.get("value", "") for c in contents), key=len, default="") or entry.get("summary", ""))
    if not title and not body:
        return None
    link = str(entry.get("link") or "").strip()
    # dict.get: feedparser's own get warns when it stands in updated for published.
    published = _when(dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed"))
    return Article(
        id=source.article_id(number, link or str(entry.get("id") or "")),
        title=title or body[:80],
        body=body if body != title else "",
        source=feed_title,
        url=link,
        published=published,
        published_from="field" if published else "",
        author=_text(entry.get("author", "")),
        tags=tuple(dict.fromkeys(t["term"] for t in entry.get("tags") or [] if t.get("term"))),
        path=str(source.path),
    )


def _text(fragment: str) -> str:
    """An HTML fragment as plain paragraphs."""
    text = html.unescape(_TAG.sub("", _BREAK.sub("\n", str(fragment))))
    return "\n\n".join(p for p in (" ".join(line.split()) for line in text.split("\n")) if p)


def _when(moment) -> datetime | None:
    """feedparser's UTC struct_time -> naive UTC datetime."""
    try:
        return datetime.fromtimestamp(calendar.timegm(moment), timezone.utc).replace(tzinfo=None) if moment else None
    except (ValueError, OverflowError, TypeError):
        return None


def _first_line(error) -> str:
    return str(error).split("\n")[0][:200] if error else "no feed elements found"
