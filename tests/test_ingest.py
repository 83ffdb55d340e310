"""Ingest: every file becomes articles or a one-line rejection, and ids stay stable."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta

import pytest

from conftest import DATA, NOW, shared_path
from search.ingest import decode, fields, find_files, read_file


def read(path, now=NOW):
    return read_file(path, path.name, now)


def test_scraped_page_splits_main_story_and_related_stories():
    outcome = read(DATA / "scraped_page.txt")
    main, ferry, museum = outcome.articles
    assert main.title == "Lighthouse keepers return to Skerry Point after forty years"
    assert "Hashtags" not in main.body and "Comments" not in main.body
    assert "Walter Brennan" in main.body and main.published_guess
    assert (ferry.source, ferry.title) == ("Coast Weekly", "Storm closes ferry route to the outer islands")
    assert ferry.published == NOW - timedelta(hours=2) and not ferry.published_guess
    assert ferry.published_from == "relative (2 hours ago) to --now"
    assert museum.source == "Island Radio" and museum.published == NOW - timedelta(days=1)
    assert museum.body.startswith("The small museum")


def test_related_story_times_fall_back_to_the_file_time(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes((DATA / "scraped_page.txt").read_bytes())
    outcome = read_file(page, "page.txt", None)
    assert outcome.articles[1].published_from == "relative (2 hours ago) to file time"


def test_the_seed_page_gives_four_articles():
    seed = shared_path("seeds", "000_b41d69e35b5f90a6.txt")
    articles = read(seed).articles
    assert len(articles) == 4
    assert articles[0].title.startswith("Russia becomes first country to recognise")
    assert [a.source for a in articles[1:]] == ["Yahoo"] * 3
    assert all("Related Articles" not in a.body for a in articles)


def test_headline_and_body_text_with_windows_bytes(tmp_path):
    path = tmp_path / "cafe.txt"
    path.write_bytes("Caf\xe9 reopens\r\n\r\nThe caf\xe9 on Quay Street costs \x80 5 a cup.\r\n".encode("latin-1"))
    (article,) = read(path).articles
    assert article.title == "Café reopens"
    assert article.body == "The café on Quay Street costs € 5 a cup."


def test_decode_handles_bom_and_rejects_binary():
    assert decode("\ufeffHello\r\nthere".encode("utf-8")) == "Hello\nthere"
    with pytest.raises(ValueError, match="not text"):
        decode(b"\x00\x01\x02binary")


def test_json_object_and_list_with_common_field_names(tmp_path):
    path = tmp_path / "items.json"
    path.write_text(json.dumps([
        {"headline": "Dock strike ends", "text": "Crews return.", "publishedAt": "2024-07-11T09:30:00Z",
         "source": {"name": "Northern Wire"}, "link": "https://example.org/dock"},
        {"title": "Ferry fares rise", "content": "Fares go up.", "date": "2024-07-12", "site": "Civic Radio"},
    ]))
    dock, fares = read(path).articles
    assert (dock.title, dock.body, dock.source, dock.url) == ("Dock strike ends", "Crews return.", "Northern Wire", "https://example.org/dock")
    assert dock.published == datetime(2024, 7, 11, 9, 30) and dock.published_from == "field"
    assert (fares.source, fares.published) == ("Civic Radio", datetime(2024, 7, 12))


def test_jsonl_bad_lines_are_reported_and_the_rest_indexed(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"title": "One", "body": "First."}\n{"title": "Two", "bo\n[1, 2]\n{"title": "", "body": ""}\n{"title": "Three", "body": "Third."}\n')
    outcome = read(path)
    assert [a.title for a in outcome.articles] == ["One", "Three"]
    assert outcome.problems == (
        "malformed JSON at line 2: Unterminated string starting at",
        "line 3: expected an object, found list",
        "line 4: empty: no title or body",
    )


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty"),
    ("headline-only.txt", b"Just a headline\n", "empty"),
    ("blob.txt", b"\x00\x00\x89PNG", "not text"),
    ("notes.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
    ("broken.json", b'{"title": "x",', "malformed JSON at line 1"),
    ("README.txt", b"About this collection\n\nIt has files.", "not an article"),
])
def test_bad_files_are_rejected_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    outcome = read(path)
    assert outcome.rejected and reason in outcome.reason and not outcome.articles


def test_walk_is_recursive_and_skips_hidden_files_and_the_index(tmp_path):
    for name in ["a.txt", "sub/b.json", ".hidden.txt", ".git/c.txt", "index/d.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    keys = [key for _, key in find_files([tmp_path], skip=tmp_path / "index")]
    assert keys == [f"{tmp_path.name}/a.txt", f"{tmp_path.name}/sub/b.json"]


def test_ids_are_stable_and_prefer_the_url(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text('{"title": "A", "body": "a", "url": "https://example.org/a"}\n{"title": "B", "body": "b"}\n')
    first, second = read(path).articles, read(path).articles
    assert [a.id for a in first] == [a.id for a in second]
    other = tmp_path / "copy.jsonl"
    other.write_text(path.read_text())
    copy = read(other).articles
    assert copy[0].id == first[0].id and copy[1].id != first[1].id


def test_a_named_pipe_is_rejected_not_waited_on(tmp_path):
    pipe = tmp_path / "feed.txt"
    os.mkfifo(pipe)
    assert read_file(pipe, "feed.txt", NOW).reason.startswith("not a regular file")


@pytest.mark.parametrize("text", [
    "1987-02-26T15:01:01", "2024-03-05", "2024-03-05T09:30", "2024-03-05 09:30:00", "2024-03-05T09:30:00Z",
    "2024-03-05T09:30:00+05:30", "2024-03-05T23:30:00-0400", "2024-03-05T09:30:00.250", "2024-12-31T23:59:59.999999+00:00",
])
def test_iso_dates_are_read_as_dateutil_reads_them(text):
    """ISO dates take a quick path of their own; it must agree with the general one."""
    quick, general = fields._iso(text), fields._written(text)
    assert quick is not None
    assert (quick, quick.utcoffset()) == (general, general.utcoffset())


@pytest.mark.parametrize("text", ["2024-03", "2024-03-05T", "2024-13-05", "2024-03-05 at noon", "05/03/2024"])
def test_other_dates_leave_the_quick_path_to_dateutil(text):
    assert fields._iso(text) is None
