"""Worker processes that read, analyse and write: each writes the articles of the jobs it
takes into a new segment of its own, and reports what it wrote.

Writing postings is most of a large reindex's time, and Whoosh does it in Python: one
writer process would leave the other cores idle for minutes at commit. Here every worker
writes its share, and the reindex (in its own process) only decides, in the order of the
jobs, which of the written articles to keep, and commits the segments together.
"""
from __future__ import annotations

import ctypes
import gc
import os
import queue
import signal
import traceback
from collections.abc import Callable, Iterator
from multiprocessing import get_context
from pathlib import Path

from whoosh import index as whoosh_index

from search.writing import QuickSegmentWriter

PR_SET_PDEATHSIG = 1
NICENESS = 10  # added to the workers' scheduling priority: below a server's processes
POLL_SECONDS = 1.0  # how often a wait checks that the other side lives: the workers, or a worker's reindex
# A worker's garbage collections, rarer than Python's default (700, 10, 10): it keeps
# hundreds of thousands of pooled postings lists, which every older collection walks again,
# and makes few reference cycles (about one an article). 7% of its time -> 0.4%.
GC_THRESHOLDS = (100_000, 10, 10)


class WorkerFailed(RuntimeError):
    """A worker process died or raised; the reindex stops and commits nothing."""


def _worker_setup(reindex_pid: int) -> None:
    """Workers leave Ctrl-C to the main process, which stops the run cleanly, and die with
    it: a killed reindex must not leave a process holding the index's write lock (which a
    worker inherits). They run at a lower priority: a server on the same machine answers
    first, the reindex takes the rest."""
    gc.set_threshold(*GC_THRESHOLDS)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(NICENESS)
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: _next_job sees the reindex gone
        pass
    _end_if_orphaned(reindex_pid)  # the reindex may have died before the line above


def _end_if_orphaned(reindex_pid: int) -> None:
    if os.getppid() != reindex_pid:
        os._exit(1)


def _next_job(jobs, reindex_pid: int):
    """The next job, or None at the end; a worker whose reindex is gone ends (no job would
    come, and it would hold the index's write lock forever)."""
    while True:
        try:
            return jobs.get(timeout=POLL_SECONDS)
        except queue.Empty:
            _end_if_orphaned(reindex_pid)


class SegmentWorkers:
    """`count` processes running read_job(job) -> (key, file_hash, outcome, documents, last)
    and writing the documents into their segments, `limitmb` of postings each in memory."""

    def __init__(self, index_dir: Path, count: int, read_job: Callable, limitmb: int):
        context = get_context("fork")
        self.jobs, self.results = context.Queue(), context.Queue()
        work = (index_dir, self.jobs, self.results, read_job, limitmb, os.getpid())
        self.processes = [context.Process(target=_work, args=work, daemon=True) for _ in range(count)]
        self.segments: list = []
        self._finished = 0
        import search.extract  # noqa: F401 - its patterns built once before the fork, and only for reading
        import search.facets  # noqa: F401 - with NumPy, loaded once before the fork, and only for workers
        gc.freeze()  # what the workers inherit stays out of their collections (and unwritten: shared)
        try:
            for process in self.processes:
                process.start()
        finally:
            gc.unfreeze()

    def __enter__(self) -> SegmentWorkers:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Ends the workers, done or not; what they wrote stays out of the index."""
        for process in self.processes:
            if process.is_alive():
                process.kill()
            process.join()
        for channel in (self.jobs, self.results):  # jobs never taken must not hold up the exit
            channel.cancel_join_thread()
            channel.close()

    def run(self, jobs: list[tuple]) -> Iterator[tuple]:
        """Each job's result, in the order of the jobs; documents come back as
        {"id", "content_hash", "placed": (segment id, document number)}."""
        for item in enumerate(jobs):
            self.jobs.put(item)
        for _ in self.processes:
            self.jobs.put(None)
        waiting: dict[int, tuple] = {}
        for number in range(len(jobs)):
            while number not in waiting:
                if self._finished == len(self.processes):
                    raise WorkerFailed(f"the workers ended without the result of job {number}")
                received = self._receive()
                if received is not None:
                    waiting[received[0]] = received[1]
            yield waiting.pop(number)

    def written(self) -> list:
        """The workers' segments, once every job is done."""
        while self._finished < len(self.processes):
            self._receive()
        return [s for s in self.segments if s is not None and s.doc_count_all()]

    def _receive(self) -> tuple[int, tuple] | None:
        """The next message: a job's number and result, or None for a finished segment."""
        while True:
            try:
                kind, *message = self.results.get(timeout=POLL_SECONDS)
                break
            except queue.Empty:
                dead = [p for p in self.processes if p.exitcode not in (None, 0)]
                if dead:
                    raise WorkerFailed(f"a reindex worker died (exit code {dead[0].exitcode})") from None
        if kind == "error":
            if message[1] is not None:
                raise message[1]  # could not write (a full disk): the user can fix that
            raise WorkerFailed(f"a reindex worker failed ({message[0]})")
        if kind == "job":
            return message[0], message[1]
        self.segments.append(message[0])
        self._finished += 1
        return None


def _work(index_dir: Path, jobs, results, read_job: Callable, limitmb: int, reindex_pid: int) -> None:
    """A worker's life: jobs until the None that ends them, then its segment (or a failure)."""
    from search.facets import PartWriter  # loaded before the fork

    _worker_setup(reindex_pid)
    writer, facets = None, PartWriter()
    try:
        while (item := _next_job(jobs, reindex_pid)) is not None:
            number, job = item
            key, file_hash, outcome, documents, last = read_job(job)
            if documents and writer is None:
                writer = QuickSegmentWriter(whoosh_index.open_dir(index_dir), _lk=False, limitmb=limitmb, compound=False)
            placed = []
            for document in documents:
                placed.append({"id": document["id"], "content_hash": document["content_hash"],
                               "placed": (writer.newsegment.segment_id(), writer.docnum)})
                writer.add_document(**document)
                facets.add(document)
            results.put(("job", number, (key, file_hash, outcome.without_articles(), placed, last)))
        segment = writer._finalize_segment() if writer else None
        if segment is not None:
            facets.save(Path(index_dir), segment)  # before the commit that makes the segment seen
        results.put(("segment", segment))
    except OSError as error:  # could not read or write (a full disk): the reindex says so in one line
        results.put(("error", str(error), error))
    except BaseException:
        results.put(("error", traceback.format_exc().strip().splitlines()[-1], None))
        raise
