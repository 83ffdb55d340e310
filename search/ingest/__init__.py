"""Corpus files -> Article records: one module per input format, one registry.

Every file gets an outcome: its articles (and a reason for each part that could not
become one), or a one-line reason why it was rejected. No input makes `read_file` raise:
one bad file never stops a run.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import re
import stat
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import chain
from pathlib import Path

from search.ingest.content import (
    GZIP_MAGIC, MAX_BYTES, IngestError, decode, gzip_size, inflate, sniff, unpack, unpacked_name,
)
from search.ingest.dateline import dateline_date
from search.model import Article

__all__ = ["EMPTY", "FileOutcome", "IngestError", "Part", "Source", "decode", "enrich", "find_files", "file_parts",
           "read_file", "read_part"]

# Format (content.sniff's answer) -> the module and function that read it, and whether that
# function takes text (else bytes: an HTML page or an XML feed declares its own encoding).
# Each reader is imported on first use: a daily reindex of a few text files need not load
# lxml, feedparser and the rest.
READERS = {
    "text": ("textfile", "read", True),
    "json": ("jsonfile", "read_json", True),
    "jsonl": ("jsonfile", "read_jsonl", True),
    "json-items": ("jsonfile", "read_json_items", True),  # a part of a large JSON array
    "csv": ("csvfile", "read", True),
    "reuters": ("reuters", "read", True),
    "html": ("htmlpage", "read", False),
    "feed": ("feed", "read", False),
}


def _read(kind: str, data: bytes, source: Source, **options):
    """The format's reader on data: (articles, reasons for the parts dropped)."""
    module, function, takes_text = READERS[kind]
    read = getattr(importlib.import_module(f"search.ingest.{module}"), function)
    return read(decode(data), source, **options) if takes_text else read(data, source, **options)

PART_BYTES = 512 * 1024  # a JSON Lines, CSV or JSON list file larger than this is read in parts of about this size
CHUNK_BYTES = 1024 * 1024  # files are fingerprinted and cut into parts a piece of this size at a time
_ARRAY_START = re.compile(rb"[\xef\xbb\xbf \t\r\n]*\[")  # a JSON file holding a list of articles
EMPTY = "empty: no article found"
# Files that describe a collection rather than report news.
NOT_ARTICLES = {"README", "LICENSE", "LICENCE", "COPYING", "SOURCE", "CHANGELOG", "NOTICE", "MANIFEST"}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a file's articles come from: its path, a stable key, the reference time, and
    the options that say how to read it."""

    path: Path
    key: str
    now: datetime
    now_from: str
    csv_columns: tuple[str, ...] | None = None

    def article_id(self, position: int, url: str = "", own: str = "") -> str:
        """Stable id: the URL when there is one, else the file's key and the record's own id
        (so that a record taken out of a dump leaves the ids of the others as they were),
        else the file's key and the position in it."""
        basis = url or (f"{self.key}#id={own}" if own else f"{self.key}#{position}")
        return hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Part:
    """Whole lines of a JSON Lines file, whole rows of a CSV file, or whole items of a JSON
    list (`kind`): bytes [start, end), the first of them line, row or item `first_line` of
    the file; of the file's unpacked copy at `data` when it is gzipped."""

    start: int
    end: int
    first_line: int
    kind: str = "jsonl"
    data: str | None = None


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What became of one input file: its articles, or the reason it was rejected.

    `problems` has one line per part of the file that did not become an article (a bad
    JSON line, an empty CSV row), so articles + problems account for everything in it.
    """

    path: str
    articles: tuple[Article, ...] = ()
    reason: str = ""
    problems: tuple[str, ...] = field(default=())

    @property
    def rejected(self) -> bool:
        return bool(self.reason)

    def without_articles(self) -> FileOutcome:
        """The outcome without its articles' text, once they are written."""
        return replace(self, articles=())


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


def read_file(path: Path, key: str, now: datetime | None = None, csv_columns: tuple[str, ...] | None = None) -> FileOutcome:
    """One file -> its articles, with people and dates extracted; never raises on bad input.

    The format is decided by content as well as name (content.py); `.gz` is unpacked.
    `csv_columns` names the columns of a CSV file without a header row.
    """
    path = Path(path)
    if path.name.split(".")[0].upper() in NOT_ARTICLES:
        return FileOutcome(str(path), reason="a collection's notes (README, LICENSE...), not an article")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe or device would block the read, or never end
            return FileOutcome(str(path), reason="not a regular file (a pipe, socket or device)")
        if info.st_size > MAX_BYTES:
            return FileOutcome(str(path), reason=f"too large (over {MAX_BYTES >> 20} MB): split it into smaller files")
        data = path.read_bytes()
        mtime = datetime.fromtimestamp(info.st_mtime)
    except OSError as error:
        return FileOutcome(str(path), reason=f"unreadable: {error.strerror or error}")
    source = Source(path, key, now or mtime, "--now" if now else "file time", csv_columns)
    return _outcome(str(path), data, source, mtime)


def file_parts(path: Path, digest=None, unpack_into: Path | None = None, room: int | None = None) -> list[Part]:
    """A large JSON Lines, CSV or JSON list file cut into parts of about PART_BYTES at line,
    row or item ends, so that worker processes share its work and none holds all of it; []
    for any other file.

    The file is read a piece at a time, never whole: a reindex fingerprints every file it
    has not seen, and dumps of hundreds of MB are common. With `digest` (a hashlib object)
    every byte read is also hashed, so the parts are cut from the bytes fingerprinted.
    A gzipped file is cut too when `unpack_into` (a folder) is given: a gzip cannot be
    entered midway, so it is unpacked there as it is read, and its parts are parts of that
    copy (`Part.data`), if what its trailer says it unpacks to fits in `room` bytes (when
    given). Raises OSError when the file cannot be read.
    """
    with path.open("rb") as file:
        info = os.fstat(file.fileno())
        chunks = _chunks(file, digest)
        head = next(chunks, b"")
        if not stat.S_ISREG(info.st_mode):
            parts = []
        elif head.startswith(GZIP_MAGIC):
            fits = room is None or gzip_size(file.fileno(), info.st_size) <= room
            parts = _unpacked_parts(path, chain([head], chunks), unpack_into) if unpack_into and fits else []
        elif PART_BYTES < info.st_size <= MAX_BYTES and (cutter := _cutter(path, head)):
            parts = _cut(chain([head], chunks), cutter)
        else:
            parts = []
        if digest is not None:
            for _ in chunks:  # read through: every byte is fingerprinted
                pass
    return parts if len(parts) > 1 else []


def _chunks(file, digest) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_BYTES):
        if digest is not None:
            digest.update(chunk)
        yield chunk


def _cut(chunks: Iterable[bytes], cutter) -> list[Part]:
    """The parts of the content the chunks make, cut where the cutter says."""
    parts, pending, start, number, size = [], b"", 0, 1, 0
    for chunk in chunks:
        size += len(chunk)
        if cutter is None:
            continue
        pending += chunk
        while (cut := cutter.cut(pending)) is not None:
            end, counted = cut
            parts.append(Part(start, start + end, number, cutter.kind))
            start, pending, number = start + end, pending[end:], number + counted
        if cutter.stopped:  # a row it cannot judge: the rest is one part
            cutter, pending = None, b""
    if parts and start < size:
        parts.append(Part(start, size, number, parts[0].kind))
    return parts


def _unpacked_parts(path: Path, chunks: Iterator[bytes], folder: Path) -> list[Part]:
    """The parts of a gzipped file that can be cut, cut from a copy unpacked into folder
    as the chunks are read. Anything unusual (a corrupt or truncated gzip, more than
    MAX_BYTES inside, no room for the copy) gives [], and the file is read whole, which
    says what was wrong."""
    inner = Path(unpacked_name(path.name))
    try:
        handle, copy = tempfile.mkstemp(suffix=inner.suffix, dir=folder)
    except OSError:
        return []
    parts = []
    try:
        with open(handle, "wb", buffering=0) as out:  # unbuffered: a full disk fails a write, not the close
            inflated = inflate(chunks)
            head = next(inflated, b"")
            if cutter := _cutter(inner, head):
                parts = _cut(map(_written_to(out), chain([head], inflated)), cutter)
    except (zlib.error, EOFError, IngestError, _CopyFailed):
        parts = []
    finally:
        if len(parts) < 2:  # no copy is left behind, whatever happened
            os.unlink(copy)
    return [replace(part, data=copy) for part in parts] if len(parts) > 1 else []


class _CopyFailed(Exception):
    """An unpacked copy could not be written (a full disk): its file is read whole. Not an
    OSError, which would say that the file itself could not be read."""


def _written_to(out) -> Callable[[bytes], bytes]:
    def written(data: bytes) -> bytes:
        rest = memoryview(data)
        try:
            while rest:  # an unbuffered write may write less than asked
                rest = rest[out.write(rest):]
        except OSError as error:
            raise _CopyFailed from error
        return data
    return written


def _cutter(path: Path, head: bytes):
    """How to cut content starting with head: a _LineCutter, a _RowCutter, or None for
    content read whole (of another format, or in UTF-16, which cannot be cut at a byte)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00", GZIP_MAGIC)):
        return None
    try:
        kind = sniff(head, path.suffix)
    except IngestError:
        return None
    if kind == "csv":
        from search.ingest import csvfile

        return _RowCutter(csvfile.delimiter_of(path, head.decode("latin-1")), csvfile.record_count)
    if kind == "json" and _ARRAY_START.match(head):
        return _ArrayCutter()
    return _LineCutter() if kind == "jsonl" else None


class _LineCutter:
    """Cuts JSON Lines at the first line end past PART_BYTES."""

    kind, stopped = "jsonl", False

    def cut(self, data: bytes) -> tuple[int, int] | None:
        """(end, lines) of the first part in data, or None until more data comes."""
        at = data.find(b"\n", PART_BYTES - 1)
        return None if at < 0 else (at + 1, _line_ends(data, at + 1))


class _ArrayCutter:
    """Cuts a JSON array after the first of its top-level commas past PART_BYTES: a part
    holds whole items, counted so that they are numbered as in the whole array. Strings
    are stepped over whole (a bracket or comma in one is text); a string not closed yet
    waits for more data."""

    kind, stopped = "json-items", False
    TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|"|[\[\]{},]')
    QUOTE, COMMA, OPENING = ord('"'), ord(","), frozenset(b"[{")

    def __init__(self):
        self.depth, self.scanned, self.items = 0, 0, 0

    def cut(self, data: bytes) -> tuple[int, int] | None:
        """(end, items) of the first part in data, or None until more data comes."""
        for token in self.TOKENS.finditer(data, self.scanned):
            start, end = token.span()
            mark = data[start]
            if mark == self.QUOTE:
                if end - start == 1:  # not closed in data
                    self.scanned = start
                    return None
            elif mark == self.COMMA:
                if self.depth == 1:
                    self.items += 1
                    if end >= PART_BYTES:
                        items, self.scanned, self.items = self.items, 0, 0
                        return end, items
            else:
                self.depth += 1 if mark in self.OPENING else -1
        self.scanned = len(data)
        return None


class _RowCutter:
    """Cuts CSV at the first line end past PART_BYTES that ends a row: one with an even
    number of quotes before it, checked by reading the part's rows strictly. A file with a
    row that does not read strictly (a stray quote) is not cut after it."""

    kind = "csv"

    def __init__(self, delimiter: str, record_count: Callable[[bytes, str], int | None]):
        self.delimiter, self.record_count, self.stopped = delimiter, record_count, False

    def cut(self, data: bytes) -> tuple[int, int] | None:
        """(end, rows) of the first part in data, or None until more data comes."""
        at = data.find(b"\n", PART_BYTES - 1)
        quotes = data.count(b'"', 0, max(at, 0))
        while at >= 0 and quotes % 2:  # inside a quoted cell
            after = data.find(b"\n", at + 1)
            quotes += data.count(b'"', at, max(after, at))
            at = after
        if at < 0:
            return None
        rows = self.record_count(data[: at + 1], self.delimiter)
        self.stopped = rows is None
        return None if rows is None else (at + 1, rows)


def _line_ends(data: bytes, end: int) -> int:
    """Line ends in data[:end], counted as decode() makes them: \\r\\n, \\r or \\n."""
    return data.count(b"\n", 0, end) + data.count(b"\r", 0, end) - data.count(b"\r\n", 0, end)


def read_part(path: Path, key: str, part: Part, now: datetime | None = None,
              csv_columns: tuple[str, ...] | None = None) -> FileOutcome:
    """One part of a file (see file_parts), read as read_file reads the whole file: article
    ids and line, row or item numbers are the same. A part without articles is not a
    rejection: the file is, when none of its parts has any."""
    try:
        mtime = datetime.fromtimestamp(path.stat().st_mtime)
        with open(part.data or path, "rb") as file:
            options = _part_options(file, part)
            file.seek(part.start)
            data = file.read(part.end - part.start)
    except OSError as error:
        return FileOutcome(str(path), reason=f"unreadable: {error.strerror or error}")
    source = Source(path, key, now or mtime, "--now" if now else "file time", csv_columns)
    return _outcome(str(path), data, source, mtime, part, options)


def _part_options(file, part: Part) -> dict:
    """What a part's reader needs to read it as in the whole file: the number of its first
    line, and for CSV the file's first characters, which say what its columns are and how
    they are escaped."""
    if part.kind == "json-items":
        return {"first_item": part.first_line}
    if part.kind != "csv":
        return {"first_line": part.first_line}
    from search.ingest.csvfile import JUDGED_CHARS

    head = file.read(4 * JUDGED_CHARS)  # in UTF-8, 4 bytes a character at most
    return {"head": decode(head)[:JUDGED_CHARS], "first_row": part.first_line}


def _outcome(path: str, data: bytes, source: Source, mtime: datetime, part: Part | None = None,
             options: dict | None = None) -> FileOutcome:
    """Unpack, sniff, read, enrich; every way this can fail ends in a one-line reason."""
    kind = "file"
    try:
        if part is None:
            data, name, problems = unpack(data, source.path.name)
            kind = sniff(data, Path(name).suffix)
            drafts, more = _read(kind, data, source)
        else:
            kind, problems = part.kind, []
            drafts, more = _read(kind, data, source, **options)
        problems = [_one_line(p) for p in problems + list(more)]
        if not drafts:
            reason = "" if part else _summary(problems)
            return FileOutcome(path, reason=reason, problems=tuple(problems))
        drafts = [d if d.published else _date_from_page(d, mtime) for d in drafts]
        return FileOutcome(path, enrich_all(drafts, linked=kind == "text"), problems=tuple(problems))
    except IngestError as error:
        return FileOutcome(path, reason=_one_line(str(error)))
    except Exception as error:  # a reader's bug must not stop a run of thousands of files
        return FileOutcome(path, reason=f"could not be read: the {kind} reader failed ({type(error).__name__}: "
                                        f"{_one_line(str(error))[:120]}); please report this file")


def _summary(problems: list[str]) -> str:
    """The reason for a file none of whose parts became an article."""
    if not problems:
        return EMPTY
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return problems[0] + more


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "unknown problem"


def _date_from_page(article: Article, mtime: datetime) -> Article:
    """No date field: the dateline when the story opens with one, else the file's time."""
    found = dateline_date(article.body, mtime)
    if found is not None:
        return replace(article, published=found, published_from="dateline", published_guess=False)
    return _guess_published(article, mtime)


def _guess_published(article: Article, mtime: datetime) -> Article:
    """No date in the file: the modification time, flagged as a guess."""
    return replace(article, published=mtime, published_from="file time", published_guess=True)


def enrich_all(drafts: list[Article], linked: bool) -> tuple[Article, ...]:
    """Enriches every article of one file. With `linked` (a scraped page and its related
    stories, which follow one story), each also gets the full names its siblings give: a
    related story that says only "Putin" is about the page's Vladimir Putin."""
    articles = [enrich(draft) for draft in drafts]
    if not linked or len(articles) < 2:
        return tuple(articles)
    from search.extract import link_across

    linked = link_across([a.people for a in articles], [f"{a.title}\n{a.body}" for a in articles])
    return tuple(replace(a, people=people) for a, people in zip(articles, linked))


def enrich(article: Article) -> Article:
    """Adds the people and dates mentioned in the article's text; people the file itself
    named (Article.people as read) stay, first, merged with the ones found.

    Should extraction fail on some odd text, the article is still indexed without them:
    losing the article would be worse than losing its mentions.
    """
    from search.extract import find_dates, find_people  # its patterns take a while to build: not for a no-op reindex

    # Relative dates ("on Thursday", "5 May") resolved against a guessed date would be guesses too.
    reference = None if article.published_guess else article.published
    try:
        found = find_people(article.title, article.body)
        mentions = find_dates(f"{article.title}\n{article.body}", reference)
    except (ValueError, OverflowError, IndexError, KeyError, TypeError, RecursionError):
        found, mentions = (), ()
    dates = tuple(dict.fromkeys(m.value for m in mentions))
    return replace(article, people=merge_people(article.people, found), dates=dates)


def merge_people(given: Iterable[str], found: Iterable[str]) -> tuple[str, ...]:
    """Given names, then found ones not already there. A given surname alone ("Reagan")
    gives way to the full name found in the text ("Ronald Reagan"); "Baker, James" is
    turned round; commas never stay (the index keeps people comma-separated)."""
    found = list(found)
    people = []
    for name in given:
        name = " ".join(reversed(name.split(",", 1))) if name.count(",") == 1 else name.replace(",", " ")
        name = " ".join(name.split())
        if name and " " not in name:
            name = next((f for f in found if f.split()[-1].casefold() == name.casefold()), name)
        if name:
            people.append(name)
    seen = {p.casefold() for p in people}
    return tuple(dict.fromkeys(people + [f for f in found if f.casefold() not in seen]))
