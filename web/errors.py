"""Every failure as an answer a person or a program can act on, never a bare 500.

Machine routes (/api/, /feed, /export) answer JSON {"error": ...}; pages answer a page
that keeps the search box and says what to change.
"""
from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

import search

MACHINE_PATHS = ("/api/", "/feed", "/export")
STATUS = {search.QueryError: 400, search.NoArticle: 404, search.IndexProblem: 503}


def init_app(app) -> None:
    for kind in STATUS:
        app.register_error_handler(kind, lambda error: answer(str(error), STATUS[_kind(error)]))
    app.register_error_handler(HTTPException, lambda error: answer(error.description, error.code))
    app.register_error_handler(Exception, _unexpected)


def answer(message: str, status: int):
    if request.path.startswith(MACHINE_PATHS):
        return jsonify(error=message, status=status), status
    # Only the query comes back into the search box: a bad filter kept in a hidden field
    # would fail the same way on the next search.
    params = {"q": request.args["q"]} if request.args.get("q") else {}
    return render_template("error.html", message=message, status=status, params=params), status


def _kind(error: Exception) -> type:
    return next(kind for kind in STATUS if isinstance(error, kind))


def _unexpected(error: Exception):
    """A bug: logged with its traceback, answered politely."""
    current_app.logger.exception("Unexpected error on %s", request.full_path)
    return answer("Something went wrong on our side. The error is logged; try again, or change the search.", 500)
