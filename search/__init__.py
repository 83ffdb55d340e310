"""morgue: full-text search for news archives, by words, people and dates.

The public API; the CLI and the web app use nothing else.
"""
from search.indexer import IndexFormatError, IndexProblem, NoIndex, ReindexReport, open_index, reindex
from search.lock import ReindexRunning
from search.articles import ArticleView, NoArticle, article_dict, get_article, matching_articles
from search.facets import Facets, Timeline
from search.model import Article, DateMention
from search.query import MAX_QUERY_LENGTH, SORTS, Hit, QueryError, SearchResult, search
from search.serving import SharedIndex
from search.stats import index_stats

__all__ = [
    "MAX_QUERY_LENGTH",
    "SORTS",
    "Article",
    "ArticleView",
    "DateMention",
    "Facets",
    "Hit",
    "IndexFormatError",
    "IndexProblem",
    "NoArticle",
    "NoIndex",
    "QueryError",
    "ReindexReport",
    "ReindexRunning",
    "SearchResult",
    "SharedIndex",
    "Timeline",
    "article_dict",
    "get_article",
    "index_stats",
    "matching_articles",
    "open_index",
    "reindex",
    "search",
]
