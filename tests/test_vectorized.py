"""The array scorer ranks every kind of query as Whoosh's own matchers do: the same
articles, the same scores, the same order (ties to the lower article number)."""
from __future__ import annotations

import json
import shutil
from pickle import loads
import sys
import threading
import weakref
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

import search
from conftest import CORPUS, NOW
from search import indexer, vectorized
from search.indexer import _read_one
from search.query import build_filter, parse_query
from search.ranking import Ranking
from search.schema import build_schema
from search.vectorized import Segment

QUERIES = [
    "harbour", "harbour dredging", '"harbour dredging"', "Okafor derby", "flood NOT harbour",
    "flood AND power", "flood AND NOT harbour", "title:bridge", "people:okafor", 'person:"Daniel Okafor"',
    "date:2024", "harb*", "drough~", "wom?n", "published:[2024 to 2025]", "bridge published:2024",
    "strike OR strikes OR striking", "the", "", "bridge^3 closure", '"power cuts" gales', "source:northern",
    "(harbour OR port) AND (fraud OR trial)", "inflation falls rents",
]


@pytest.fixture(scope="module")
def split_index(tmp_path_factory) -> Path:
    """The sample corpus in three segments, as a reindex with three worker processes
    leaves it, then one file removed (its articles deleted)."""
    corpus = tmp_path_factory.mktemp("split-corpus") / "corpus"
    shutil.copytree(CORPUS, corpus)
    folder = tmp_path_factory.mktemp("split-index")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexer, "PARALLEL_FROM", 1)
        search.reindex([corpus], folder, now=NOW, workers=3)
    (corpus / "json" / "news-roundup.json").unlink()
    assert search.reindex([corpus], folder, now=NOW).counts()["removed"] > 1
    return folder


@pytest.fixture(params=["one segment", "three segments"])
def any_index(request, corpus_index, split_index) -> Path:
    """The sample corpus in one segment, then in three (scored as one, joined)."""
    folder = corpus_index if request.param == "one segment" else split_index
    with search.open_index(folder).searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == (1 if request.param == "one segment" else 3)
    return folder


def whoosh_ranking(searcher, q, **options) -> list[tuple[int, float]]:
    """Whoosh's ranking of q; for "a NOT b", a's ranking without b's articles (Whoosh's
    AndNotMatcher lets some of b's articles through when b is a ranking.WordQuery)."""
    if isinstance(q, wq.AndNot):
        dropped = set(searcher.docs_for_query(q.b))
        return [(d, s) for d, s in whoosh_ranking(searcher, q.a, **options) if d not in dropped]
    return [(hit.docnum, hit.score) for hit in searcher.search(q, limit=None, **options)]


def assert_same(found: vectorized.Ranked, expected: list[tuple[int, float]]):
    assert found.total == len(expected)
    assert sorted(found.docs.tolist()) == sorted(d for d, _ in expected)
    assert [d for d, _ in found.top] == [d for d, _ in expected]
    assert [s for _, s in found.top] == pytest.approx([s for _, s in expected], rel=1e-9)


def test_query_words_are_in_the_sample_corpus(corpus_index):
    """The comparisons below mean something only if the queries find articles."""
    ix = search.open_index(corpus_index)
    with ix.searcher(weighting=Ranking()) as searcher:
        empty = [text for text in QUERIES if not whoosh_ranking(searcher, parse_query(text, ix.schema))]
    assert set(empty) <= {"the", "drough~", "wom?n", "source:northern"}


@pytest.mark.parametrize("text", QUERIES)
def test_each_kind_of_query_ranks_as_whoosh_ranks_it(any_index, text):
    ix = search.open_index(any_index)
    with ix.searcher(weighting=Ranking()) as searcher:
        q = parse_query(text, ix.schema)
        assert_same(vectorized.search(searcher, q, None), whoosh_ranking(searcher, q))


@pytest.mark.parametrize("options", [
    {"person": "Daniel Okafor"}, {"date_from": "2024-01-01", "date_to": "2024-12-31"}, {"source": "harbour herald"},
    {"source": "nobody"},
])
def test_filters_keep_what_whoosh_keeps(any_index, options):
    ix = search.open_index(any_index)
    with ix.searcher(weighting=Ranking()) as searcher:
        q, allow = parse_query("the OR a OR harbour OR bridge OR flood", ix.schema), build_filter(ix.schema, **options)
        allowed = set(searcher.docs_for_query(allow))  # Whoosh reads an empty set as no filter
        expected = whoosh_ranking(searcher, q, filter=allowed) if allowed else []
        assert_same(vectorized.search(searcher, q, None, filter_q=allow), expected)


@pytest.mark.parametrize("reverse", [True, False])
def test_sorting_by_date_orders_as_whoosh_including_ties(any_index, reverse):
    ix = search.open_index(any_index)
    with ix.searcher(weighting=Ranking()) as searcher:
        found = vectorized.search(searcher, wq.Every(), 5, sortedby="published", reverse=reverse)
        expected = [hit.docnum for hit in searcher.search(wq.Every(), limit=5, sortedby="published", reverse=reverse)]
        assert [d for d, _ in found.top] == expected and found.total == searcher.doc_count()


def test_recency_decays_as_whoosh_final_scores(any_index):
    ix = search.open_index(any_index)
    with ix.searcher(weighting=Ranking(half_life=30)) as searcher:
        q = parse_query("harbour OR bridge OR flood OR strike", ix.schema)
        assert_same(vectorized.search(searcher, q, None), whoosh_ranking(searcher, q))


def test_deleted_and_updated_articles_rank_as_in_whoosh(tmp_path):
    """An incremental reindex leaves old segments with deletions: they must not show."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    stories = [{"id": f"s{n}", "title": f"Harbour story {n}", "body": "harbour crane " * (n % 5 + 1)} for n in range(40)]
    (folder / "a.jsonl").write_text("\n".join(json.dumps(s) for s in stories[:20]))
    (folder / "b.jsonl").write_text("\n".join(json.dumps(s) for s in stories[20:]))
    search.reindex([folder], tmp_path / "index")
    (folder / "a.jsonl").write_text("\n".join(json.dumps(s) for s in stories[:10]))  # 10 gone
    search.reindex([folder], tmp_path / "index")
    ix = search.open_index(tmp_path / "index")
    with ix.searcher(weighting=Ranking()) as searcher:
        assert searcher.reader().has_deletions()
        for text in ("harbour", "crane story", '"harbour crane"', ""):
            q = parse_query(text, ix.schema)
            found = vectorized.search(searcher, q, None)
            assert_same(found, whoosh_ranking(searcher, q))
            assert found.total == 30


def test_stored_fields_are_read_as_whoosh_reads_them(tmp_path, corpus_index):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.jsonl").write_text(json.dumps({"id": "a", "title": "Harbour", "body": "Cranes.", "author": "Ann"}))
    search.reindex([folder], tmp_path / "index")
    (folder / "b.jsonl").write_text(json.dumps({"id": "b", "title": "Bridge", "body": "Gales.", "tags": ["x"]}))
    search.reindex([folder], tmp_path / "index")  # a second segment
    for folder, segments in ((tmp_path / "index", 2), (corpus_index, 1)):
        with search.open_index(folder).searcher() as searcher:
            assert len(searcher.reader().leaf_readers()) == segments
            every = range(searcher.doc_count_all())
            assert [vectorized.stored_fields(searcher, d) for d in every] == [searcher.stored_fields(d) for d in every]


def test_only_the_best_are_kept_ties_to_the_lower_number(any_index):
    ix = search.open_index(any_index)
    with ix.searcher(weighting=Ranking()) as searcher:
        q = parse_query("the OR harbour OR bridge", ix.schema)
        everything = vectorized.search(searcher, q, None)
        assert vectorized.search(searcher, q, 3).top == everything.top[:3]


def test_searchers_of_one_segment_share_its_arrays(corpus_index):
    """A server has a searcher per thread: the arrays are read once for all of them."""
    ix = search.open_index(corpus_index)
    with ix.searcher() as one, ix.searcher() as two:
        assert one.reader() is not two.reader()
        assert vectorized.segment(one.reader().leaf_readers()[0][0]) is vectorized.segment(two.reader().leaf_readers()[0][0])


def test_searchers_of_the_same_segments_share_them_joined(split_index):
    ix = search.open_index(split_index)
    with ix.searcher() as one, ix.searcher() as two:
        assert one.reader() is not two.reader()
        assert vectorized.joined(one) is vectorized.joined(two)
        assert vectorized.joined(one).size == one.doc_count_all() > one.doc_count()


def test_joined_arrays_are_read_through_the_searcher_that_asks(split_index):
    """A server's threads share the joined arrays, each with a searcher of its own, which
    may close while the others go on."""
    ix = search.open_index(split_index)
    with ix.searcher() as first:
        whole = vectorized.joined(first)
        whole.postings(first.reader(), "body", b"harbour")
    with ix.searcher(weighting=Ranking()) as second:
        assert vectorized.joined(second) is whole
        for text in QUERIES:
            q = parse_query(text, ix.schema)
            assert_same(vectorized.search(second, q, None), whoosh_ranking(second, q))


def test_threads_searching_at_once_share_the_joined_arrays_safely(split_index, monkeypatch):
    """A server's threads search at the same time, each with searchers of its own that it
    opens and closes, over the same joined arrays (a term's postings read at first use,
    by whichever thread asks first)."""
    ix = search.open_index(split_index)
    with ix.searcher(weighting=Ranking()) as searcher:
        expected = {text: vectorized.search(searcher, parse_query(text, ix.schema), None).top for text in QUERIES}
    monkeypatch.setattr(vectorized, "_SHARED", weakref.WeakValueDictionary())  # nothing joined or read yet
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns often
    failures = []

    def client(n: int) -> None:
        try:
            for turn in range(3):
                with ix.searcher(weighting=Ranking()) as searcher:
                    for text in QUERIES[n + turn :] + QUERIES[: n + turn]:
                        found = vectorized.search(searcher, parse_query(text, ix.schema), None).top
                        assert found == expected[text], text
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's query
            failures.append(error)

    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not failures, failures[0]


def test_a_segment_keeps_a_bounded_number_of_postings(corpus_index, monkeypatch):
    monkeypatch.setattr(vectorized, "POSTINGS_KEPT", 5)
    ix = search.open_index(corpus_index)
    with ix.searcher() as searcher:
        reader = searcher.reader().leaf_readers()[0][0]
        arrays = Segment(reader)
        for word in (b"harbour", b"bridg", b"flood", b"strike"):
            arrays.postings(reader, "body", word)
        assert arrays.kept.size <= 5 or len(arrays.kept) == 1


def test_phrases_match_words_in_a_row_as_whoosh_does(make_index):
    index_dir = make_index([
        {"title": "Bora Bora", "body": "A trip to Bora Bora, then bora again and Bora."},
        {"title": "Ferry", "body": "The harbour ferry sails; a ferry to the harbour; harbour, ferry."},
        {"title": "Crane", "body": "The old harbour crane sails in the old crane harbour."},
    ])
    ix = search.open_index(index_dir)
    with ix.searcher(weighting=Ranking()) as searcher:
        for text in ('"bora bora"', '"harbour ferry"', '"ferry harbour"', '"old harbour crane"', '"crane harbour"',
                     '"harbour crane sails"', '"sails harbour"'):
            q = parse_query(text, ix.schema)
            assert_same(vectorized.search(searcher, q, None), whoosh_ranking(searcher, q))


def test_positions_of_many_postings_are_read_at_once_as_whoosh_reads_each():
    """Whoosh's encoding (with and without its final stop, long lists pickled in batches),
    and values pickled otherwise, which are read one by one."""
    from pickle import dumps

    from whoosh.formats import Positions
    from whoosh.system import pack_uint

    lists = [[0], [3, 4, 90], list(range(5, 5000, 3)), [70000, 70001]]
    values = [Positions().encode(places) for places in lists]
    values[1] = values[1][:-1]
    assert vectorized._positions_of(values) == lists
    values.append(pack_uint(2) + dumps([2, 5], 4))  # gaps pickled by another protocol
    assert vectorized._positions_of(values) == lists + [[2, 7]]
    assert vectorized._positions_of([]) == []


def test_warming_reads_the_commonest_words_first_within_a_bound(corpus_index, monkeypatch):
    read = []
    postings = Segment.postings
    monkeypatch.setattr(Segment, "postings", lambda self, *args: read.append(args[1:]) or postings(self, *args))
    ix = search.open_index(corpus_index)
    with ix.searcher() as searcher:
        reader = searcher.reader().leaf_readers()[0][0]
        kept = vectorized.warm(searcher, ["title", "body"], 50, 10.0)
        assert vectorized.segment(reader) in kept
        frequencies = [reader.doc_frequency(field, text) for field, text in read]
        commonest = max(reader.doc_frequency(field, text) for field in ("title", "body") for text in reader.lexicon(field))
    assert frequencies[0] == commonest and frequencies == sorted(frequencies, reverse=True)
    assert sum(frequencies) - frequencies[-1] < 50 <= sum(frequencies)


def test_warming_an_index_of_several_segments_joins_their_commonest_words(split_index):
    ix = search.open_index(split_index)
    with ix.searcher() as searcher:
        kept = vectorized.warm(searcher, ["title", "body"], 10_000, 10.0)
        whole = vectorized.joined(searcher)
        assert kept[-1] is whole and len(kept) == 4
        largest = max((leaf.reader() for leaf, _ in searcher.leaf_searchers()), key=lambda r: r.doc_count_all())
        field, word = max(((field, text) for field in ("title", "body") for text in largest.lexicon(field)),
                          key=lambda term: largest.doc_frequency(*term))
        assert (field, word) in whole.kept._terms
        joined_postings = whole.kept.get((field, word), None).ids.tolist()
        assert joined_postings == sorted(searcher.docs_for_query(wq.Term(field, word)))


def test_a_warmed_segment_knows_its_small_fields_terms_and_ranks_the_same(corpus_index, monkeypatch):
    """Warming keeps the terms of fields with few of them: a word absent there is not
    looked up in Whoosh's term dictionary, and every query ranks as before."""
    ix = search.open_index(corpus_index)
    with ix.searcher(weighting=Ranking()) as searcher:
        cold = [vectorized.search(searcher, parse_query(text, ix.schema), None) for text in QUERIES]
    vectorized._SHARED.clear()
    with ix.searcher(weighting=Ranking()) as searcher:
        reader = searcher.reader().leaf_readers()[0][0]
        people = len(list(reader.lexicon("people")))
        monkeypatch.setattr(vectorized, "VOCABULARY_KEPT", people)
        kept = vectorized.warm(searcher, ["title", "body", "people", "dates"], 0, 10.0)
        assert {"people", "dates"} <= set(kept[0]._vocabulary) and "body" not in kept[0]._vocabulary
        lookups = []
        monkeypatch.setattr(type(reader._terms), "term_info", lambda *args: lookups.append(args[1:]))
        assert kept[0].info(reader, "people", b"nosuchname") is None and lookups == []
        monkeypatch.undo()
        for text, before in zip(QUERIES, cold):
            assert_same(vectorized.search(searcher, parse_query(text, ix.schema), None), before.top)


def assert_postings_are_whooshs(reader, fields=("title", "body", "people")):
    arrays = Segment(reader)
    for field in fields:
        for text in reader.lexicon(field):
            matcher, expected = reader.postings(field, text), []
            while matcher.is_active():
                if not reader.is_deleted(matcher.id()):
                    expected.append((matcher.id(), matcher.weight()))
                matcher.next()
            found = arrays.postings(reader, field, text)
            assert list(zip(found.ids.tolist(), found.values.tolist())) == expected, (field, text)


def test_postings_read_without_positions_are_whooshs(corpus_index):
    with search.open_index(corpus_index).searcher() as searcher:
        assert_postings_are_whooshs(searcher.reader().leaf_readers()[0][0])


def test_postings_of_a_segment_whooshs_writer_wrote_are_whooshs(tmp_path):
    """Whoosh's writer pickles blocks with protocol 2 (the package's, 3): scoring reads
    their ids and weights without the positions, and gets what unpickling them whole gives."""
    ix = whoosh_index.create_in(tmp_path, build_schema())
    with ix.writer() as writer:
        for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
            for document in _read_one((path, str(path), "", NOW, None, None, True))[3]:
                writer.add_document(**document)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert_postings_are_whooshs(reader)
        cut = 0
        for _, info in reader._terms.items():
            for count, _, unpack in vectorized._blocks(reader._terms._postfile, info):
                data = unpack()
                assert data.startswith(vectorized.PROTOCOL_2)
                if vectorized.VALUES_START in data:
                    quick = vectorized._unpickled(data[: data.find(vectorized.VALUES_START)] + vectorized.WITHOUT_VALUES)
                    assert vectorized._complete(quick, count) and quick[:2] == loads(data)[:2]
                    cut += 1
    assert cut > 100


def test_postings_and_phrases_of_many_blocks_are_whooshs(make_index, monkeypatch):
    """Whoosh writes 128 postings to a block: words in hundreds of articles span several."""
    articles = [{"url": f"https://example.org/{n}", "title": f"Tide {n % 7}",
                 "body": "harbour " * (n % 4 + 1) + f"pier{n % 3} crane, report {n}"} for n in range(450)]
    index_dir = make_index(articles)
    lines = index_dir.parent / "articles-corpus" / "articles.jsonl"
    lines.write_text("\n".join(json.dumps(a) for a in articles if not a["url"].endswith("/7")))  # deleted: left out
    assert search.reindex([lines.parent], index_dir, now=NOW).counts()["removed"] == 1
    with search.open_index(index_dir).searcher() as searcher:
        reader = searcher.reader().leaf_readers()[0][0]
        assert reader.doc_count() == 449 and reader.doc_frequency("body", "harbour") == 450
        assert_postings_are_whooshs(reader, ("title", "body"))
        for word in ("pier0", "pier2"):  # 150 articles each, none deleted: blocks of 128 and 22
            matcher, every = reader.postings("body", word), {}
            while matcher.is_active():
                every[matcher.id()] = list(matcher.value_as("positions"))
                matcher.next()
            docs, arrays = sorted(every), Segment(reader)
            for wanted in ([docs[127]], [docs[128]], docs[127:129], docs[::50], docs):  # a block's last, the next's first
                assert Segment(reader).positions(reader, "body", word.encode(), wanted) == {d: every[d] for d in wanted}
                assert arrays.positions(reader, "body", word.encode(), wanted) == {d: every[d] for d in wanted}  # kept
            term = (arrays.key[0], "body", word.encode())  # blocks are kept by segment id: deletions leave them
            kept = [block for key, block in vectorized.KEPT_PLACES._terms.items() if key[:3] == term]
            assert [len(block.ids) for block in kept] == [128, 22]
        monkeypatch.setattr(vectorized, "KEPT_PLACES", vectorized.KeptPostings(1000, vectorized._PlacesBlock.nbytes))
        assert Segment(reader).positions(reader, "body", b"pier2", docs) == every  # the blocks of 128 and 22 again
        assert [len(block.ids) for block in vectorized.KEPT_PLACES._terms.values()] == [22]  # 128 took over 1000 B
    with search.open_index(index_dir).searcher(weighting=Ranking()) as searcher:
        for text, matches in (('"harbour pier1"', 149), ('"harbour harbour pier2"', 113), ('"pier0 crane"', 150),
                              ('"crane harbour"', 0)):
            q = parse_query(text, searcher.schema)
            assert_same(vectorized.search(searcher, q, None), whoosh_ranking(searcher, q))
            assert vectorized.search(searcher, q, None).total == matches


@pytest.mark.parametrize("spread", [1, 10_000])  # close together (added up in an array) and far apart (sorted)
def test_a_union_adds_up_each_articles_values(spread):
    import numpy as np

    parts = [vectorized.Matches(np.array(ids, dtype=np.int64) * spread, np.array(values)) for ids, values in
             (([0, 3, 7], [1.0, 2.0, 3.0]), ([3, 5], [0.5, 0.25]), ([], []), ([7, 9], [1.5, 0.0]))]
    found = vectorized.union(parts)
    assert found.ids.tolist() == [0, 3 * spread, 5 * spread, 7 * spread, 9 * spread]
    assert found.values.tolist() == [1.0, 2.5, 0.25, 4.5, 0.0]


def test_a_segment_with_new_deletions_takes_what_its_earlier_arrays_read(make_index, tmp_path):
    """A daily update deletes an article or two in a large segment: the segment's arrays for
    the new commit start from the postings already read, the deleted articles left out,
    instead of reading the segment again from the start."""
    stories = [{"title": f"Ferry story {n}", "body": "The ferry sailed at dawn."} for n in range(8)]
    index_dir = make_index(stories)
    ix = search.open_index(index_dir)
    with ix.searcher() as searcher:
        (reader, _), = searcher.reader().leaf_readers()
        earlier = vectorized.segment(reader)
        assert len(earlier.postings(reader, "body", b"ferri").ids) == 8
    (tmp_path / "articles-corpus" / "articles.jsonl").write_text("\n".join(json.dumps(s) for s in stories[:-1]))
    assert search.reindex([tmp_path / "articles-corpus"], index_dir, now=NOW).counts()["removed"] == 1
    with ix.searcher() as searcher:
        (reader, _), = searcher.reader().leaf_readers()  # the same segment, with a deletion
        assert reader.segment().segment_id() == earlier.key[0] and len(reader.deleted_docs_set) == 1
        arrays = vectorized.segment(reader)
        assert arrays is not earlier and len(arrays.kept) == len(earlier.kept) == 1  # taken, not read again
        found = arrays.postings(reader, "body", b"ferri").ids.tolist()
        assert len(found) == 7 and not set(found) & reader.deleted_docs_set
    assert search.search(ix, "ferry").total == search.search(index_dir, "ferry").total == 7
