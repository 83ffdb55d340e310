"""Article -> Whoosh document, and the reindex that keeps the index in step with the files.

A reindex reads only new or changed files (by content fingerprint), in worker processes,
and writes the changes in one commit: readers keep the last committed state until then,
and a reindex killed at any point leaves the index as it was.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from stat import S_ISREG

from whoosh import index as whoosh_index
from whoosh.index import LockError, clean_files
from whoosh.writing import CLEAR

from search.ingest import EMPTY, FileOutcome, Part, file_parts, find_files, read_file, read_part
from search.lock import ReindexLock, ReindexRunning
from search.model import Article
from search.schema import FORMAT_VERSION, build_schema
from search.workers import SegmentWorkers
from search.writing import QuickSegmentWriter

META_FILE = "morgue.json"
LOG_FILE = "reindex-log.json"
FILES_FILE = "files.json"  # input fingerprints, valid for the commit generation they name
UNPACKED = ".unpacked"  # in the index folder: large gzipped inputs unpacked, to be read in parts
UNPACKED_SHARE = 0.5  # of the free disk a run's unpacked copies may take; gzips past it are read whole
MONTHS = "january february march april may june july august september october november december".split()
# Postings pooled in memory before they spill to disk, shared by the workers. Spills are
# merged back at the end: on news50k, 64 MB spill nine times and cost the workers 1.2% more
# instructions than 128 MB, which spill four times and take 36 MB more memory.
WRITER_MB = 128
PARALLEL_FROM = 64  # fewer changed files than this are read in-process (no pool start-up)
MTIME_TICK = 2.0  # seconds: the coarsest mtime a file system keeps; two changes within it may leave one mtime


class IndexProblem(Exception):
    """Base for index problems; the message says what to do next."""


class NoIndex(IndexProblem):
    pass


class IndexFormatError(IndexProblem):
    pass


@dataclass
class ReindexReport:
    """Every input accounted for: what was new, updated, unchanged, removed, duplicate, rejected."""

    files: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    log: list[dict] = field(default_factory=list)

    @property
    def indexed(self) -> int:
        return self.new + self.updated

    def counts(self) -> dict:
        names = ("files", "new", "updated", "unchanged", "removed", "duplicates")
        return {**{n: getattr(self, n) for n in names}, "rejected": len(self.rejected), "seconds": round(self.seconds, 3)}


@dataclass(frozen=True, slots=True)
class IndexedFile:
    """What the index knows of one input file: its fingerprint, its articles' hashes, and
    the reasons it was rejected (kept so that an unchanged bad file is not read again)."""

    file_hash: str
    articles: dict[str, str] = field(default_factory=dict)
    rejected: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()  # content hashes of the articles it repeats
    stat: tuple[int, int] | None = None  # size and mtime (ns) when its content was fingerprinted, if settled


@dataclass
class _FileInWork:
    """What the parts of one file read so far have given (a file read whole: one part)."""

    path: str
    problems: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)  # new, updated, unchanged or duplicate, per article
    repeated: list[str] = field(default_factory=list)  # content hashes of its duplicates
    kept: dict[str, str] = field(default_factory=dict)  # article id -> content hash
    current: set[str] = field(default_factory=set)  # ids of all its articles


def date_words(value: str) -> str:
    """An ISO date value as the words that should find it: "2024-07" -> "2024-07 2024 july"."""
    parts = value.split("-")
    words = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    if len(parts) >= 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        words.append(MONTHS[int(parts[1]) - 1])
    return " ".join(words)


def content_hash(article: Article) -> str:
    """Same hash, same article: text, source, url and a real (not guessed) publication date."""
    published = "" if article.published_guess or not article.published else article.published.isoformat()
    basis = "\x00".join((article.title, article.body, article.source, article.url, published))
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:20]


def to_document(article: Article, file_key: str = "") -> dict:
    """The fields Whoosh stores and indexes for one article."""
    document = {
        "id": article.id,
        "file": file_key,
        "content_hash": content_hash(article),
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
    full: bool = False,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    csv_columns: tuple[str, ...] | None = None,
) -> ReindexReport:
    """Brings the index at index_dir in step with every file below paths.

    Unchanged files are skipped by fingerprint; articles of files that changed or went away
    are updated or removed; `full` rebuilds everything. `progress(done, total)` follows files.
    `csv_columns` names the columns of CSV files that have no header row.
    Raises ReindexRunning when another reindex holds the folder.
    """
    started = time.perf_counter()
    index_dir, paths = Path(index_dir), [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"No such file or folder: {', '.join(missing)}")
    with ReindexLock(index_dir), _unpacking_folder(index_dir) as unpacked:
        ix = _writable_index(index_dir)
        run = _Reindex(ix, {} if full else indexed_files(ix, index_dir), full, progress, unpacked)
        files = list(find_files(paths, skip=index_dir))
        run.report.files = len(files)
        jobs = _jobs(run.skip_unchanged(files), now, csv_columns)
        workers = workers or os.cpu_count() or 1
        if workers < 2 or len(jobs) < PARALLEL_FROM:  # a daily update: no process start-up
            run.write(jobs, map(_read_one, jobs))
        else:
            run.open_writer()  # locked before the workers start writing
            with SegmentWorkers(index_dir, workers, _read_one, WRITER_MB // workers) as crew:
                run.write(jobs, crew.run(jobs), crew)
        run.report.seconds = time.perf_counter() - started
        _write_json(index_dir / FILES_FILE, {"generation": ix.latest_generation(), "files": run.records}, compact=True)
        _write_json(index_dir / LOG_FILE, {"counts": run.report.counts(), "files": run.report.log})
        _write_meta(index_dir, run.report, paths)
    return run.report


def indexed_files(ix, index_dir: Path) -> dict[str, IndexedFile]:
    """The index's own record of the files it was built from.

    files.json holds each file's fingerprint, rejections and articles' hashes, trusted only
    when it names the index's current commit; else the articles come from the index's
    columns (slower to read) and every file counts as changed.
    """
    recorded = read_json(index_dir / FILES_FILE)
    records = recorded.get("files", {}) if recorded.get("generation") == ix.latest_generation() else {}
    if records and all("articles" in r for r in records.values()):
        return {key: _indexed_file(r, r["articles"]) for key, r in records.items()}
    files = {key: _indexed_file(r, {}) for key, r in records.items()}
    with ix.reader() as reader:
        if reader.doc_count() == 0:
            return files
        ids, keys, hashes = (list(reader.column_reader(name)) for name in ("id", "file", "content_hash"))  # whole columns: 3x faster than by article
        for docnum in reader.all_doc_ids():
            files.setdefault(keys[docnum], IndexedFile("")).articles[ids[docnum]] = hashes[docnum]
    return files


def _indexed_file(record: dict, articles: dict[str, str]) -> IndexedFile:
    stat = tuple(record["stat"]) if record.get("stat") else None
    return IndexedFile(record["hash"], dict(articles), tuple(record["rejected"]), tuple(record.get("duplicates", ())), stat)


def _size_and_mtime(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


@contextmanager
def _unpacking_folder(index_dir: Path) -> Iterator[Path]:
    """The folder where large gzipped inputs are unpacked for the run (emptied first: a
    killed run leaves it behind), removed after."""
    folder = index_dir / UNPACKED
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def unpack_room(folder: Path) -> int:
    """The bytes a run's unpacked copies may take in folder: a share of the free disk."""
    try:
        return int(shutil.disk_usage(folder).free * UNPACKED_SHARE)
    except OSError:
        return 0


def _fingerprint(path: Path, unpack_into: Path, room: int) -> tuple[str, list[Part]]:
    """The file's fingerprint ("" when it cannot be read, or is not a regular file: a named
    pipe would block the read) and, for a large file that can be cut (gzipped or not), its
    parts, from one read. A gzip is unpacked into unpack_into only if what its trailer says
    it unpacks to fits in `room` bytes."""
    digest = hashlib.sha1()
    try:
        if not S_ISREG(path.stat().st_mode):
            return "", []
        parts = file_parts(path, digest, unpack_into, room)
    except OSError:
        return "", []
    return digest.hexdigest()[:20], parts


def _read_one(job: tuple) -> tuple[str, str, FileOutcome, list[dict], bool]:
    """Reads one file, or one part of a large one, into its articles' documents."""
    path, key, file_hash, now, csv_columns, part, last = job
    outcome = (read_file(path, key, now, csv_columns=csv_columns) if part is None
               else read_part(path, key, part, now, csv_columns=csv_columns))
    return key, file_hash, outcome, [to_document(a, key) for a in outcome.articles], last


def _jobs(changed: list[tuple[Path, str, str, list]], now, csv_columns) -> list[tuple]:
    """A job per changed file, or per part of a large one (the last part says so)."""
    jobs = []
    for path, key, file_hash, parts in changed:
        parts = parts or [None]
        jobs += [(path, key, file_hash, now, csv_columns, part, n == len(parts)) for n, part in enumerate(parts, 1)]
    return jobs


class _Reindex:
    """One reindex: what the index held, what this run has seen, and the writer it feeds."""

    def __init__(self, ix, known: dict[str, IndexedFile], full: bool, progress, unpacked: Path):
        self.ix, self.known, self.full, self.progress, self.unpacked = ix, known, full, progress, unpacked
        self.report = ReindexReport()
        self.records: dict[str, dict] = {}  # file key -> fingerprint, rejections and articles, for files.json
        self.seen_ids: set[str] = set()
        self.seen_content: dict[str, str] = {}
        self.in_work: dict[str, _FileInWork] = {}  # file key -> its parts read so far
        self.unwanted: dict[str, list[int]] = {}  # workers' segment id -> documents to delete
        self.stats: dict[str, tuple[int, int]] = {}  # file key -> settled size and mtime, looked at before reading
        self.sizes: dict[str, int] = {}  # file key -> its size, for the progress in bytes read
        self.cut_sizes: dict[str, int] = {}  # file key -> the size of what its parts cut (unpacked, if gzipped)
        self.unpack_room = unpack_room(unpacked)  # bytes left for unpacked copies
        self.bytes_read = self.bytes_in_all = 0
        self.writer = None

    def _tick(self) -> None:
        if self.progress:
            self.progress(round(self.bytes_read), self.bytes_in_all)

    def _read(self, job: tuple) -> None:
        """Counts a job's file, or its part's share of the file, as read, and deletes the
        unpacked copy a file's last part leaves: results come in the order of the jobs, so
        its other parts are read by then."""
        _, key, _, _, _, part, last = job
        size = self.sizes.get(key, 0)
        self.bytes_read += size if part is None else size * (part.end - part.start) / self.cut_sizes[key]
        if last and part is not None and part.data:
            Path(part.data).unlink(missing_ok=True)
        self._tick()

    def skip_unchanged(self, files: list[tuple[Path, str]]) -> list[tuple[Path, str, str, list]]:
        """Counts the files whose fingerprint the index already has; returns the others.

        A settled file whose size and mtime are those it had when fingerprinted is not read
        again (as git and rsync judge files); any other file is read and fingerprinted, so a
        file touched but not changed counts as unchanged.
        An unchanged file holding duplicates is read again only when the article it repeats
        was in a file that changed or went away: its copy may now be the one to index.
        """
        changed, holding = [], []
        settled_before = time.time_ns() - int(MTIME_TICK * 1e9)  # a file changed before then shows its next change
        for path, key in files:
            old = self.known.get(key)
            stat = _size_and_mtime(path)  # before reading: a change after it shows next time
            self.sizes[key] = stat[0] if stat else 0
            self.bytes_in_all += self.sizes[key]
            stat = stat if stat and stat[1] < settled_before else None  # else a change in the same tick could hide
            if stat is not None:
                self.stats[key] = stat
            if old is not None and old.file_hash and stat is not None and stat == old.stat:  # "": it was unreadable
                file_hash, parts = old.file_hash, None
            else:
                file_hash, parts = self._fingerprint(path, key)
            if old is None or old.file_hash != file_hash:
                changed.append((path, key, file_hash, parts))
                continue
            self._discard(parts)  # unchanged, though touched: its unpacked copy is not needed
            if old.duplicates:
                holding.append((path, key, file_hash, old))
            else:
                self._unchanged(path, key, file_hash, old)
        gone = ({key for _, key, _, _ in changed} | set(self.known) - {key for _, key in files}) & set(self.known)
        freed = {h for key in gone for h in self.known[key].articles.values()}
        for path, key, file_hash, old in holding:
            if freed & set(old.duplicates):
                changed.append((path, key, file_hash, self._fingerprint(path, key)[1]))
            else:
                self._unchanged(path, key, file_hash, old)
        self._tick()
        return changed

    def _fingerprint(self, path: Path, key: str) -> tuple[str, list[Part]]:
        """The file's fingerprint and parts (see _fingerprint), noting the size they cut. A
        gzipped file is unpacked to be cut only if its copy, by the size its trailer gives,
        fits in the room the copies so far leave (every copy is made before the reading
        starts); else it is read whole."""
        file_hash, parts = _fingerprint(path, self.unpacked, self.unpack_room)
        if parts:
            self.cut_sizes[key] = parts[-1].end
            if parts[0].data:
                self.unpack_room -= parts[-1].end
        return file_hash, parts

    def _discard(self, parts: list[Part] | None) -> None:
        """Deletes the unpacked copy parts were cut from, if any, and gives back its room."""
        if parts and parts[0].data:
            Path(parts[0].data).unlink(missing_ok=True)
            self.unpack_room += parts[-1].end

    def _unchanged(self, path: Path, key: str, file_hash: str, old: IndexedFile) -> None:
        self.records[key] = {"hash": file_hash, "rejected": list(old.rejected), "duplicates": list(old.duplicates),
                             "articles": dict(old.articles), "stat": self.stats.get(key)}
        self.report.rejected += [(str(path), reason) for reason in old.rejected]
        self.report.unchanged += len(old.articles)
        self.report.duplicates += len(old.duplicates)
        self.seen_ids.update(old.articles)
        self.seen_content.update((h, i) for i, h in old.articles.items())
        counts = {"unchanged": len(old.articles), "duplicate": len(old.duplicates)}
        entry = {"path": str(path), "outcome": "unchanged", "articles": {k: n for k, n in counts.items() if n}}
        self.report.log.append({**entry, "rejected": list(old.rejected)} if old.rejected else entry)
        self.bytes_read += self.sizes.get(key, 0)

    def write(self, jobs: list[tuple], outcomes: Iterable[tuple], crew: SegmentWorkers | None = None) -> None:
        """Applies the jobs' outcomes (files changed, or parts of them), removes the vanished
        files, and commits once. With `crew`, the articles come already written into the
        workers' segments: the ones this run does not keep (duplicates, unchanged) are
        deleted there before the segments join the index."""
        try:
            if self.full:
                self.open_writer()  # a full rebuild commits even when no article is left
            for job, (key, file_hash, outcome, documents, last) in zip(jobs, outcomes):
                self._apply(key, file_hash, outcome, documents, last)
                self._read(job)
            for key in set(self.known) - set(self.records):
                self._remove(self.known[key].articles)
            if crew is not None:
                self._commit_with(crew.written())
            elif self.writer is not None:
                self.writer.commit(mergetype=CLEAR) if self.full else self.writer.commit()
        except BaseException:
            if crew is not None:
                crew.stop()  # before their files are cleared away
            self._cancel()
            raise

    def _commit_with(self, segments: list) -> None:
        """One commit of this process's changes and the workers' segments (as Whoosh's own
        multi-process writer commits its sub-writers' segments)."""
        for segment in segments:
            for docnum in self.unwanted.get(segment.segment_id(), ()):
                segment.delete_document(docnum)
        writer = self.open_writer()
        final = writer._merge_segments(CLEAR if self.full else None, None, None) + segments
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final)
        writer._finish()

    def _apply(self, key: str, file_hash: str, outcome: FileOutcome, documents: list[dict], last: bool) -> None:
        """Writes a file's articles, or a part's; the file is accounted for with its last part."""
        work = self.in_work.pop(key, None) or _FileInWork(outcome.path)
        # One line per part that did not become an article; a rejected file counts once
        # per bad part (each bad CSV row), or once when it is bad as a whole.
        work.problems += list(outcome.problems) or ([outcome.reason] if outcome.rejected else [])
        old = self.known.get(key, IndexedFile("")).articles
        for document in documents:
            status = self._article(document, old)
            work.statuses.append(status)
            if status == "duplicate":
                work.repeated.append(document["content_hash"])
            else:
                work.kept[document["id"]] = document["content_hash"]
            work.current.add(document["id"])
        if last:
            self._finish(key, file_hash, work, old)
        else:
            self.in_work[key] = work

    def _finish(self, key: str, file_hash: str, work: _FileInWork, old: dict[str, str]) -> None:
        """Records a file read whole, removes the articles it no longer holds, logs it."""
        problems = work.problems or ([] if work.statuses else [EMPTY])
        self.report.rejected += [(work.path, p) for p in problems]
        self.records[key] = {"hash": file_hash, "rejected": problems, "duplicates": work.repeated, "articles": work.kept,
                             "stat": self.stats.get(key)}
        self._remove({i: h for i, h in old.items() if i not in work.current})
        entry: dict = {"path": work.path, **({"rejected": problems} if problems else {})}
        entry["outcome"] = "read" if work.statuses else "rejected"
        entry["articles"] = {s: work.statuses.count(s) for s in sorted(set(work.statuses))}
        self.report.log.append(entry)

    def _article(self, document: dict, old: dict[str, str]) -> str:
        """Writes one article if it is new or changed (or keeps it, when a worker wrote it
        already); returns what became of it."""
        article_id, digest = document["id"], document["content_hash"]
        if article_id in self.seen_ids or digest in self.seen_content:
            self.report.duplicates += 1
            return self._unwanted(document, "duplicate")
        self.seen_ids.add(article_id)
        self.seen_content[digest] = article_id
        if old.get(article_id) == digest:
            self.report.unchanged += 1
            return self._unwanted(document, "unchanged")
        status = "updated" if article_id in old else "new"
        if "placed" not in document:
            self.open_writer().add_document(**document) if self.full else self.open_writer().update_document(**document)
        elif status == "updated":
            self.open_writer().delete_by_term("id", article_id)
        setattr(self.report, status, getattr(self.report, status) + 1)
        return status

    def _unwanted(self, document: dict, status: str) -> str:
        """Notes a copy a worker wrote that the index must not keep."""
        if "placed" in document:
            segment_id, docnum = document["placed"]
            self.unwanted.setdefault(segment_id, []).append(docnum)
        return status

    def _remove(self, articles: dict[str, str]) -> None:
        """Deletes articles that are gone, unless this run has written them again elsewhere."""
        for article_id in articles:
            if article_id not in self.seen_ids:
                self.open_writer().delete_by_term("id", article_id)
                self.report.removed += 1

    def open_writer(self):
        """The run's writer in this process, which holds the index's write lock until the
        commit (workers write segments of their own under it).

        Segments are written as separate files, not Whoosh's default single compound file:
        every reader of a compound file copies it whole into memory (a server has one
        reader per thread: 2.9 GB instead of 120 MB on news50k)."""
        if self.writer is None:
            try:
                self.writer = QuickSegmentWriter(self.ix, limitmb=WRITER_MB, compound=False)
            except LockError:
                raise ReindexRunning(f"another process is writing to {self.ix.storage.folder}/") from None
        return self.writer

    def _cancel(self) -> None:
        """Drops the uncommitted changes and the write lock (kept by Whoosh when commit fails),
        and the files of segments the workers wrote for the commit that did not happen."""
        if self.writer is not None:
            try:
                self.writer.cancel()
            except Exception:  # closing its files failed as well (a full disk): it kept the lock
                if self.writer.writelock and self.writer.writelock.fd is not None:
                    self.writer.writelock.release()
        try:
            clean_files(self.ix.storage, self.ix.indexname, self.ix.latest_generation(), self.ix._segments())
        except Exception:  # a leftover file costs disk space until the next commit, nothing else
            pass


def _writable_index(index_dir: Path):
    """The existing index when it is ours and current, else a new empty one."""
    index_dir.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(index_dir) and read_meta(index_dir).get("format") == FORMAT_VERSION:
        return whoosh_index.open_dir(index_dir)
    return whoosh_index.create_in(index_dir, build_schema())


def read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_meta(index_dir: str | Path) -> dict:
    """The index's metadata: format version, paths and counts of the last reindex."""
    return read_json(Path(index_dir) / META_FILE)


def _write_json(path: Path, data: dict, compact: bool = False) -> None:
    """Writes whole or not at all: a reader never sees half a file. `compact` for files
    only the program reads."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    text = json.dumps(data, ensure_ascii=False, **({"separators": (",", ":")} if compact else {"indent": 1}))
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_meta(index_dir: Path, report: ReindexReport, paths: list[Path]) -> None:
    meta = {
        "format": FORMAT_VERSION,
        "built": datetime.now().isoformat(timespec="seconds"),
        "paths": [str(p.resolve()) for p in paths],
        "last_reindex": {**report.counts(), "rejections": [{"path": p, "reason": r} for p, r in report.rejected]},
    }
    _write_json(index_dir / META_FILE, meta)


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
