"""The search page and the JSON API; both call search.search() with the same request."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

import search

bp = Blueprint("morgue", __name__)


def get_index():
    """The index, opened once per app; each search opens a searcher on its latest commit."""
    extensions = current_app.extensions
    if "morgue_index" not in extensions:
        extensions["morgue_index"] = search.open_index(current_app.config["MORGUE_INDEX"])
    return extensions["morgue_index"]


def search_request() -> dict:
    """The search parameters of this request, as search.search() takes them."""
    args = request.args
    try:
        page = int(args.get("page", 1))
    except ValueError:
        raise search.QueryError("The page must be a whole number.") from None
    return {
        "text": args.get("q", ""),
        "source": args.get("source") or None,
        "person": args.get("person") or None,
        "date_from": args.get("from") or None,
        "date_to": args.get("to") or None,
        "sort": args.get("sort", "relevance"),
        "page": page,
        "page_size": current_app.config["PAGE_SIZE"],
    }


@bp.route("/")
def index_page():
    params = request.args.to_dict()
    if not params.get("q") and not any(params.get(k) for k in ("source", "person", "from", "to")):
        return render_template("search.html", result=None, params=params, error=None)
    try:
        result = search.search(get_index(), **search_request())
    except (search.QueryError, search.IndexProblem) as error:
        return render_template("search.html", result=None, params=params, error=str(error)), 400
    return render_template("search.html", result=result, params=params, error=None)


@bp.route("/api/search")
def api_search():
    try:
        result = search.search(get_index(), **search_request())
    except search.QueryError as error:
        return jsonify(error=str(error)), 400
    except search.IndexProblem as error:
        return jsonify(error=str(error)), 503
    return jsonify(result.as_dict())
