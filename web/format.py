"""How values read on a page: dates with a relative hint, where a date came from, links
that are safe to follow. Registered as Jinja filters and globals by init_app()."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import urlsplit

from web.params import url_with

# Article.published_from -> what it tells a reader about the date.
PROVENANCE = {
    "field": "stated in the article",
    "file time": "the file's modification time: a guess, not the publication date",
}
RELATIVE = re.compile(r"relative \((.+)\) to (.+)")
AGES = [(365, "year"), (30, "month"), (7, "week"), (1, "day")]


def init_app(app) -> None:
    app.add_template_filter(long_date)
    app.add_template_filter(ago)
    app.add_template_filter(provenance)
    app.add_template_filter(safe_link)
    app.add_template_filter(rfc822)
    app.add_template_global(url_with)


def _datetime(value) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def long_date(value) -> str:
    """ "2024-05-01T09:30:00" -> "1 May 2024"; a period "2024-05" -> "May 2024"."""
    if isinstance(value, str) and len(value) in (4, 7):
        return value if len(value) == 4 else datetime.strptime(value, "%Y-%m").strftime("%B %Y")
    moment = _datetime(value)
    return f"{moment.day} {moment:%b %Y}" if moment else ""


def ago(value, now: datetime | None = None) -> str:
    """ "3 months ago", "yesterday", "today", or "in 2 days" for a date still ahead."""
    moment = _datetime(value)
    if moment is None:
        return ""
    days = ((now or datetime.now()).date() - moment.date()).days
    if days in (0, 1, -1):
        return {0: "today", 1: "yesterday", -1: "tomorrow"}[days]
    size, unit = next((size, unit) for size, unit in AGES if abs(days) >= size)
    count = abs(days) // size
    amount = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{amount} ago" if days > 0 else f"in {amount}"


def rfc822(value) -> str:
    """The date format RSS wants; naive times (as indexed) are given as UTC."""
    moment = _datetime(value)
    return format_datetime(moment.replace(tzinfo=moment.tzinfo or timezone.utc)) if moment else ""


def provenance(value: str) -> str:
    """ "relative (2 hours ago) to --now" -> "worked out from “2 hours ago” on the page, ..."."""
    relative = RELATIVE.fullmatch(value)
    if relative:
        base = "the time given to reindex --now" if "--now" in relative[2] else "the file's time"
        return f"worked out from “{relative[1]}” on the page, counted back from {base}"
    return PROVENANCE.get(value, value or "unknown")


def safe_link(url: str) -> str | None:
    """The URL when it is a web address; None for javascript:, data: and the like."""
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None
