"""Ranking: BM25F words, repeated words, questions, recency, explanations, and the
evaluation bench on a tiny judged collection (tests/data/judged)."""
from __future__ import annotations

import importlib.util
import json
import sys
from datetime import datetime, timedelta

import pytest
from whoosh import query as wq

import search
from search.query import parse_query
from search.ranking import WordQuery, half_life_days
from search.schema import build_schema
from conftest import DATA, ROOT


def art(title, body, **extra):
    return {"title": title, "body": body, **extra}


def titles(result):
    return [hit.title for hit in result.hits]


def day(days_ago: int, newest: datetime = datetime(2025, 6, 30)) -> str:
    return (newest - timedelta(days=days_ago)).date().isoformat()


def test_a_word_is_one_query_over_its_fields_and_counts_as_often_as_typed():
    parsed = parse_query("harbour flood harbour", build_schema())
    words = {q.subqueries[1].text: q.boost for q in parsed.subqueries}
    assert all(isinstance(q, WordQuery) for q in parsed.subqueries)
    assert words == {"harbour": 2.0, "flood": 1.0}
    assert [t.fieldname for t in parsed.subqueries[0].subqueries] == ["title", "body", "people", "dates"]


def test_the_parts_of_a_hyphenated_word_are_words():
    parsed = parse_query("shock-induced", build_schema())
    assert [q.subqueries[0].text for q in parsed.subqueries if isinstance(q, WordQuery)] == ["shock", "induc"]


def test_a_question_mark_ends_a_question_but_stays_a_wildcard_inside_a_word():
    assert isinstance(parse_query("quango?", build_schema()), WordQuery)
    assert any(isinstance(q, wq.Wildcard) for q in parse_query("wom?n", build_schema()).leaves())


def test_a_repeated_word_weighs_more(make_index):
    index_dir = make_index([
        art("Harbour news", "The harbour reopened on Monday after the works."),
        art("Flood news", "The flood warning ended on Monday after the rain."),
    ])
    assert titles(search.search(index_dir, "harbour harbour flood"))[0] == "Harbour news"
    assert titles(search.search(index_dir, "flood harbour flood"))[0] == "Flood news"


@pytest.fixture
def dated(make_index):
    """The same story three times: the oldest says "ferry strike" most often."""
    return make_index([
        art("Ferry strike", "Ferry strike: the ferry strike goes on, the ferry strike talks fail.", published=day(60)),
        art("Ferry strike talks", "The ferry strike talks fail again.", published=day(30)),
        art("Ferry strike ends", "The ferry strike ends.", published=day(0)),
    ])


def test_recency_halves_a_score_with_each_half_life_of_age(dated):
    plain = {hit.title: hit.score for hit in search.search(dated, "ferry strike").hits}
    recent = search.search(dated, "ferry strike", recency="30d")
    assert titles(search.search(dated, "ferry strike"))[0] == "Ferry strike"
    assert titles(recent) == ["Ferry strike ends", "Ferry strike talks", "Ferry strike"]
    for hit, factor in zip(recent.hits, (1.0, 0.5, 0.25)):
        assert hit.score == pytest.approx(plain[hit.title] * factor, rel=1e-3)


def test_recency_is_off_when_sorting_or_filtering_by_date(dated):
    relevance = titles(search.search(dated, "ferry strike"))
    assert titles(search.search(dated, "ferry strike", recency="30d", date_from=day(90))) == relevance
    assert titles(search.search(dated, "ferry strike published:>2020", recency="1d")) == relevance
    assert titles(search.search(dated, "ferry strike", recency="1d", sort="oldest"))[0] == "Ferry strike"


@pytest.mark.parametrize("value, days", [("30d", 30), ("2w", 14), ("1y", 365.25), ("12h", 0.5), (7, 7), ("off", None), (None, None)])
def test_recency_reads_half_lives(value, days):
    assert half_life_days(value) == days


def test_a_bad_recency_says_what_to_give(dated):
    with pytest.raises(search.QueryError, match="half-life such as 7d"):
        search.search(dated, "ferry", recency="soon")


def test_explain_adds_up_to_the_score_by_word_field_and_decay(dated):
    hit = search.search(dated, "ferry strike", recency="30d", explain=True).hits[-1]
    why = hit.explanation
    assert {part["query"] for part in why["parts"]} == {"ferry", "strike"}
    assert set(why["parts"][0]["fields"]) == {"title", "body"}
    assert sum(p["score"] for p in why["parts"]) == pytest.approx(why["relevance"], abs=1e-3)
    assert why["recency"]["age_days"] == 60 and why["recency"]["factor"] == pytest.approx(0.25)
    assert why["score"] == pytest.approx(hit.score, abs=1e-3)
    assert "explanation" in hit.as_dict()
    assert "explanation" not in search.search(dated, "ferry").hits[0].as_dict()


def test_explain_covers_phrases_and_fielded_words(newsroom_like):
    hit = search.search(newsroom_like, '"budget vote" title:delayed', explain=True).hits[0]
    parts = {p["query"]: p for p in hit.explanation["parts"]}
    assert set(parts) == {'"budget vote"', "delayed"}
    assert set(parts["delayed"]["fields"]) == {"title"}
    assert hit.explanation["score"] == pytest.approx(hit.score, abs=1e-3)


@pytest.fixture
def newsroom_like(make_index):
    return make_index([
        art("Budget vote delayed", "The budget vote was delayed again.", published="2025-01-20"),
        art("Budget passes", "The mayor signed the budget.", published="2024-03-02"),
    ])


def load_bench():
    spec = importlib.util.spec_from_file_location("eval_ranking", ROOT / "bench" / "eval_ranking.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_eval_reads_a_judged_collection_and_runs_the_engines(tmp_path):
    bench = load_bench()
    collection = bench.load_collection(DATA / "judged")
    assert set(collection.queries) == {"1", "2", "3"}  # query 4 has no judgment
    for name in ("morgue", "fts5", "whoosh"):
        (tmp_path / name).mkdir()
        run, _ = bench.ENGINES[name](collection, tmp_path / name)
        assert [run[q][0] for q in ("1", "2", "3")] == ["d1", "d4", "d3"], name


def test_eval_scores_every_engine_and_ends_with_json(capsys):
    pytest.importorskip("ir_measures")
    pytest.importorskip("bm25s")
    bench = load_bench()
    collection = bench.load_collection(DATA / "judged")
    perfect = {q: sorted(grades, key=lambda d: -grades[d]) for q, grades in collection.qrels.items()}
    assert bench.evaluate(collection, perfect) == {"MAP": 1.0, "nDCG@10": 1.0, "P@10": pytest.approx(7 / 30), "R@1000": 1.0}
    assert bench.evaluate(collection, {})["MAP"] == 0.0
    summary = bench.main([str(DATA / "judged")])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == summary and set(summary) == {"collection", "queries", "morgue", "fts5", "bm25s", "whoosh"}
    assert summary["morgue"]["MAP"] == 1.0
