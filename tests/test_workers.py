"""Segment-writing workers: results in job order, and a failing or dying worker stops the run."""
from __future__ import annotations

import os

import pytest

from search.ingest import FileOutcome
from search.workers import SegmentWorkers, WorkerFailed


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
