"""Facets and the attention timeline: counts over every match, shares of each period."""
from __future__ import annotations

import json
from collections import Counter

import pytest

import search
from conftest import CORPUS, NOW


def art(title, published, **extra):
    return {"title": title, "body": f"{title}. The council met.", "published": published, **extra}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Ferry stories in March and May 2024 among other news, one undated file-date story."""
    articles = [
        art("Ferry strike", "2024-03-02", source="Civic Radio"),
        art("Ferry talks", "2024-03-20", source="Harbour Herald"),
        art("Budget vote", "2024-03-21", source="Harbour Herald"),
        art("Budget row", "2024-04-10", source="Civic Radio"),
        art("Ferry deal", "2024-05-05", source="Civic Radio"),
        art("Ferry deal signed", "2024-05-06", source="Civic Radio"),
    ]
    folder = tmp_path_factory.mktemp("archive")
    (folder / "news.jsonl").write_text("\n".join(json.dumps(a) for a in articles))
    (folder / "ferry-undated.txt").write_text("Ferry museum opens\n\nThe ferry museum opened its doors.")
    index_dir = tmp_path_factory.mktemp("archive-index")
    search.reindex([folder], index_dir, now=NOW)
    return index_dir


def facets(index_dir, text, **filters):
    return search.search(index_dir, text, facets=True, **filters).facets


def test_facets_count_every_match_beyond_the_page(archive):
    result = search.search(archive, "ferry", page_size=1, facets=True)
    assert result.total == 5 and len(result.hits) == 1
    counts = {c.value: c.count for c in result.facets.sources}
    assert counts == {"Civic Radio": 3, "Harbour Herald": 1}  # the undated text file names no source
    assert [(c.value, c.count) for c in result.facets.months][:2] == [("2024-03", 2), ("2024-05", 2)]
    assert sum(c.count for c in result.facets.years) == 5


def test_timeline_is_the_share_of_each_period_with_gaps_kept(archive):
    timeline = facets(archive, "ferry", date_to="2024").timeline
    assert timeline.unit == "month" and timeline.undated == 0
    assert [(p.period, p.matches, p.articles) for p in timeline.periods] == [
        ("2024-03", 2, 3), ("2024-04", 0, 1), ("2024-05", 2, 2)]
    assert timeline.periods[0].share == pytest.approx(2 / 3)


def test_file_dates_are_counted_but_not_charted(archive):
    result = search.search(archive, "museum", facets=True)
    assert result.total == 1 and result.facets.timeline.undated == 1 and result.facets.timeline.periods == ()
    assert result.facets.years  # the year facet matches what a from/to filter would find


def test_short_ranges_go_day_by_day_and_cover_the_filter(archive):
    timeline = facets(archive, "ferry", date_from="2024-05", date_to="2024-05").timeline
    assert timeline.unit == "day"
    # the whole filtered month, but not past the archive's last date
    assert [p.period for p in timeline.periods] == [f"2024-05-0{d}" for d in range(1, 7)]
    assert [p.matches for p in timeline.periods] == [0, 0, 0, 0, 1, 1]
    march = facets(archive, "ferry", date_from="2024-02", date_to="2024-03").timeline
    assert march.periods[0].period == "2024-03-02"  # not before the archive's first date
    assert march.periods[-1].period == "2024-03-31" and march.unit == "day"


def test_facets_follow_a_reindex_of_an_open_index(make_index, tmp_path):
    index_dir = make_index([art("Ferry strike", "2024-03-02", source="Civic Radio")])
    ix = search.open_index(index_dir)
    assert [c.value for c in search.search(ix, "ferry", facets=True).facets.sources] == ["Civic Radio"]
    (tmp_path / "articles-corpus" / "more.jsonl").write_text('{"title": "Ferry again", "body": "x", "source": "Northern Wire"}')
    search.reindex([tmp_path / "articles-corpus"], index_dir)
    assert {c.value for c in search.search(ix, "ferry", facets=True).facets.sources} == {"Civic Radio", "Northern Wire"}


def test_a_reindex_leaves_the_table_of_kept_segments_and_counts_as_a_fresh_one(make_index, tmp_path):
    """An open index's next table reads only the segments a reindex wrote (after a one-file
    update a served index answered in 1.6-2.1 s on news50k, reading every article's stored
    fields; now in 60-80 ms), and counts what a table built afresh counts, deletions
    in the kept segments included."""
    from search import facets as module

    said = "Mayor Anna Berg said the ferry would run."
    first = [art(f"Ferry story {n}", f"2024-0{n}-02", source="Civic Radio") for n in range(1, 6)]
    first[0]["body"] = said
    first.append(art("Budget vote", "2023-01-05", source="Harbour Herald"))
    index_dir = make_index(first)
    folder = tmp_path / "articles-corpus"
    ix = search.open_index(index_dir)

    def same_as_fresh():
        for text in ("", "ferry", "budget", "berg"):
            kept = search.search(ix, text, facets=True).as_dict()["facets"]
            assert kept == search.search(index_dir, text, facets=True).as_dict()["facets"], text
        return module._tables[ix].parts

    before = same_as_fresh()
    (folder / "more.jsonl").write_text("\n".join(json.dumps(a) for a in [
        art("Ferry fares", "2022-06-01", source="Northern Wire", body=said), art("Rail fares", "2022-07-01")]))
    search.reindex([folder], index_dir)
    added = same_as_fresh()
    assert len(added) == 2 and all(added[key] is part for key, part in before.items())
    assert published_in(ix, "2023-01") == 1
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(a) for a in first[:-1]))  # the 2023 budget story goes
    search.reindex([folder], index_dir)
    assert all(same_as_fresh()[key] is part for key, part in before.items())  # the first segment, with a deletion
    assert published_in(ix, "2023-01") == 0


def test_worker_segments_come_with_their_facets_which_count_as_the_stored_fields_do(tmp_path, monkeypatch):
    """Each worker saves its segment's facet part beside it: after a full rebuild of
    news50k a server's first faceted search read every article's stored fields (1.6 s),
    now two small files (0.06 s). They give the facets the stored fields give, and
    go when their segments go."""
    from search import facets as module

    monkeypatch.setattr(search.indexer, "PARALLEL_FROM", 1)  # the sample corpus through the workers
    index_dir = tmp_path / "index"

    def saved_and_segments():
        saved = {path.name.split(".")[0] for path in index_dir.glob(f"*{module.PART_FILE}")}
        return saved, {segment.segment_id() for segment in search.open_index(index_dir)._segments()}

    search.reindex([CORPUS], index_dir, now=NOW, workers=2)
    saved, segments = saved_and_segments()
    assert saved == segments and saved
    texts = ("", "harbour", "council", "mayor OR minister")
    from_parts = [search.search(index_dir, text, facets=True).as_dict()["facets"] for text in texts]
    for number, path in enumerate(sorted(index_dir.glob(f"*{module.PART_FILE}"))):
        path.write_bytes(b"PK\x03\x04 damaged") if number == 0 else path.unlink()  # both read from the stored fields
    assert [search.search(index_dir, text, facets=True).as_dict()["facets"] for text in texts] == from_parts
    assert from_parts[0]["people"] and from_parts[0]["sources"] and from_parts[0]["years"]
    search.reindex([CORPUS], index_dir, now=NOW, workers=2, full=True)
    saved_again, segments = saved_and_segments()
    assert saved_again == segments and not saved_again & saved


def published_in(ix, month: str) -> int:
    """The articles published in a month, as the ferry stories' chart (2022-06 to 2024-05) counts them."""
    timeline = search.search(ix, "ferry", facets=True).facets.timeline
    return {p.period: p.articles for p in timeline.periods}[month]


def test_facets_as_json(archive):
    data = search.search(archive, "ferry", facets=True).as_dict()["facets"]
    assert set(data) == {"sources", "people", "years", "months", "timeline"}
    assert data["sources"][0] == {"value": "Civic Radio", "count": 3}
    assert set(data["timeline"]) == {"unit", "periods", "undated"}
    assert "facets" not in search.search(archive, "ferry").as_dict()  # the CLI's JSON stays as it was


@pytest.mark.parametrize("ways", [(10**9, 10**9), (0, 0)], ids=["counted-and-masked", "sorted-and-gathered"])
def test_facets_count_as_the_stored_fields_do_either_way(corpus_index, monkeypatch, ways):
    """A few matches are counted by sorting and gathering, many through arrays as long as
    the names: both ways give what counting every match's stored fields gives."""
    from search import facets as module

    monkeypatch.setattr(module, "SORTED_BELOW", ways[0])
    monkeypatch.setattr(module, "PEOPLE_GATHER", ways[1])
    for text in ("harbour", "council", "mayor OR minister"):
        result = search.search(corpus_index, text, page_size=100, facets=True)
        assert result.total == len(result.hits) > 1  # every match, read from its stored fields
        people = Counter(name for hit in result.hits for name in hit.people)
        sources = Counter(hit.source for hit in result.hits if hit.source)
        years = Counter(hit.published[:4] for hit in result.hits if hit.published)
        assert {(c.value, c.count) for c in result.facets.people} == set(people.items())
        assert {(c.value, c.count) for c in result.facets.sources} == set(sources.items())
        assert [(c.value, c.count) for c in result.facets.years] == sorted(years.items())
        assert [c.count for c in result.facets.people] == sorted(people.values(), reverse=True)
