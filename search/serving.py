"""What a long-running server needs: searchers kept open across requests, and guards
that keep one expensive query from holding a worker."""
from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

from whoosh import query as wq

from search.indexer import MTIME_TICK, open_index
from search.schema import BOOSTS

LOG = logging.getLogger("morgue.serving")

TIME_LIMIT = 2.0  # seconds a query may spend collecting hits before it is cut off
MAX_DEPTH = 1000  # results a query may page through; /export streams everything
MAX_TERMS = 60  # words and expanded patterns in one query
MIN_PREFIX = 2  # letters before a wildcard: "ab*" is fine, "a*" and "*ing" are not
RESULTS_KEPT = 1024  # recent search results a SharedIndex remembers for its current commit
WARM_POSTINGS = 3_500_000  # postings of the commonest words a SharedIndex reads as it opens (about 56 MB)
WARM_SECONDS = 30.0  # and the most time it spends on them


class SharedIndex:
    """An index opened once, with a searcher per thread kept open between requests and
    replaced when a reindex commits. Behaves like a Whoosh index for everything else.

    With `warm`, a background thread reads the postings of the commonest words as the
    index opens (`warmed` is set when it is done): they are what a query takes longest
    to read, and the first requests need not wait for them. It reads between requests:
    with one running, it waits (Python runs one thread at a time). It reads again after
    each commit: a segment whose articles were deleted, or a new one, starts cold."""

    def __init__(self, index_dir: str | Path, warm: bool = True):
        self.ix = open_index(index_dir)
        self.schema = self.ix.schema  # Whoosh re-reads it from disk at each ask
        self._local = threading.local()
        self._results: OrderedDict = OrderedDict()  # (generation, search key) -> result
        self._results_lock = threading.Lock()
        self._warm: list = []  # the warmed segments' arrays, kept while the segments live
        self._generation: tuple[float, int] | None = None  # (folder mtime, latest commit then)
        self._busy = 0  # threads inside searcher(): requests being answered
        self._busy_lock = threading.Lock()
        self.warmed = threading.Event()
        self._warms = warm
        self._warmed_generation: int | None = None  # the latest commit warmed (or being warmed)
        self._warm_lock = threading.Lock()
        self._warm_until = 0.0  # each warm-up waits for requests until then (set as it starts)
        if warm:
            self._warm_commit(self.ix.latest_generation())
        else:
            self.warmed.set()

    def __getattr__(self, name):
        return getattr(self.ix, name)

    @contextmanager
    def searcher(self, weighting=None):
        local = self._local
        depth = getattr(local, "depth", 0)
        if depth == 0:  # move to the latest commit only between requests, never inside one
            local.searcher = self._fresh(getattr(local, "searcher", None))
        if weighting is not None:
            local.searcher.weighting = weighting
        local.depth = depth + 1
        with self._busy_lock:
            self._busy += 1
        try:
            yield local.searcher  # kept open for this thread's next request
        finally:
            local.depth = depth
            with self._busy_lock:
                self._busy -= 1

    def latest_generation(self) -> int:
        """The latest commit's number. Whoosh lists the folder at each ask; here it is listed
        only when the folder has changed since (its mtime), or changed so lately that a
        later change could have left the same mtime."""
        folder = getattr(self.ix.storage, "folder", None)
        if folder is None:
            return self.ix.latest_generation()
        changed = os.stat(folder).st_mtime
        known = self._generation
        if known is not None and known[0] == changed and changed < time.time() - MTIME_TICK:
            return known[1]
        generation = self.ix.latest_generation()
        self._generation = (changed, generation)
        return generation

    def recall(self, key):
        """A result remembered for this search key at the latest commit, or None."""
        where = (self.latest_generation(), key)
        with self._results_lock:
            found = self._results.get(where)
            if found is not None:
                self._results.move_to_end(where)
            return found

    def remember(self, key, generation: int, result) -> None:
        with self._results_lock:
            self._results[(generation, key)] = result
            while len(self._results) > RESULTS_KEPT:
                self._results.popitem(last=False)

    def _while_busy(self) -> None:
        while self._busy > 0 and time.monotonic() < self._warm_until:
            time.sleep(0.001)

    def _fresh(self, current):
        """This thread's searcher on the latest commit. Opened anew, not by Whoosh's
        refresh(), which keeps reading the segments of the old reader that the commit
        dropped (whoosh-reloaded 2.7: its index reader adds them back): removed articles
        would still be found, and the dropped segments' arrays kept. The arrays of the
        segments still there are shared while something holds them (the warmed list does)."""
        if current is not None and current.reader().generation() == self.latest_generation():
            return current
        fresh = self.ix.searcher()
        if self._warms:  # gone segments' arrays are let go, kept ones' held till the commit's take from them
            from search.vectorized import Segment

            live = {leaf.reader().segment().segment_id() for leaf, _ in fresh.leaf_searchers()}
            self._warm = [arrays for arrays in self._warm if isinstance(arrays, Segment) and arrays.key[0] in live]
            self._warm_commit(fresh.reader().generation())
        if current is not None:  # closed last: on an error above, this thread keeps a searcher that works
            current.close()
            gc.unfreeze()  # a warmed server froze what it held (web/server.py): some is garbage now
        return fresh

    def _warm_commit(self, generation: int) -> None:
        """Starts reading the commonest words of this commit in the background, once."""
        with self._warm_lock:
            if self._warmed_generation is not None and generation <= self._warmed_generation:
                return
            self._warmed_generation = generation
        threading.Thread(target=self._read_commonest, name="morgue-warm", daemon=True).start()

    def _read_commonest(self) -> None:
        from search.vectorized import warm

        self._warm_until = time.monotonic() + WARM_SECONDS
        try:
            with self.ix.searcher() as searcher:
                self._warm = warm(searcher, list(BOOSTS), WARM_POSTINGS, WARM_SECONDS, self._while_busy)
        except Exception as error:  # noqa: BLE001 - an index that cannot warm still serves
            LOG.warning("could not warm the index: %s", error)
        finally:
            self.warmed.set()


def check_expensive(parsed: wq.Query, error) -> None:
    """Refuses leading or short wildcards and huge OR lists, with the reason in `error`."""
    leaves = list(parsed.leaves())
    for node in leaves:
        if isinstance(node, (wq.Wildcard, wq.Prefix)):
            text = node.text
            head = text if isinstance(node, wq.Prefix) else text.split("*")[0].split("?")[0]
            if len(head) < MIN_PREFIX:
                raise error(
                    f"The pattern {text + ('*' if isinstance(node, wq.Prefix) else '')!r} would match too many words: "
                    f"start it with at least {MIN_PREFIX} letters."
                )
    if len(leaves) > MAX_TERMS:
        raise error(f"The query has {len(leaves)} terms; the limit is {MAX_TERMS}. Search for fewer words.")
