"""The morgue web app: search and article pages, a JSON API, feeds and exports."""
from __future__ import annotations

import logging
import os
import time

from flask import Flask, g, request

# Everything the pages use comes from this server: no CDN, no inline script or style,
# so the app works offline and an injected <script> could not run even if one got through.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(test_config: dict | None = None) -> Flask:
    """The app factory: production and tests build the same app, tests override the config."""
    app = Flask(__name__)
    app.config.from_mapping(
        MORGUE_INDEX=os.environ.get("MORGUE_INDEX", "index"),
        PAGE_SIZE=10,
        FEED_SIZE=50,
    )
    if test_config:
        app.config.from_mapping(test_config)

    from web import api, errors, format, views  # noqa: F401  (api adds its routes to views.bp)

    app.json.sort_keys = False  # fields in the order they are given, as `morgue query --json` prints them
    app.register_blueprint(views.bp)
    errors.init_app(app)
    format.init_app(app)
    app.after_request(_security_headers)
    app.before_request(_start_clock)
    app.after_request(_log_request)
    return app


REQUEST_LOG = logging.getLogger("morgue.requests")


def _start_clock():
    g.started = time.perf_counter()


def _log_request(response):
    """One line per request: method, path and query, status, time taken."""
    took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    REQUEST_LOG.info("%s %s %s %.1f ms", request.method, request.full_path.rstrip("?"), response.status_code, took)
    return response


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
