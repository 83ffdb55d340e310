"""What the search makes of a query: explained in the user's words, respelled when words are
unknown, NOT and publication ranges that narrow an OR group, and a length limit."""
from __future__ import annotations

import json

import pytest

import search
from conftest import NOW
from search.query import MAX_QUERY_LENGTH


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    articles = [
        {"title": "Ferry strike", "body": "Ferry crews walked out. Elena Varga urged talks.", "published": "2023-11-05"},
        {"title": "Bridge closure", "body": "The bridge closed after elections were called.", "published": "2024-03-02"},
        {"title": "Flood barrier", "body": "The bridge and the flood barrier held.", "published": "2024-07-15"},
        {"title": "Bakery", "body": "Bread prices rose.", "published": "2025-01-20"},
    ]
    folder = tmp_path_factory.mktemp("help")
    (folder / "a.jsonl").write_text("\n".join(json.dumps(a) for a in articles))
    index_dir = tmp_path_factory.mktemp("help-index")
    search.reindex([folder], index_dir, now=NOW)
    return index_dir


def titles(result):
    return sorted(hit.title for hit in result.hits)


@pytest.mark.parametrize("typed, explained", [
    ("bridge flood", "bridge OR flood"),
    ('"flood barrier" title:bridge', '"flood barrier" OR title:bridge'),
    ('person:"Elena Varga" NOT bakery', 'person:"Elena Varga" NOT bakery'),
    ("published:[2024-01 to 2024-06]", "published:2024-01-01 to 2024-06-30"),
    ("bridge published:2024", "bridge AND published:2024-01-01 to 2024-12-31"),
    ("(ferry OR bridge) AND flood", "(ferry OR bridge) AND flood"),
    ("flood date:[2024 to 2025]", "flood OR date:[2024 TO 2025]"),
    ("harb*", "harb*"),
    ("", "everything"),
])
def test_the_query_is_explained_as_typed(archive, typed, explained):
    assert search.search(archive, typed).explained == explained


def test_not_excludes_instead_of_matching_everything_else(archive):
    assert titles(search.search(archive, "bridge NOT flood")) == ["Bridge closure"]
    assert titles(search.search(archive, "NOT bridge")) == ["Bakery", "Ferry strike"]


def test_a_publication_range_narrows_the_words(archive):
    assert titles(search.search(archive, "bridge published:2024-03")) == ["Bridge closure"]
    assert titles(search.search(archive, "published:[2024-03 to 2024-07]")) == ["Bridge closure", "Flood barrier"]
    assert titles(search.search(archive, "published:2023 OR published:2025")) == ["Bakery", "Ferry strike"]


@pytest.mark.parametrize("typed, suggestion", [
    ("brige", "bridge"),
    ("Fery strike", "Ferry strike"),
    ("elecions", "election"),  # three edits from the stem "elect": found in the dictionary
    ('person:"Elena Vraga"', 'person:"Elena Varga"'),
    ("bridge", None),
    ("xq", None),
    ("strike with THIS bridge", None),  # stop words are not in the index, and are no typos
    ("strike with the brige", "strike with the bridge"),
])
def test_unknown_words_are_respelled_as_written_in_the_archive(archive, typed, suggestion):
    assert search.search(archive, typed).suggestion == suggestion


def test_stray_angle_brackets_are_words_not_syntax(archive):
    assert titles(search.search(archive, "<b>bridge</b>")) == ["Bridge closure", "Flood barrier"]
    assert search.search(archive, "bakery > bread").total == 1


def test_a_query_has_a_length_limit(archive):
    search.search(archive, "x" * MAX_QUERY_LENGTH)
    with pytest.raises(search.QueryError, match="1,001 characters long; the limit is 1,000"):
        search.search(archive, "x" * (MAX_QUERY_LENGTH + 1))
