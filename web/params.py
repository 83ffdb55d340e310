"""The state of a search as URL parameters: read from a request, written into links.

All of a search lives in the URL (query, filters, sort, page), so a search can be
bookmarked and shared, and every link on a page is the current URL with one change.
"""
from __future__ import annotations

from urllib.parse import quote_plus, urlencode

from flask import g, request, url_for

import search

# URL parameter -> search() argument, in the order links spell them.
STATE = {"q": "text", "source": "source", "person": "person", "from": "date_from", "to": "date_to",
         "sort": "sort", "recency": "recency", "page": "page"}
FILTERS = ("source", "person", "from", "to")
URL_SAFE = "!$'()*,/:;?@"  # left as they are in a query string, as Flask's url_for leaves them


def search_args(page_size: int) -> dict:
    """This request's search, as search.search() takes it; bad values raise QueryError."""
    args = {STATE[key]: value for key, value in request.args.items() if key in STATE and value}
    args.setdefault("text", "")
    args["page"] = _page(request.args.get("page") or "1")
    args["page_size"] = page_size
    return args


def filter_args() -> dict:
    """The search without page and page size: what feeds and exports take."""
    args = search_args(page_size=1)
    del args["page"], args["page_size"]
    args.pop("recency", None)  # feeds and exports come newest first or in index order
    return args


def has_search() -> bool:
    return any(request.args.get(key) for key in STATE)


def current() -> dict:
    """The search state of this request, in link order, empty values left out (read once
    per request: a results page builds a hundred links from it)."""
    if "search_state" not in g:
        g.search_state = {key: request.args[key] for key in STATE if request.args.get(key)}
    return dict(g.search_state)


def url_with(changes: dict | None = None, endpoint: str = "morgue.index_page", **more) -> str:
    """The current search with some parameters changed (None or "" removes one).

    Any change goes back to page 1 unless it sets the page itself. Takes a dict because
    `from` cannot be a keyword argument.
    """
    changes = {**(changes or {}), **more}
    state = current()
    if "page" not in changes:
        state.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            state.pop(key, None)
        else:
            state[key] = value
    query = urlencode({key: state[key] for key in STATE if key in state}, safe=URL_SAFE, quote_via=quote_plus)
    return _path(endpoint) + (f"?{query}" if query else "")


def _path(endpoint: str) -> str:
    """The endpoint's path, built once per request (Flask's url_for is slow per link)."""
    paths = g.setdefault("paths", {})
    if endpoint not in paths:
        paths[endpoint] = url_for(endpoint)
    return paths[endpoint]


def _page(text: str) -> int:
    if not text.strip().isdigit():
        raise search.QueryError(f"The page must be a whole number, 1 or more, not {text[:20]!r}.")
    return int(text)
