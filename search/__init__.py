"""morgue: full-text search for news archives, by words, people and dates.

The public API; the CLI and the web app use nothing else.
"""
from search.indexer import IndexFormatError, IndexProblem, NoIndex, ReindexReport, open_index, reindex
from search.lock import ReindexRunning
from search.model import Article, DateMention
from search.query import Hit, QueryError, SearchResult, search
from search.stats import index_stats

__all__ = [
    "Article",
    "DateMention",
    "Hit",
    "IndexFormatError",
    "IndexProblem",
    "NoIndex",
    "QueryError",
    "ReindexReport",
    "ReindexRunning",
    "SearchResult",
    "index_stats",
    "open_index",
    "reindex",
    "search",
]
