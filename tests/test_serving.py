"""Serving: guards against expensive queries, searchers reused across requests and
refreshed on commit, and the real server (gunicorn) picking up a reindex."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

import search
from search import vectorized
from search.serving import MAX_DEPTH, MAX_TERMS, SharedIndex
from conftest import wait_until
from test_web import free_port, wait_for

STORIES = [{"title": f"Harbour story {n}", "body": f"The harbour crane number {n} was repaired.", "published": f"2024-01-{n % 28 + 1:02d}"} for n in range(60)]


@pytest.fixture
def harbour(make_index):
    return make_index(STORIES)


def test_a_slow_query_is_cut_off_with_a_notice(harbour):
    result = search.search(harbour, "harbour", time_limit=1e-9)
    assert result.notice.startswith("The search took longer than 1e-09 s and was cut off")
    assert search.search(harbour, "harbour").notice is None


def test_the_time_limit_works_in_worker_threads_and_keeps_filters(harbour):
    found = []
    thread = threading.Thread(target=lambda: found.append(search.search(harbour, "harbour", person="nobody", time_limit=5)))
    thread.start()
    thread.join()
    assert found[0].total == 0 and found[0].notice is None


@pytest.mark.parametrize("text, message", [
    ("x" * 1001, "the limit is 1,000"),
    ("*ing", "would match too many words"),
    ("h*", "would match too many words"),
    (" OR ".join(f"word{n}" for n in range(MAX_TERMS + 1)), f"the limit is {MAX_TERMS}"),
])
def test_expensive_queries_are_refused_with_a_reason(harbour, text, message):
    with pytest.raises(search.QueryError, match=message):
        search.search(harbour, text)


def test_a_short_prefix_is_fine(harbour):
    assert search.search(harbour, "harb*").total == 60


def test_page_depth_is_bounded(harbour):
    with pytest.raises(search.QueryError, match="paged 1,000 deep"):
        search.search(harbour, "harbour", page=MAX_DEPTH // 10 + 1, page_size=10)


def test_a_shared_index_reuses_its_searcher_until_a_commit(harbour, tmp_path):
    shared = SharedIndex(harbour)
    with shared.searcher() as first:
        pass
    with shared.searcher() as again:
        assert again is first
    extra = tmp_path / "articles-corpus" / "more.jsonl"
    extra.write_text(json.dumps({"title": "Lighthouse relit", "body": "The lighthouse shines again."}))
    search.reindex([extra.parent], harbour)
    assert search.search(shared, "lighthouse").total == 1
    with shared.searcher() as after:
        assert after is not first


def test_a_shared_index_forgets_what_a_commit_removed(harbour, tmp_path):
    """After a commit a server answers from the commit's segments alone: Whoosh's
    refresh() would go on reading the segments the commit dropped (a full rebuild's,
    merged ones), finding removed articles and old copies."""
    shared = SharedIndex(harbour, warm=False)
    extra = tmp_path / "articles-corpus" / "more.jsonl"
    extra.write_text(json.dumps({"title": "Lighthouse relit", "body": "The lighthouse shines again."}))
    search.reindex([extra.parent], harbour)
    assert search.search(shared, "lighthouse").total == 1
    extra.write_text(json.dumps({"title": "Foghorn sounded", "body": "The foghorn sounds."}))
    search.reindex([extra.parent], harbour, full=True)
    assert search.search(shared, "lighthouse").total == 0 and search.search(shared, "foghorn").total == 1
    assert search.search(shared, "harbour").total == len(STORIES)
    with shared.searcher() as served, search.open_index(harbour).searcher() as fresh:
        assert served.doc_count_all() == fresh.doc_count_all() == len(STORIES) + 1


def test_the_real_server_picks_up_a_reindex_without_restart(harbour, tmp_path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "search", "serve", "--index", str(harbour), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/")
        query = lambda: json.load(urllib.request.urlopen(base + "/api/search?q=lighthouse"))["total"]  # noqa: E731
        assert query() == 0
        (tmp_path / "articles-corpus" / "more.jsonl").write_text(json.dumps({"title": "Lighthouse relit", "body": "Shines."}))
        search.reindex([tmp_path / "articles-corpus"], harbour)
        assert query() == 1
        (tmp_path / "articles-corpus" / "more.jsonl").write_text(json.dumps({"title": "Foghorn", "body": "Sounds."}))
        search.reindex([tmp_path / "articles-corpus"], harbour, full=True)
        assert query() == 0  # nor found in the segments the rebuild dropped
    finally:
        server.terminate()
        _, log = server.communicate(timeout=10)
    assert "GET /api/search?q=lighthouse 200" in log and " ms" in log


def test_segments_are_separate_files(harbour):
    """Whoosh copies a compound segment file whole into memory for every reader, and a
    server has a reader per thread: the index is written as separate files instead."""
    assert not list(harbour.glob("*.seg")) and list(harbour.glob("*.pst"))


def test_a_shared_index_remembers_results_until_a_commit(harbour, tmp_path):
    shared = SharedIndex(harbour, warm=False)  # no warming thread to hold up the timed searches
    first = search.search(shared, "harbour crane", page_size=5)
    again = search.search(shared, "harbour crane", page_size=5)
    assert again.hits is first.hits and again.took_ms < first.took_ms
    assert search.search(shared, "harbour crane", page_size=6).hits is not first.hits  # another search
    extra = tmp_path / "articles-corpus" / "more.jsonl"
    extra.write_text(json.dumps({"title": "Harbour crane sold", "body": "The harbour crane was sold."}))
    search.reindex([extra.parent], harbour)
    after = search.search(shared, "harbour crane", page_size=5)
    assert after.total == first.total + 1 and after.hits[0].title == "Harbour crane sold"


def test_a_shared_index_warms_as_it_opens_and_ranks_the_same(harbour):
    warm, cold = SharedIndex(harbour), SharedIndex(harbour, warm=False)
    assert warm.warmed.wait(30) and cold.warmed.is_set()
    assert warm._warm and not cold._warm
    for text in ("harbour crane", "repaired", '"crane number"', "story 7"):
        assert search.search(warm, text).hits == search.search(cold, text).hits


def test_a_shared_index_warms_again_after_a_commit(harbour, tmp_path):
    """A reindex adds a segment: the server reads its commonest words in the background."""
    shared = SharedIndex(harbour)
    assert shared.warmed.wait(30)
    extra = tmp_path / "articles-corpus" / "more.jsonl"
    extra.write_text(json.dumps({"title": "Lighthouse relit", "body": "The lighthouse shines again."}))
    search.reindex([extra.parent], harbour)
    assert search.search(shared, "lighthouse").total == 1  # the request that meets the new commit
    with shared.searcher() as searcher:
        segments = {vectorized.segment_key(leaf.reader()) for leaf, _ in searcher.leaf_searchers()}
    assert len(segments) == 2
    wait_until(lambda: {a.key for a in shared._warm if isinstance(a, vectorized.Segment)} == segments)
    assert isinstance(shared._warm[-1], vectorized.Joined) and {key for key, _ in shared._warm[-1].key} == segments


def test_the_latest_commit_is_looked_up_only_when_the_folder_changed(harbour, tmp_path, monkeypatch):
    shared = SharedIndex(harbour, warm=False)
    long_ago = time.time() - 60
    os.utime(harbour, (long_ago, long_ago))
    first = shared.latest_generation()
    monkeypatch.setattr(shared.ix, "latest_generation", lambda: pytest.fail("listed an unchanged folder"))
    assert shared.latest_generation() == first
    assert search.search(shared, "lighthouse").total == 0
    monkeypatch.undo()
    extra = tmp_path / "articles-corpus" / "more.jsonl"
    extra.write_text(json.dumps({"title": "Lighthouse relit", "body": "The lighthouse shines again."}))
    search.reindex([extra.parent], harbour)
    assert shared.latest_generation() > first
    assert search.search(shared, "lighthouse").total == 1


def test_warming_waits_while_a_request_is_answered(harbour):
    shared = SharedIndex(harbour, warm=False)
    shared._warm_until = time.monotonic() + 30
    done = threading.Event()
    with shared.searcher():
        threading.Thread(target=lambda: (shared._while_busy(), done.set())).start()
        assert not done.wait(0.2)
    assert done.wait(5)


def test_a_warmed_server_worker_leaves_what_it_keeps_out_of_garbage_collections(harbour, tmp_path):
    """gunicorn's hook on a real app, in a process of its own (freezing is for good); after
    a commit, what was frozen is let back into collections (the old commit's may be garbage)."""
    extra = tmp_path / "articles-corpus" / "more.jsonl"
    extra.write_text(json.dumps({"title": "Lighthouse relit", "body": "The lighthouse shines again."}))
    code = (
        "import gc, types, search\n"
        "from web import create_app\n"
        "from web.server import GC_THRESHOLDS, warm\n"
        f"app = create_app({{'MORGUE_INDEX': {str(harbour)!r}}})\n"
        "before = gc.get_freeze_count()\n"
        "warm(types.SimpleNamespace(wsgi=app))\n"
        "print(before, gc.get_freeze_count() > 10_000, gc.get_threshold() == GC_THRESHOLDS)\n"
        f"search.reindex([{str(extra.parent)!r}], {str(harbour)!r})\n"
        "found = app.test_client().get('/api/search?q=lighthouse').get_json()['total']\n"
        "print(found, gc.get_freeze_count())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.split() == ["0", "True", "True", "1", "0"]
