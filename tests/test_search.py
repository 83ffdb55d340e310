"""The search API: boosts, filters, sorting, paging, syntax, snippets, and index errors."""
from __future__ import annotations

import json

import pytest
from whoosh import fields, index as whoosh_index

import search
from search.schema import BOOSTS


def art(title, body, **extra):
    return {"title": title, "body": body, **extra}


def titles(result):
    return [hit.title for hit in result.hits]


def test_word_in_title_outranks_word_in_body(make_index):
    index_dir = make_index([
        art("Council meeting ends early", "The harbour works start next week and last a month."),
        art("Harbour closed for repairs", "The works start next week and will last a month."),
    ])
    assert titles(search.search(index_dir, "harbour"))[0] == "Harbour closed for repairs"


def test_title_boost_is_tunable_at_query_time(make_index):
    index_dir = make_index([
        art("Council meeting ends early", "The harbour works start next week and the harbour stays shut."),
        art("Harbour closed for repairs", "The works start next week and will last a month or more."),
    ])
    flat = dict(BOOSTS, title=0.1)
    assert titles(search.search(index_dir, "harbour", boosts=flat))[0] == "Council meeting ends early"


def test_person_match_outranks_the_same_word_in_passing(make_index):
    index_dir = make_index([
        art("Garden show prizes", "The rose garden won first prize at the show on the hill this year."),
        art("Garden show prizes", "First prize at the show on the hill went to gardener Marcus Rose."),
    ])
    result = search.search(index_dir, "rose")
    assert result.hits[0].people == ("Marcus Rose",)
    assert result.hits[0].score > result.hits[1].score


def test_query_naming_a_year_prefers_articles_that_mention_it(make_index):
    index_dir = make_index([
        art("Club history", "The striker scored 1994 points over his long career at the club."),
        art("Club history", "The club was founded in 1994 by a group of dock workers."),
    ])
    result = search.search(index_dir, "1994")
    assert "founded in" in result.hits[0].snippet


def test_more_matching_words_rank_higher(make_index):
    index_dir = make_index([
        art("Bridge news", "The bridge reopened to traffic."),
        art("Bridge news", "The bridge reopened after the flood barrier was finished."),
        art("Weather news", "A flood warning was issued for the valley."),
    ])
    first = search.search(index_dir, "bridge flood").hits[0]
    assert "flood" in first.snippet and "bridge" in first.snippet.lower()


@pytest.fixture
def newsroom(make_index):
    return make_index([
        art("Budget passes", "Mayor Elena Varga signed the budget.", source="Harbour Herald", published="2024-03-02"),
        art("Budget row", "Elena Varga and the council argued over the budget.", source="Civic Radio", published="2024-07-15"),
        art("Budget vote delayed", "The budget vote was delayed again.", source="Harbour Herald", published="2025-01-20"),
        art("Ferry strike", "Ferry crews walked out over pay.", source="Civic Radio", published="2023-11-05"),
    ])


def test_filters_by_source_person_and_published_dates(newsroom):
    assert set(titles(search.search(newsroom, "budget", source="harbour herald"))) == {"Budget passes", "Budget vote delayed"}
    assert set(titles(search.search(newsroom, "budget", person="Elena Varga"))) == {"Budget passes", "Budget row"}
    assert titles(search.search(newsroom, "budget", date_from="2024-07", date_to="2024")) == ["Budget row"]
    assert titles(search.search(newsroom, "", date_to="2023")) == ["Ferry strike"]


def test_sorts_by_date_and_pages(newsroom):
    newest = search.search(newsroom, "budget", sort="newest")
    assert titles(newest) == ["Budget vote delayed", "Budget row", "Budget passes"]
    oldest = search.search(newsroom, "budget", sort="oldest")
    assert titles(oldest) == list(reversed(titles(newest)))
    second = search.search(newsroom, "budget", sort="newest", page=2, page_size=2)
    assert (second.total, titles(second)) == (3, ["Budget passes"])


def test_query_syntax(newsroom):
    assert titles(search.search(newsroom, '"budget vote"')) == ["Budget vote delayed"]
    assert "Budget row" not in titles(search.search(newsroom, "budget NOT council"))
    assert set(titles(search.search(newsroom, "title:budget AND source:\"civic radio\""))) == {"Budget row"}
    assert set(titles(search.search(newsroom, 'person:"Elena Varga"'))) == {"Budget passes", "Budget row"}
    assert titles(search.search(newsroom, "published:[2025-01 to 2025-02]")) == ["Budget vote delayed"]


@pytest.mark.parametrize("bad", [
    {"text": "published:[soon to later]"},
    {"date_from": "March"},
    {"date_from": "2025", "date_to": "2024"},
    {"sort": "popular"},
    {"page": 0},
])
def test_bad_requests_raise_a_clear_query_error(newsroom, bad):
    request = {"text": "budget", **bad}
    with pytest.raises(search.QueryError) as error:
        search.search(newsroom, **request)
    assert len(str(error.value).splitlines()) == 1


def test_snippets_escape_article_text_but_keep_highlights(make_index):
    index_dir = make_index([art("Odd page", 'It said <script>alert("x")</script> near the harbour & more.')])
    snippet = search.search(index_dir, "harbour").hits[0].snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert '<mark>harbour</mark>' in snippet


def test_a_missing_index_says_to_run_reindex(tmp_path):
    with pytest.raises(search.NoIndex, match="morgue reindex"):
        search.search(tmp_path / "nowhere", "anything")


def test_a_foreign_or_old_index_asks_for_a_rebuild(tmp_path, newsroom):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    whoosh_index.create_in(foreign, fields.Schema(text=fields.TEXT))
    with pytest.raises(search.IndexFormatError, match="rebuild it with `morgue reindex"):
        search.search(foreign, "anything")
    meta = newsroom / "morgue.json"
    meta.write_text(json.dumps(dict(json.loads(meta.read_text()), format=0)))
    with pytest.raises(search.IndexFormatError, match="format 0"):
        search.search(newsroom, "budget")
