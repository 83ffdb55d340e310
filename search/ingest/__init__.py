"""Corpus files -> Article records: one module per input format, one registry.

Every file gets an outcome: its articles, or a one-line reason why it was rejected.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from search.extract import find_dates, find_people
from search.ingest import jsonfile, textfile
from search.model import Article

# File extension -> reader(text, source: Source) -> list of Article drafts.
READERS = {
    ".txt": textfile.read,
    ".json": jsonfile.read_json,
    ".jsonl": jsonfile.read_jsonl,
}
# Files that describe a collection rather than report news.
NOT_ARTICLES = {"README", "LICENSE", "LICENCE", "COPYING", "SOURCE", "CHANGELOG", "NOTICE"}


class IngestError(ValueError):
    """A file that cannot become articles; the message is the reason shown to the user."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a file's articles come from: its path, a stable key, and the reference time."""

    path: Path
    key: str
    now: datetime
    now_from: str

    def article_id(self, position: int, url: str = "") -> str:
        """Stable id: the URL when there is one, else the file's key and the position in it."""
        basis = url or f"{self.key}#{position}"
        return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What became of one input file: its articles, or the reason it was rejected."""

    path: str
    articles: tuple[Article, ...] = ()
    reason: str = ""
    problems: tuple[str, ...] = field(default=())

    @property
    def rejected(self) -> bool:
        return bool(self.reason)


def find_files(paths: Iterable[str | Path], skip: Path | None = None) -> Iterator[tuple[Path, str]]:
    """Every file below the given paths, with its key (root folder name + relative path).

    Hidden files and folders and the `skip` folder (the index itself) are left out.
    """
    skip = skip.resolve() if skip else None
    for root in map(Path, paths):
        if root.is_file():  # keyed as if its folder had been named: the same file, the same ids
            yield root, f"{root.resolve().parent.name}/{root.name}"
            continue
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip)
            for name in sorted(files):
                if not name.startswith("."):
                    path = here / name
                    yield path, f"{root.resolve().name}/{path.relative_to(root).as_posix()}"


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if b"\x00" in data[:4096]:
        raise IngestError("not text (binary data)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_file(path: Path, key: str, now: datetime | None = None, csv_columns: tuple[str, ...] | None = None) -> FileOutcome:
    """One file -> its articles, with people and dates extracted; never raises on bad input.

    `csv_columns` names the columns of a CSV file without a header row.
    """
    reader = READERS.get(path.suffix.lower())
    if path.stem.upper() in NOT_ARTICLES:
        return FileOutcome(str(path), reason="a collection's notes (README, LICENSE...), not an article")
    if reader is None:
        return FileOutcome(str(path), reason=f"unsupported file type {path.suffix or '(none)'!r}")
    try:
        data = path.read_bytes()
        mtime = datetime.fromtimestamp(path.stat().st_mtime)
        source = Source(path, key, now or mtime, "--now" if now else "file time")
        drafts, problems = reader(decode(data), source)
    except IngestError as error:
        return FileOutcome(str(path), reason=str(error))
    except OSError as error:
        return FileOutcome(str(path), reason=f"unreadable: {error.strerror or error}")
    if not drafts:
        return FileOutcome(str(path), reason=problems[0] if problems else "empty: no article found", problems=tuple(problems))
    drafts = [d if d.published else _guess_published(d, mtime) for d in drafts]
    return FileOutcome(str(path), tuple(enrich(d) for d in drafts), problems=tuple(problems))


def _guess_published(article: Article, mtime: datetime) -> Article:
    """No date in the file: the modification time, flagged as a guess."""
    return replace(article, published=mtime, published_from="file time", published_guess=True)


def enrich(article: Article) -> Article:
    """Adds the people and dates mentioned in the article's text."""
    people = find_people(article.title, article.body)
    mentions = find_dates(f"{article.title}\n{article.body}", article.published)
    dates = tuple(dict.fromkeys(m.value for m in mentions))
    return replace(article, people=tuple(people), dates=dates)
