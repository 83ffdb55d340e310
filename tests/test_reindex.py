"""Reindex: incremental outcomes, readers during a reindex, crashes, locking and Ctrl-C."""
from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import search
from conftest import ROOT, wait_until
from search.lock import ReindexLock

WORDS = "harbour bridge council ferry budget flood tram museum strike election".split()


def write_article(folder: Path, n: int, extra: str = "") -> Path:
    path = folder / f"story-{n:04d}.txt"
    words = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(40))
    path.write_text(f"Story number {n} about the {WORDS[n % len(WORDS)]}\n\nReport {n}: {words} {extra}\n", encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(5):
        write_article(folder, n)
    return folder


def ids(index_dir) -> set[str]:
    with search.open_index(index_dir).searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def counts(report) -> dict:
    return {k: v for k, v in report.counts().items() if k not in ("seconds", "files")}


def test_incremental_outcomes_for_added_changed_and_deleted_files(folder, tmp_path):
    index_dir = tmp_path / "index"
    first = search.reindex([folder], index_dir)
    assert counts(first) == {"new": 5, "updated": 0, "unchanged": 0, "removed": 0, "duplicates": 0, "rejected": 0}
    again = search.reindex([folder], index_dir)
    assert counts(again)["unchanged"] == 5 and again.indexed == 0
    write_article(folder, 5)
    write_article(folder, 1, extra="with a correction")
    (folder / "story-0002.txt").unlink()
    changed = search.reindex([folder], index_dir)
    assert counts(changed) == {"new": 1, "updated": 1, "unchanged": 3, "removed": 1, "duplicates": 0, "rejected": 0}
    assert search.search(index_dir, "correction").total == 1
    assert search.search(index_dir, '"Story number 2"').total == 0
    before_full = ids(index_dir)
    full = search.reindex([folder], index_dir, full=True)
    assert counts(full)["new"] == 5 and ids(index_dir) == before_full


def test_touching_a_file_without_changing_it_reads_nothing(folder, tmp_path):
    index_dir = tmp_path / "index"
    search.reindex([folder], index_dir)
    os.utime(folder / "story-0001.txt", (time.time() + 100, time.time() + 100))
    assert search.reindex([folder], index_dir).counts()["unchanged"] == 5


def rewrite_keeping_size_and_mtime(path: Path) -> None:
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("Story", "Xtory"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def test_a_settled_file_whose_size_and_mtime_are_the_same_is_not_read_again(folder, tmp_path):
    """As git and rsync judge files: size and mtime vouch for a file last changed well
    before it was read. Once its mtime moves, its content decides."""
    index_dir, story = tmp_path / "index", folder / "story-0001.txt"
    an_hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(story, ns=(an_hour_ago, an_hour_ago))
    search.reindex([folder], index_dir)
    rewrite_keeping_size_and_mtime(story)
    assert search.reindex([folder], index_dir).counts()["unchanged"] == 5
    os.utime(story, ns=(an_hour_ago, an_hour_ago + 10**9))
    assert search.reindex([folder], index_dir).counts()["updated"] == 1
    assert search.search(index_dir, "xtory").total == 1


def test_a_file_changed_just_before_a_reindex_is_read_again_even_with_the_same_size_and_mtime(folder, tmp_path):
    """A file written in the same clock tick as it was read could keep its mtime through
    a change: its size and mtime are not trusted."""
    index_dir, story = tmp_path / "index", folder / "story-0001.txt"
    search.reindex([folder], index_dir)  # the stories were written a moment ago
    rewrite_keeping_size_and_mtime(story)
    assert search.reindex([folder], index_dir).counts()["updated"] == 1


def test_what_the_index_holds_comes_from_files_json_or_else_its_columns(folder, tmp_path):
    """files.json names each file's articles, so a reindex need not read the index's
    columns; a files.json without them (or from another commit) falls back to the columns."""
    index_dir = tmp_path / "index"
    search.reindex([folder], index_dir)
    recorded = json.loads((index_dir / "files.json").read_text())
    assert all(len(r["articles"]) == 1 for r in recorded["files"].values())
    for record in recorded["files"].values():
        del record["articles"]
    (index_dir / "files.json").write_text(json.dumps(recorded))
    write_article(folder, 1, extra="with a correction")
    (folder / "story-0002.txt").unlink()
    report = search.reindex([folder], index_dir)
    assert (report.updated, report.unchanged, report.removed) == (1, 3, 1)
    assert ids(index_dir) == {i for r in json.loads((index_dir / "files.json").read_text())["files"].values() for i in r["articles"]}


def test_duplicates_are_counted_not_indexed_twice(folder, tmp_path):
    (folder / "copy.txt").write_bytes((folder / "story-0003.txt").read_bytes())
    report = search.reindex([folder], tmp_path / "index")
    assert (report.new, report.duplicates) == (5, 1)


def test_an_open_reader_keeps_its_view_until_it_reopens(folder, tmp_path):
    index_dir = tmp_path / "index"
    search.reindex([folder], index_dir)
    ix = search.open_index(index_dir)
    with ix.searcher() as before:
        write_article(folder, 9, extra="zeppelin")
        search.reindex([folder], index_dir)
        assert before.doc_count() == 5
        assert search.search(ix, "zeppelin").total == 1


def test_a_second_reindex_says_another_is_running(folder, tmp_path):
    index_dir = tmp_path / "index"
    with ReindexLock(index_dir):
        with pytest.raises(search.ReindexRunning, match=rf"another reindex is running \(pid {os.getpid()}\)"):
            search.reindex([folder], index_dir)
        run = subprocess.run([sys.executable, "-m", "search", "reindex", str(folder), "--index", str(index_dir)],
                             capture_output=True, text=True)
    assert run.returncode == 1 and f"another reindex is running (pid {os.getpid()})" in run.stderr
    assert "Traceback" not in run.stderr
    assert search.reindex([folder], index_dir).new == 5  # the lock went with its holder


def test_a_reindex_whose_writing_fails_lets_go_of_the_write_lock(folder, tmp_path):
    """Whoosh keeps its write lock when writing fails, and when cancelling the writer then
    fails too, as it does on a full disk; the reindex lets go of the lock all the same, so
    the next reindex can write. (The writing fails for real: the process may write no file
    past 64 KB, and the new article is larger.)"""
    index_dir = tmp_path / "index"
    search.reindex([folder], index_dir)
    words = " ".join(hashlib.sha1(str(n).encode()).hexdigest()[:8] for n in range(30_000))  # incompressible
    write_article(folder, 7, extra=f"zeppelin {words}")
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    on_limit = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit raises, not kills
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, limit[1]))
    try:
        with pytest.raises(OSError, match="File too large") as failure:  # kept: its frames hold the writer
            search.reindex([folder], index_dir)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
        signal.signal(signal.SIGXFSZ, on_limit)
    assert failure.value and search.search(index_dir, "zeppelin").total == 0
    run = subprocess.run([sys.executable, "-m", "search", "reindex", str(folder), "--index", str(index_dir)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert search.search(index_dir, "zeppelin").total == 1


@pytest.mark.parametrize("changed", [1, 70])  # read in the reindex's process, or by workers
def test_a_full_disk_stops_the_reindex_with_one_line_and_the_next_run_finishes(folder, tmp_path, changed):
    index_dir = tmp_path / "index"
    search.reindex([folder], index_dir)
    for n in range(10, 10 + changed):
        words = " ".join(hashlib.sha1(f"{n} {k}".encode()).hexdigest()[:8] for k in range(30_000 // changed))
        write_article(folder, n, extra=f"zeppelin {words}")
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]

    def small_disk():  # in the child: a write past 64 KB fails with "File too large"
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))

    command = [sys.executable, "-m", "search", "reindex", str(folder), "--index", str(index_dir), "-q"]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, preexec_fn=small_disk)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        f"Error: Stopped: could not write the index in {index_dir}/ (File too large). "
        "Make room or fix the folder, then run the reindex again: it finishes the job."]
    assert search.search(index_dir, "zeppelin").total == 0
    assert subprocess.run(command, capture_output=True, cwd=ROOT).returncode == 0
    assert search.search(index_dir, "zeppelin").total == changed


def big_corpus(folder: Path, files: int) -> Path:
    folder.mkdir()
    for n in range(files):
        write_article(folder, n)
    return folder


def start_reindex(folder: Path, index_dir: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "search", "reindex", str(folder), "--index", str(index_dir), *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def snapshot(index_dir: Path) -> list:
    """What a user sees: ids and totals for a few queries."""
    return [(q, search.search(index_dir, q, page_size=100).total) for q in WORDS[:4]] + [sorted(ids(index_dir))]


def test_a_reindex_killed_at_any_point_leaves_a_working_index(tmp_path):
    folder = big_corpus(tmp_path / "big", 600)
    clean_dir, index_dir = tmp_path / "clean", tmp_path / "index"
    search.reindex([folder], clean_dir)
    clean = snapshot(clean_dir)
    started = time.monotonic()
    search.reindex([folder], tmp_path / "timing", full=True)
    duration = time.monotonic() - started
    search.reindex([folder / "story-0000.txt"], index_dir)
    before = snapshot(index_dir)
    for share in (0.05, 0.3, 0.6, 0.85, 0.95, 1.05):
        process = start_reindex(folder, index_dir, "--full")
        time.sleep(share * duration + 0.3)  # + interpreter start-up
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = snapshot(index_dir)
        assert after in (before, clean), f"killed at {share:.0%}: the index changed halfway"
    finish = start_reindex(folder, index_dir)
    assert finish.wait(timeout=120) == 0, finish.stderr.read()
    assert snapshot(index_dir) == clean


def new_segments(index_dir: Path, files: list[str]) -> set[str]:
    """The segments whose files appeared in the index folder since `files` were there."""
    return {p.name.split(".")[0] for p in index_dir.iterdir() if p.name.startswith("MAIN_") and "." in p.name
            and p.name not in files}


def test_ctrl_c_stops_cleanly_and_keeps_the_index(tmp_path):
    folder = big_corpus(tmp_path / "big", 3000)
    index_dir = tmp_path / "index"
    search.reindex([folder / "story-0000.txt"], index_dir)
    before, files = snapshot(index_dir), sorted(p.name for p in index_dir.iterdir())
    process = start_reindex(folder, index_dir)
    wait_until(lambda: len(new_segments(index_dir, files)) >= 2)  # the run's writer's, and a worker's
    assert process.poll() is None, "the reindex ended before it could be stopped"
    process.send_signal(signal.SIGINT)  # while the workers write segments of their own
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "Stopped: the index is as it was before this reindex." in stderr and "Traceback" not in stderr
    assert snapshot(index_dir) == before
    assert sorted(p.name for p in index_dir.iterdir()) == files  # nothing left of the segments it was writing


def test_strict_exits_non_zero_on_rejections(folder, tmp_path):
    (folder / "bad.json").write_text("{")
    command = [sys.executable, "-m", "search", "reindex", str(folder), "--index", str(tmp_path / "ix"), "--strict", "-q"]
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == 1 and "1 rejected" in run.stdout
    log = json.loads((tmp_path / "ix" / "reindex-log.json").read_text())
    assert log["counts"]["new"] == 5


def test_a_named_pipe_among_the_files_is_rejected_not_waited_on(folder, tmp_path):
    os.mkfifo(folder / "feed.txt")  # reading it would wait for a writer that never comes
    command = [sys.executable, "-m", "search", "reindex", str(folder), "--index", str(tmp_path / "ix"), "-q"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "5 new" in run.stdout and "1 rejected" in run.stdout
    log = json.loads((tmp_path / "ix" / "reindex-log.json").read_text())
    assert [entry["rejected"] for entry in log["files"] if "rejected" in entry] == [["not a regular file (a pipe, socket or device)"]]


def test_an_unchanged_bad_file_stays_rejected_without_being_read_again(folder, tmp_path):
    (folder / "bad.json").write_text("{")
    index_dir = tmp_path / "index"
    first = search.reindex([folder], index_dir)
    again = search.reindex([folder], index_dir)
    assert again.rejected == first.rejected and len(first.rejected) == 1
    log = json.loads((index_dir / "reindex-log.json").read_text())
    (entry,) = [e for e in log["files"] if e["path"].endswith("bad.json")]
    assert entry["outcome"] == "unchanged" and entry["rejected"][0].startswith("malformed JSON at line 1")


def test_a_duplicate_is_indexed_once_its_original_goes(folder, tmp_path):
    index_dir = tmp_path / "index"
    (folder / "zz-copy.txt").write_bytes((folder / "story-0003.txt").read_bytes())
    assert search.reindex([folder], index_dir).duplicates == 1
    (folder / "story-0003.txt").unlink()
    report = search.reindex([folder], index_dir)
    assert (report.new, report.removed, report.duplicates) == (1, 1, 0)
    assert search.search(index_dir, '"Story number 3"').total == 1


def test_a_file_holding_a_duplicate_is_not_read_again_for_unrelated_changes(folder, tmp_path):
    index_dir = tmp_path / "index"
    (folder / "zz-copy.txt").write_bytes((folder / "story-0003.txt").read_bytes())
    search.reindex([folder], index_dir)
    write_article(folder, 1, extra="with a correction")
    report = search.reindex([folder], index_dir)
    assert (report.updated, report.duplicates) == (1, 1)
    log = json.loads((index_dir / "reindex-log.json").read_text())
    (entry,) = [e for e in log["files"] if e["path"].endswith("zz-copy.txt")]
    assert entry["outcome"] == "unchanged" and entry["articles"] == {"duplicate": 1}


def write_dump(folder: Path, count: int, changed: int | None = None) -> Path:
    lines = [json.dumps({"url": f"https://example.org/{n}", "title": f"Dump story {n}",
                         "body": f"Report {n}: " + " ".join(WORDS[(n + i) % len(WORDS)] for i in range(30))
                         + (" with a correction" if n == changed else "")}) for n in range(count)]
    path = folder / "dump.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_record_taken_out_of_a_dump_leaves_the_others_as_they_were(folder, tmp_path):
    """Records without a URL are known by their own id field, or else by their line: only
    with an id does a line taken out leave the records after it unchanged."""
    records = [{"id": f"r-{n}", "title": f"Record {n}", "body": f"Report {n}: {WORDS[n % 10]} " * 5} for n in range(6)]
    with_ids, by_line = folder / "with-ids.jsonl", folder / "by-line.jsonl"
    with_ids.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    lines = [{**r, "id": None, "title": f"Line {n}"} for n, r in enumerate(records)]
    by_line.write_text("\n".join(json.dumps(r) for r in lines), encoding="utf-8")
    index_dir = tmp_path / "index"
    assert counts(search.reindex([folder], index_dir))["new"] == 5 + 6 + 6
    with_ids.write_text("\n".join(json.dumps(r) for r in records[1:]), encoding="utf-8")
    changed = search.reindex([folder], index_dir)
    assert counts(changed) == {"new": 0, "updated": 0, "unchanged": 16, "removed": 1, "duplicates": 0, "rejected": 0}
    by_line.write_text("\n".join(json.dumps(r) for r in lines[1:]), encoding="utf-8")
    shifted = search.reindex([folder], index_dir)
    assert counts(shifted) == {"new": 0, "updated": 5, "unchanged": 10, "removed": 1, "duplicates": 0, "rejected": 0}


def test_a_large_jsonl_file_in_parts_is_indexed_as_a_whole(folder, tmp_path, monkeypatch):
    """Cut in more parts than it takes to start worker processes, which write segments of
    their own: the copies they wrote that the index must not keep (a duplicate line, the
    unchanged articles of a changed file) are gone, and the file is accounted for once."""
    path = write_dump(folder, 150)
    path.write_text(path.read_text() + path.read_text().splitlines()[5] + "\n")  # line 151 repeats line 6
    whole = search.reindex([folder], tmp_path / "whole")
    monkeypatch.setattr(search.ingest, "PART_BYTES", 500)
    index_dir = tmp_path / "parts"
    in_parts = search.reindex([folder], index_dir, workers=2)
    assert counts(in_parts) == counts(whole) == {**counts(whole), "new": 155, "duplicates": 1}
    assert ids(index_dir) == ids(tmp_path / "whole")
    log = json.loads((index_dir / "reindex-log.json").read_text())
    assert [e["articles"] for e in log["files"] if e["path"].endswith("dump.jsonl")] == [{"duplicate": 1, "new": 150}]
    write_dump(folder, 140, changed=3)
    again = search.reindex([folder], index_dir, workers=2)
    assert counts(again) == {"new": 0, "updated": 1, "unchanged": 144, "removed": 10, "duplicates": 0, "rejected": 0}
    assert search.search(index_dir, "correction").total == 1 and len(ids(index_dir)) == 145
    assert search.search(index_dir, '"Dump story 7"').total == 1
    with search.open_index(index_dir).searcher() as searcher:
        assert searcher.doc_count() == 145


def test_large_gzipped_dumps_are_read_in_parts_each_unpacked_copy_deleted_once_read(folder, tmp_path, monkeypatch):
    """Each dump is unpacked into the index folder as it is fingerprinted and read in parts
    by the workers; a dump's copy goes once its last part is read, the folder at the end."""
    for name in ("a", "b"):
        path = write_dump(folder, 150)
        path.with_name(f"{name}.jsonl.gz").write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
    whole = search.reindex([folder], tmp_path / "whole")
    monkeypatch.setattr(search.ingest, "PART_BYTES", 500)
    index_dir = tmp_path / "parts"
    unpacked = index_dir / search.indexer.UNPACKED
    copies = []
    in_parts = search.reindex([folder], index_dir, workers=2,
                              progress=lambda *_: copies.append(len(list(unpacked.iterdir()))))
    assert copies[0] == 2 and 1 in copies and copies == sorted(copies, reverse=True) and not unpacked.exists()
    assert counts(in_parts) == counts(whole) == {**counts(whole), "new": 155, "duplicates": 150}  # b repeats a
    assert ids(index_dir) == ids(tmp_path / "whole")
    write_dump(folder, 140, changed=3)
    (folder / "a.jsonl.gz").write_bytes(gzip.compress((folder / "dump.jsonl").read_bytes()))
    (folder / "dump.jsonl").unlink()
    again = search.reindex([folder], index_dir, workers=2)
    assert counts(again)["updated"] == 1 and search.search(index_dir, "correction").total == 1


def test_gzipped_dumps_past_the_room_for_unpacked_copies_are_read_whole(folder, tmp_path, monkeypatch):
    """Every copy is made before the reading starts: once they would take more than their
    share of the free disk, the next dumps are read whole, as a small gzip is."""
    for name in ("a", "b", "c"):
        path = write_dump(folder, 150)
        own_urls = path.read_bytes().replace(b".org/", f".org/{name}/".encode())
        path.with_name(f"{name}.jsonl.gz").write_bytes(gzip.compress(own_urls))
        path.unlink()
    whole = search.reindex([folder], tmp_path / "whole")
    monkeypatch.setattr(search.ingest, "PART_BYTES", 500)
    one_copy = len(gzip.decompress((folder / "a.jsonl.gz").read_bytes()))
    monkeypatch.setattr(search.indexer, "unpack_room", lambda folder: one_copy + 100)  # room for one copy
    index_dir = tmp_path / "parts"
    unpacked = index_dir / search.indexer.UNPACKED
    copies = []
    in_parts = search.reindex([folder], index_dir, workers=2,
                              progress=lambda *_: copies.append(len(list(unpacked.iterdir()))))
    assert copies[0] == 1 and copies[-1] == 0 and not unpacked.exists()
    assert counts(in_parts) == counts(whole) and counts(whole)["new"] == 455  # the folder held 5 before
    assert ids(index_dir) == ids(tmp_path / "whole")


def test_a_gzipped_dump_touched_but_unchanged_leaves_no_unpacked_copy(folder, tmp_path, monkeypatch):
    """Fingerprinting a touched dump unpacks it; found unchanged, its copy goes at once
    (it would take disk, and room from the dumps that changed)."""
    for name in ("a", "b"):
        path = write_dump(folder, 150)
        own_urls = path.read_bytes().replace(b".org/", f".org/{name}/".encode())
        path.with_name(f"{name}.jsonl.gz").write_bytes(gzip.compress(own_urls))
        path.unlink()
    index_dir = tmp_path / "parts"
    search.reindex([folder], index_dir, workers=2)
    monkeypatch.setattr(search.ingest, "PART_BYTES", 500)
    os.utime(folder / "a.jsonl.gz", (time.time() + 5, time.time() + 5))  # touched, the same bytes
    path = write_dump(folder, 150, changed=3)
    (folder / "b.jsonl.gz").write_bytes(gzip.compress(path.read_bytes().replace(b".org/", b".org/b/")))
    path.unlink()
    unpacked = index_dir / search.indexer.UNPACKED
    copies = []
    again = search.reindex([folder], index_dir, workers=2,
                           progress=lambda *_: copies.append(len(list(unpacked.iterdir()))))
    assert counts(again)["unchanged"] == 304 and counts(again)["updated"] == 1  # of b, the article changed
    assert copies[0] == 1  # b's copy alone


def test_a_large_json_array_in_parts_is_indexed_as_a_whole(folder, tmp_path, monkeypatch):
    items = [json.loads(line) for line in write_dump(folder, 150).read_text().splitlines()]
    (folder / "dump.jsonl").unlink()
    (folder / "dump.json").write_text(json.dumps(items + items[5:6], indent=1))  # item 151 repeats item 6
    whole = search.reindex([folder], tmp_path / "whole")
    monkeypatch.setattr(search.ingest, "PART_BYTES", 500)
    assert len(search.ingest.file_parts(folder / "dump.json")) >= search.indexer.PARALLEL_FROM  # workers start
    index_dir = tmp_path / "parts"
    in_parts = search.reindex([folder], index_dir, workers=2)
    assert counts(in_parts) == counts(whole) == {**counts(whole), "new": 155, "duplicates": 1}
    assert ids(index_dir) == ids(tmp_path / "whole")


def test_progress_follows_the_bytes_read_the_parts_of_a_large_file_moving_it(folder, tmp_path, monkeypatch):
    write_dump(folder, 150)
    size = sum(path.stat().st_size for path, _ in search.ingest.find_files([folder]))
    monkeypatch.setattr(search.ingest, "PART_BYTES", 500)
    calls = []
    search.reindex([folder], tmp_path / "index", progress=lambda done, total: calls.append((done, total)))
    done = [d for d, _ in calls]
    assert {total for _, total in calls} == {size} and done[-1] == size and done == sorted(done)
    assert len(set(done)) > 50  # a step a part, not one for the whole dump
    calls.clear()
    write_article(folder, 0, "with a correction")
    search.reindex([folder], tmp_path / "index", progress=lambda done, total: calls.append((done, total)))
    size = sum(path.stat().st_size for path, _ in search.ingest.find_files([folder]))
    assert calls[0][0] == size - (folder / "story-0000.txt").stat().st_size and calls[-1] == (size, size)


def test_a_reindex_empties_the_unpacking_folder_a_killed_run_left(folder, tmp_path):
    index_dir = tmp_path / "index"
    (index_dir / search.indexer.UNPACKED).mkdir(parents=True)
    (index_dir / search.indexer.UNPACKED / "tmp123.jsonl").write_text("{}\n")
    search.reindex([folder], index_dir)
    assert not (index_dir / search.indexer.UNPACKED).exists()


def write_csv_dump(folder: Path, count: int, changed: int | None = None) -> Path:
    """A CSV twin of write_dump, its bodies quoted over two lines."""
    rows = [["url", "title", "body"]] + [
        [f"https://example.org/{n}", f"Dump story {n}", f"Report {n}:\n" + " ".join(WORDS[(n + i) % len(WORDS)] for i in range(30))
         + (" with a correction" if n == changed else "")] for n in range(count)]
    path = folder / "dump.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    return path


def test_a_large_csv_file_in_parts_is_indexed_as_a_whole(folder, tmp_path, monkeypatch):
    """As the JSON Lines twin above: parts read by worker processes, then the file changed."""
    write_csv_dump(folder, 150)
    whole = search.reindex([folder], tmp_path / "whole")
    monkeypatch.setattr(search.ingest, "PART_BYTES", 500)
    assert len(search.ingest.file_parts(folder / "dump.csv")) >= search.indexer.PARALLEL_FROM  # workers start
    index_dir = tmp_path / "parts"
    in_parts = search.reindex([folder], index_dir, workers=2)
    assert counts(in_parts) == counts(whole) == {**counts(whole), "new": 155}
    assert ids(index_dir) == ids(tmp_path / "whole")
    log = json.loads((index_dir / "reindex-log.json").read_text())
    assert [e["articles"] for e in log["files"] if e["path"].endswith("dump.csv")] == [{"new": 150}]
    write_csv_dump(folder, 140, changed=3)
    again = search.reindex([folder], index_dir, workers=2)
    assert counts(again) == {"new": 0, "updated": 1, "unchanged": 144, "removed": 10, "duplicates": 0, "rejected": 0}
    assert search.search(index_dir, "correction").total == 1 and len(ids(index_dir)) == 145


def test_a_jsonl_file_whose_parts_hold_no_article_is_rejected_once(folder, tmp_path, monkeypatch):
    monkeypatch.setattr(search.ingest, "PART_BYTES", 100)
    (folder / "blank.jsonl").write_text("{}\n" + "\n" * 400)
    (folder / "broken.jsonl").write_text("[1]\n" * 100)
    (folder / "empty.jsonl").write_text(" \n" * 400)
    report = search.reindex([folder], tmp_path / "index")
    rejected = {name: [r for p, r in report.rejected if p.endswith(f"{name}.jsonl")] for name in ("blank", "broken", "empty")}
    assert rejected["blank"] == ["line 1: no title or body field (it has: none)"]
    assert rejected["broken"] == [f"line {n}: expected an object, found list" for n in range(1, 101)]
    assert rejected["empty"] == ["empty: no article found"] and report.new == 5
