"""Articles as export lines, one at a time: the response streams as the index is read."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from search import Article, article_dict

CSV_COLUMNS = ["id", "title", "source", "published", "published_guess", "published_from",
               "people", "mentioned", "author", "tags", "url", "path", "body"]


def csv_lines(articles: Iterable[Article]) -> Iterator[str]:
    """A header, then one CSV record per article; lists are joined with "; "."""
    yield _csv_row(CSV_COLUMNS)
    for article in articles:
        data = article_dict(article)
        yield _csv_row(["; ".join(v) if isinstance(v, list) else v for v in (data[c] for c in CSV_COLUMNS)])


def jsonl_lines(articles: Iterable[Article]) -> Iterator[str]:
    """One JSON object per line, the fields of /api/article without "more like this"."""
    for article in articles:
        yield json.dumps(article_dict(article), ensure_ascii=False) + "\n"


def _csv_row(values: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


# format name -> (media type, lines of the response body)
FORMATS = {
    "csv": ("text/csv", csv_lines),
    "jsonl": ("application/x-ndjson", jsonl_lines),
}
