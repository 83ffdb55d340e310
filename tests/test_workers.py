"""Segment-writing workers: results in job order, a failing or dying worker stops the run, and
a worker whose reindex is gone ends by itself."""
from __future__ import annotations

import os
import signal
import time
from multiprocessing import get_context
from pathlib import Path

import pytest

import search.workers
from search.ingest import FileOutcome
from search.workers import SegmentWorkers, WorkerFailed, _work


def read_job(job: str) -> tuple:
    """Reads nothing: a job is a word saying how to behave."""
    if job == "raise":
        raise ValueError("cannot read this")
    if job == "die":
        os._exit(3)
    return job, "", FileOutcome(job), [], True


def test_results_come_in_job_order(tmp_path):
    jobs = [f"file-{n}" for n in range(50)]
    with SegmentWorkers(tmp_path, 3, read_job, 16) as crew:
        assert [key for key, *_ in crew.run(jobs)] == jobs
        assert crew.written() == []  # no documents, no segments


@pytest.mark.parametrize("job, reason", [("raise", r"failed \(ValueError: cannot read this\)"),
                                         ("die", r"died \(exit code 3\)")])
def test_a_worker_that_fails_or_dies_stops_the_run_with_the_reason(tmp_path, job, reason):
    with SegmentWorkers(tmp_path, 2, read_job, 16) as crew, pytest.raises(WorkerFailed, match=reason):
        list(crew.run(["a", job, "b"]))


def test_a_worker_whose_reindex_died_before_it_started_ends_without_taking_a_job(tmp_path):
    """The reindex may be killed between starting a worker and the worker's asking to die
    with it: the worker would wait for jobs forever, holding the index's write lock."""
    context = get_context("fork")
    jobs, results = context.Queue(), context.Queue()
    jobs.put((0, "file-0"))
    not_its_parent = os.getpid() + 1_000_000
    worker = context.Process(target=_work, args=(tmp_path, jobs, results, read_job, 16, not_its_parent))
    worker.start()
    worker.join(timeout=10)
    assert worker.exitcode == 1 and jobs.get(timeout=5) == (0, "file-0")


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def start_a_worker_and_wait(tmp_path, told) -> None:
    """A stand-in reindex: starts a worker, says its pid, and waits to be killed."""
    context = get_context("fork")
    worker = context.Process(target=_work, args=(tmp_path, context.Queue(), context.Queue(), read_job, 16, os.getpid()))
    worker.start()
    told.put(worker.pid)
    time.sleep(60)


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads process states from /proc")
def test_a_worker_ends_when_its_reindex_is_killed_even_without_a_death_signal(tmp_path, monkeypatch):
    monkeypatch.setattr(search.workers, "PR_SET_PDEATHSIG", 0)  # no such option: as on a system without one
    context = get_context("fork")
    told = context.Queue()
    reindex = context.Process(target=start_a_worker_and_wait, args=(tmp_path, told))
    reindex.start()
    worker = told.get(timeout=10)
    time.sleep(search.workers.POLL_SECONDS)
    assert alive(worker)  # waiting for jobs
    os.kill(reindex.pid, signal.SIGKILL)
    reindex.join()
    deadline = time.monotonic() + 5 * search.workers.POLL_SECONDS
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(worker)
