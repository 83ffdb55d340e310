"""The morgue web app: a search page and a JSON API over the search library."""
from __future__ import annotations

import os

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """The app factory: production and tests build the same app, tests override the config."""
    app = Flask(__name__)
    app.config.from_mapping(
        MORGUE_INDEX=os.environ.get("MORGUE_INDEX", "index"),
        PAGE_SIZE=10,
    )
    if test_config:
        app.config.from_mapping(test_config)

    from web import views

    app.register_blueprint(views.bp)
    return app
