"""Article -> Whoosh document, and the reindex that builds the index from corpus files."""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import CLEAR

from search.ingest import find_files, read_file
from search.model import Article
from search.schema import FORMAT_VERSION, build_schema

META_FILE = "morgue.json"
MONTHS = "january february march april may june july august september october november december".split()


class IndexProblem(Exception):
    """Base for index problems; the message says what to do next."""


class NoIndex(IndexProblem):
    pass


class IndexFormatError(IndexProblem):
    pass


@dataclass
class ReindexReport:
    """Every input accounted for: files read, articles indexed, what was rejected and why."""

    files: int = 0
    indexed: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "indexed": self.indexed,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "rejections": [{"path": p, "reason": r} for p, r in self.rejected],
            "seconds": round(self.seconds, 3),
        }


def date_words(value: str) -> str:
    """An ISO date value as the words that should find it: "2024-07" -> "2024-07 2024 july"."""
    parts = value.split("-")
    words = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    if len(parts) >= 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        words.append(MONTHS[int(parts[1]) - 1])
    return " ".join(words)


def to_document(article: Article) -> dict:
    """The fields Whoosh stores and indexes for one article."""
    document = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "people": "\n".join(article.people),
        "person": ",".join(article.people),
        "dates": " ".join(date_words(v) for v in article.dates),
        "mentioned": list(article.dates),
        "source": article.source,
        "published_from": article.published_from,
        "published_guess": article.published_guess,
        "url": article.url,
        "path": article.path,
    }
    if article.published is not None:
        document["published"] = article.published
    return document


def reindex(
    paths: Iterable[str | Path],
    index_dir: str | Path,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReindexReport:
    """Builds the index at index_dir from every file below paths.

    The new state replaces the old in one commit: a reader keeps its view until then.
    `progress(done, total)` is called after each file.
    """
    started = time.perf_counter()
    index_dir = Path(index_dir)
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"No such file or folder: {', '.join(missing)}")
    files = list(find_files(paths, skip=index_dir))
    ix = _writable_index(index_dir)
    report = ReindexReport(files=len(files))
    seen: set[str] = set()
    writer = ix.writer()
    try:
        for done, (path, key) in enumerate(files, start=1):
            outcome = read_file(path, key, now)
            report.rejected += [(str(path), p) for p in outcome.problems if outcome.articles]
            if outcome.rejected:
                report.rejected.append((str(path), outcome.reason))
            for article in outcome.articles:
                if article.id in seen:
                    report.duplicates += 1
                    continue
                seen.add(article.id)
                writer.add_document(**to_document(article))
                report.indexed += 1
            if progress:
                progress(done, len(files))
        writer.commit(mergetype=CLEAR)
    except BaseException:
        writer.cancel()
        raise
    report.seconds = time.perf_counter() - started
    _write_meta(index_dir, report, paths)
    return report


def _writable_index(index_dir: Path):
    """The existing index when it is ours and current, else a new empty one."""
    index_dir.mkdir(parents=True, exist_ok=True)
    meta = read_meta(index_dir)
    if whoosh_index.exists_in(index_dir) and meta.get("format") == FORMAT_VERSION:
        return whoosh_index.open_dir(index_dir)
    return whoosh_index.create_in(index_dir, build_schema())


def read_meta(index_dir: Path) -> dict:
    try:
        return json.loads((index_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(index_dir: Path, report: ReindexReport, paths: list[Path]) -> None:
    meta = {
        "format": FORMAT_VERSION,
        "built": datetime.now().isoformat(timespec="seconds"),
        "paths": [str(p.resolve()) for p in paths],
        "last_reindex": report.as_dict(),
    }
    tmp = index_dir / f".{META_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    os.replace(tmp, index_dir / META_FILE)


def open_index(index_dir: str | Path):
    """The Whoosh index at index_dir, or an error that says how to make one."""
    index_dir = Path(index_dir)
    if not whoosh_index.exists_in(index_dir):
        raise NoIndex(f"No index at {index_dir}/ - run `morgue reindex corpus/ --index {index_dir}` first.")
    meta = read_meta(index_dir)
    if meta.get("format") != FORMAT_VERSION:
        found = meta.get("format", "none (not a morgue index)")
        raise IndexFormatError(
            f"The index at {index_dir}/ has format {found}, this morgue reads format "
            f"{FORMAT_VERSION}: rebuild it with `morgue reindex PATH --index {index_dir}`."
        )
    try:
        return whoosh_index.open_dir(index_dir)
    except Exception as error:  # a pickled schema from other code, a truncated TOC...
        raise IndexFormatError(
            f"The index at {index_dir}/ cannot be opened ({error.__class__.__name__}): "
            f"rebuild it with `morgue reindex PATH --index {index_dir}`."
        ) from error
