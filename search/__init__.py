"""morgue: full-text search for news archives, by words, people and dates.

The public API; the CLI and the web app use nothing else. Each name loads its module on
first use, so that `morgue reindex` does not pay for the search side's imports (NumPy).
"""
from __future__ import annotations

import importlib

_HOMES = {
    "search.indexer": ("IndexFormatError", "IndexProblem", "NoIndex", "ReindexReport", "open_index", "reindex"),
    "search.lock": ("ReindexRunning",),
    "search.articles": ("ArticleView", "NoArticle", "article_dict", "get_article", "matching_articles"),
    "search.facets": ("Facets", "Timeline"),
    "search.model": ("Article", "DateMention"),
    "search.query": ("MAX_QUERY_LENGTH", "SORTS", "Hit", "QueryError", "SearchResult", "search"),
    "search.serving": ("SharedIndex",),
    "search.stats": ("index_stats",),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
