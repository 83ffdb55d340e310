"""What an article page says about itself in its markup: title, publication date, author,
canonical URL and site name, from JSON-LD, <meta> tags and <time> elements.

Only declared values are taken (no guessing from the visible text), so a date found here
is the publisher's own and counts as a field, like a date field in JSON.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from search.ingest.fields import names_of, parse_date, text_of

# <meta name|property|itemprop=...> values that hold the publication date, best first.
DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "rnews:datepublished",
    "originalpublicationdate", "publishdate", "publish-date", "publish_date", "pubdate", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date", "date",
    "article.published", "published_time", "og:published_time", "article:modified_time",
)
AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl", "byline")
TITLE_META = ("og:title", "twitter:title", "headline", "parsely-title", "dc.title")
SITE_META = ("og:site_name", "application-name", "publisher", "dc.publisher")
_SEPARATOR = re.compile(r"(\s+[|\-\u2013\u2014\u00bb:]\s+)")
ARTICLE_TYPES = ("article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "report")


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str = ""
    published: datetime | None = None
    author: str = ""
    url: str = ""
    site: str = ""


def page_meta(tree) -> PageMeta:
    """The page's declared metadata; a missing item is empty, never an error."""
    metas = _metas(tree)
    linked = _linked_data(tree)
    url = _canonical(tree) or metas.get("og:url", "")
    site = text_of(linked.get("publisher")) or _first(metas, SITE_META) or _host(url)
    title = text_of(linked.get("headline")) or _first(metas, TITLE_META) or _title_tag(tree)
    return PageMeta(  # JSON-LD and <meta> values often carry entities a second time ("doesn&#8217;t")
        title=html.unescape(_without_site(" ".join(title.split()), site)),
        published=parse_date(linked.get("datePublished")) or _meta_date(metas) or _time_element(tree),
        author=html.unescape(", ".join(_authors(linked.get("author"))) or _meta_author(metas) or _itemprop_author(tree)),
        url=url if url.startswith(("http://", "https://")) else "",
        site=site,
    )


def _without_site(title: str, site: str) -> str:
    """"Good article title | TechCrunch" -> "Good article title" when TechCrunch is the site
    (at either end); other separators stay as written."""
    parts = _SEPARATOR.split(title)  # text, separator, text, ...
    names = {site.casefold(), site.casefold().removesuffix(".com")} - {""}
    if len(parts) > 2 and parts[-1].strip().casefold() in names:
        parts = parts[:-2]
    elif len(parts) > 2 and parts[0].strip().casefold() in names:
        parts = parts[2:]
    return "".join(parts).strip(" |")


def _metas(tree) -> dict[str, str]:
    """<meta> values by lower-case name/property/itemprop; the first of each name wins."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        value = meta.get("content") or ""
        if key and value.strip():
            found.setdefault(key.strip().lower(), value.strip())
    page = found.get("parsely-page", "")
    if page.startswith("{"):  # Parse.ly's JSON blob: {"pub_date": ..., "author": ...}
        data = _json(page)
        if isinstance(data, dict):
            found.setdefault("parsely-pub-date", text_of(data.get("pub_date")))
            found.setdefault("parsely-author", text_of(data.get("author")))
    return {k: v for k, v in found.items() if v}


def _linked_data(tree) -> dict:
    """The JSON-LD object that describes the article (the first of an article type, else
    the first with a headline or date), or {}."""
    objects = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            objects += _flatten(_json(script.text))
    typed = [o for o in objects if _is_article(o)]
    dated = [o for o in objects if "datePublished" in o or "headline" in o]
    return (typed or dated or [{}])[0]


def _json(text: str):
    try:
        return json.loads(text.strip().rstrip(";"), strict=False)
    except (ValueError, RecursionError):
        return None


def _flatten(data) -> list[dict]:
    if isinstance(data, list):
        return [o for item in data for o in _flatten(item)]
    if isinstance(data, dict):
        return [data, *_flatten(data.get("@graph"))]
    return []


def _is_article(item: dict) -> bool:
    kinds = item.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.lower() in ARTICLE_TYPES for k in kinds)


def _first(metas: dict[str, str], names: tuple[str, ...]) -> str:
    return next((metas[n] for n in names if metas.get(n)), "")


def _meta_date(metas: dict[str, str]) -> datetime | None:
    return next(filter(None, (parse_date(metas[n]) for n in DATE_META if n in metas)), None)


def _time_element(tree) -> datetime | None:
    """<time itemprop="datePublished"> or <time pubdate>, else the first <time> in <article>."""
    for time in tree.iter("time"):
        if (time.get("itemprop") or "").lower() == "datepublished" or time.get("pubdate") is not None:
            return parse_date(time.get("datetime") or time.text_content())
    for article in tree.iter("article"):
        for time in article.iter("time"):
            if time.get("datetime"):
                return parse_date(time.get("datetime"))
    return None


def _authors(value) -> list[str]:
    if isinstance(value, dict):
        value = [value]
    return [name for name in names_of(value) if not name.startswith("http")]


def _meta_author(metas: dict[str, str]) -> str:
    for name in AUTHOR_META:
        value = metas.get(name, "")
        if value and not value.startswith("http"):
            return value[3:].strip() if value.lower().startswith("by ") else value
    return ""


def _itemprop_author(tree) -> str:
    names = []
    for element in tree.xpath('//*[@itemprop="author"]')[:5]:
        inner = element.xpath('.//*[@itemprop="name"]')
        text = " ".join((inner[0] if inner else element).text_content().split())
        if text and len(text) < 80:
            names.append(text[3:] if text.lower().startswith("by ") else text)
    return ", ".join(dict.fromkeys(names))


def _canonical(tree) -> str:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return (link.get("href") or "").strip()
    return ""


def _title_tag(tree) -> str:
    title = next(tree.iter("title"), None)
    if title is not None and title.text_content().strip():
        return " ".join(title.text_content().split())
    h1 = next(tree.iter("h1"), None)
    return " ".join(h1.text_content().split()) if h1 is not None else ""


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")
