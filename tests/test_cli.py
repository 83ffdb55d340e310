"""The morgue command, through click's runner and as a real subprocess."""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import CORPUS, DATA, NOW, ROOT
import search.cli
from search.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def page_index(tmp_path, runner):
    index_dir = tmp_path / "index"
    result = runner.invoke(cli, ["reindex", str(DATA / "scraped_page.txt"), "--index", str(index_dir), "--now", "2025-07-04T12:00"])
    assert result.exit_code == 0, result.output
    return index_dir


def test_reindex_prints_the_counts_and_rejections(tmp_path, runner):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.txt").write_bytes((DATA / "scraped_page.txt").read_bytes())
    (folder / "broken.json").write_text("{nope")
    result = runner.invoke(cli, ["reindex", str(folder), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert "2 files in" in result.output and "3 new, 0 updated" in result.output and "1 rejected" in result.output
    assert f"rejected {folder / 'broken.json'}: malformed JSON at line 1" in result.output
    log = json.loads((tmp_path / "ix" / "reindex-log.json").read_text())
    assert log["counts"]["rejected"] == 1
    assert {"path": str(folder / "broken.json"), "rejected": ["malformed JSON at line 1: Expecting property name enclosed in double quotes"], "outcome": "rejected", "articles": {}} in log["files"]


def test_reindex_progress_is_a_log_line_off_a_terminal_and_a_bar_on_one(tmp_path, runner):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.txt").write_bytes((DATA / "scraped_page.txt").read_bytes() * 40)
    (folder / "more.txt").write_bytes(b"Dock strike\n" + b"Crews return. " * 4000)
    size = round(sum(path.stat().st_size for path in folder.iterdir()) / 1000)
    result = runner.invoke(cli, ["reindex", str(folder), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0 and f"  {size} KB of {size} KB read (" in result.output
    assert (search.cli._size(840_000), search.cli._size(12_345_678)) == ("840 KB", "12.3 MB")
    assert "Indexing" not in result.output
    quiet = runner.invoke(cli, ["reindex", str(folder), "--index", str(tmp_path / "ix"), "--full", "--quiet"])
    assert " read (" not in quiet.output and "2 files in" in quiet.output
    main, terminal = pty.openpty()  # a terminal for the command to write to
    command = [sys.executable, "-m", "search", "reindex", str(folder), "--index", str(tmp_path / "ix"), "--full"]
    run = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=terminal, stderr=subprocess.PIPE, cwd=ROOT,
                         env={**os.environ, "COLUMNS": "100"}, timeout=120)
    os.close(terminal)
    shown = b""
    try:
        while chunk := os.read(main, 65536):
            shown += chunk
    except OSError:  # EIO: all is read, and the other end is closed
        pass
    os.close(main)
    assert run.returncode == 0, run.stderr
    assert b"Indexing" in shown and b"100%" in shown and b"B/s" in shown and b" read (" not in shown
    assert b"2 files in" in shown


def test_reindex_without_paths_reuses_the_last_ones(page_index, runner):
    result = runner.invoke(cli, ["reindex", "--index", str(page_index), "--quiet"])
    assert result.exit_code == 0 and "0 new, 0 updated, 3 unchanged" in result.output


def test_reindex_without_paths_or_history_explains(tmp_path, runner):
    result = runner.invoke(cli, ["reindex", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2 and "morgue reindex corpus/" in result.output


def test_reindex_without_paths_says_when_the_last_ones_are_gone(tmp_path, runner):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "story.txt").write_text("Harbour reopens\n\nThe harbour reopened on Monday.\n", encoding="utf-8")
    index_dir = tmp_path / "ix"
    assert runner.invoke(cli, ["reindex", str(folder), "--index", str(index_dir), "-q"]).exit_code == 0
    (folder / "story.txt").unlink()
    folder.rmdir()
    result = runner.invoke(cli, ["reindex", "--index", str(index_dir)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"The last run's {folder} no longer exists: name the files or folders to index" in result.output
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    for path in (first, second):
        path.write_text("Harbour reopens\n\nThe harbour reopened on Monday.\n", encoding="utf-8")
    assert runner.invoke(cli, ["reindex", str(first), str(second), "--index", str(index_dir), "-q"]).exit_code == 0
    first.unlink()
    second.unlink()
    result = runner.invoke(cli, ["reindex", "--index", str(index_dir)])
    assert f"The last run's {first}, {second} no longer exist: name" in result.output


def test_query_prints_readable_results(page_index, runner):
    result = runner.invoke(cli, ["query", "lighthouse keepers", "--index", str(page_index)])
    assert result.exit_code == 0
    assert result.output.startswith("2 results for 'lighthouse keepers'")
    assert "1. Lighthouse keepers return to Skerry Point after forty years" in result.output
    assert "<mark" not in result.output


def test_query_json_has_the_documented_fields(page_index, runner):
    result = runner.invoke(cli, ["query", "ferry", "--index", str(page_index), "--json", "--source", "Coast Weekly"])
    data = json.loads(result.output)
    assert data["total"] == 1 and data["query"] == "ferry"
    hit = data["hits"][0]
    assert set(hit) >= {"id", "title", "source", "published", "people", "score", "snippet"}
    assert hit["published"] == "2025-07-04T10:00:00"
    assert '<mark>Ferries</mark>' in hit["snippet"]


def test_index_comes_from_the_environment(page_index, runner):
    result = runner.invoke(cli, ["query", "museum"], env={"MORGUE_INDEX": str(page_index)})
    assert result.exit_code == 0 and "Skerry Point museum" in result.output


def test_errors_are_one_line_with_the_next_step(tmp_path, page_index, runner):
    missing = runner.invoke(cli, ["query", "x", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1
    assert missing.output.strip() == f"Error: No index at {tmp_path / 'none'}/ - run `morgue reindex corpus/ --index {tmp_path / 'none'}` first."
    bad = runner.invoke(cli, ["query", "x", "--index", str(page_index), "--from", "yesterday-ish"])
    assert bad.exit_code == 1 and "use YYYY, YYYY-MM, YYYY-MM-DD" in bad.output


def test_stats_json(page_index, runner):
    data = json.loads(runner.invoke(cli, ["stats", "--index", str(page_index), "--json"]).output)
    assert data["articles"] == 3
    assert data["sources"] == {"Coast Weekly": 1, "Island Radio": 1, "(none)": 1}
    assert data["published"]["min"] == "2025-07-03T12:00:00"
    assert data["last_reindex"]["new"] == 3


def test_every_command_teaches_in_its_help(runner):
    for command in ["reindex", "query", "serve", "stats"]:
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and "Usage: " in result.output


def test_python_dash_m_search_runs_the_cli_for_real(tmp_path):
    env = {**os.environ, "MORGUE_INDEX": str(tmp_path / "ix")}
    run = [sys.executable, "-m", "search"]
    reindex = subprocess.run([*run, "reindex", str(CORPUS), "--now", NOW.isoformat()], env=env, capture_output=True, text=True, cwd=ROOT)
    assert reindex.returncode == 0, reindex.stderr
    assert " new, " in reindex.stdout and "Traceback" not in reindex.stderr
    query = subprocess.run([*run, "query", "harbour", "--json"], env=env, capture_output=True, text=True)
    assert query.returncode == 0 and json.loads(query.stdout)["total"] > 0
