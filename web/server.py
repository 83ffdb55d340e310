"""`morgue serve` in production: gunicorn with worker processes, threads in each.

Python runs one thread at a time in a process, so a search server uses its cores only
with several processes. Each worker opens the index and warms it (the facet table, the
search modules, the postings of the commonest words: search.serving.SharedIndex) before
it takes a request, so the first visitors do not wait for that.
"""
from __future__ import annotations

import gc
import logging

from flask import Flask
from gunicorn.app.base import BaseApplication

LOG = logging.getLogger("morgue.server")
# A warm worker holds a few hundred thousand objects that live as long as its first commit
# (term lookups, the facet table): they are frozen out of its garbage collections, which
# then also run less often. On 1,000 distinct searches: 0.45-0.55 ms of collecting a search
# -> 0.11. A new commit lets them back in (search/serving.py): freezing again needs a full
# collection first, and requests around a commit then waited longer (p95 3.5 s against 1.35).
GC_THRESHOLDS = (10_000, 50, 10)


class Server(BaseApplication):
    """The Flask app served by gunicorn's threaded workers, configured from the CLI."""

    def __init__(self, app: Flask, host: str, port: int, workers: int, threads: int):
        self.app = app
        self.settings = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 120,  # a worker silent this long is restarted: warming a large index takes a while
            "graceful_timeout": 10,
            "loglevel": "warning",  # requests are logged by the app, one line each
            "post_worker_init": warm,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.app


def warm(worker) -> None:
    """Opens the index in a new worker, counts facets once (building their table) and waits
    for the index to read its commonest words: done before requests come, that reading
    does not compete with them for the interpreter. What warming made is then left out of
    garbage collections."""
    import search
    from search.serving import WARM_SECONDS
    from web.views import get_index

    app = worker.wsgi
    try:
        with app.app_context():
            search.search(get_index(), "", facets=True)
            get_index().warmed.wait(WARM_SECONDS)
    except Exception as error:  # a worker that cannot warm still serves, and says why per request
        LOG.warning("could not warm the index: %s", error)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
