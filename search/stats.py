"""What is in an index: counts by source, the span of publication dates, the last reindex."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from search.indexer import open_index, read_meta


def index_stats(index_dir: str | Path) -> dict:
    """A summary of the index at index_dir, as plain data for text or JSON."""
    ix = open_index(index_dir)
    sources: Counter[str] = Counter()
    dates = []
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            sources[fields.get("source") or "(none)"] += 1
            if fields.get("published") and not fields.get("published_guess"):
                dates.append(fields["published"])
        articles = searcher.doc_count()
    meta = read_meta(Path(index_dir))
    return {
        "index": str(index_dir),
        "articles": articles,
        "sources": dict(sources.most_common()),
        "published": {
            "min": min(dates).isoformat() if dates else None,
            "max": max(dates).isoformat() if dates else None,
        },
        "last_reindex": meta.get("last_reindex", {}),
        "built": meta.get("built"),
    }
