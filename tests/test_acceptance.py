"""The foundation's promises, end to end through the CLI: the seed page and the BBC corpus
in ../shared, each with a twin on the sample corpus."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import CORPUS, shared_path
from search.cli import cli
from search.ingest import read_file


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def query_json(index_dir, *args: str) -> dict:
    return json.loads(run("query", *args, "--index", str(index_dir), "--json"))


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("seed-index")
    output = run("reindex", str(shared_path("seeds")), "--index", str(index_dir), "--now", "2025-07-04T12:00")
    assert "4 new" in output and "0 rejected" in output
    return index_dir


def test_seed_query_ranks_the_main_story_first_with_highlights(seed_index):
    data = query_json(seed_index, "Taliban recognition")
    first = data["hits"][0]
    assert first["title"] == "Russia becomes first country to recognise Afghanistan's Taliban government"
    assert "<mark>Taliban</mark>" in first["snippet"]


def test_seed_person_filter_finds_every_story_that_names_him(seed_index):
    data = query_json(seed_index, "", "--person", "Vladimir Putin")
    titles = {hit["title"] for hit in data["hits"]}
    assert data["total"] == 4 and "Russia becomes first country to recognise Afghanistan's Taliban government" in titles
    assert all("Vladimir Putin" in hit["people"] for hit in data["hits"])


def test_sample_corpus_twin(corpus_index):
    data = query_json(corpus_index, "Greywater Bridge closed")
    assert data["hits"][0]["title"].startswith("Greywater Bridge closed")
    assert "<mark>" in data["hits"][0]["snippet"]
    varga = query_json(corpus_index, "", "--person", "Elena Varga", "--limit", "50")
    assert varga["total"] == 13 and all("Elena Varga" in hit["people"] for hit in varga["hits"])


def test_bbc_latin1_story_is_indexed_not_rejected():
    path = shared_path("corpora", "bbc", "sport", "199.txt")
    outcome = read_file(path, "bbc/sport/199.txt")
    assert not outcome.rejected and len(outcome.articles) == 1


def test_sample_corpus_cp1252_twin():
    outcome = read_file(CORPUS / "text" / "cafe-rents-cp1252.txt", "corpus/text/cafe-rents-cp1252.txt")
    assert not outcome.rejected and "£" in outcome.articles[0].body
