"""The machine interfaces: JSON search and article, the OpenAPI document, RSS, exports.

`/api/search` is `morgue query --json` (SearchResult.as_dict()) plus the facets.
Routes join the one blueprint of web.views.
"""
from __future__ import annotations

import re

from flask import Response, current_app, jsonify, render_template, request

import search
from web import exports
from web.openapi import openapi_document
from web.params import current, filter_args, search_args
from web.views import bp, get_index


@bp.route("/api/search")
def api_search():
    result = search.search(get_index(), **search_args(current_app.config["PAGE_SIZE"]), facets=True)
    return jsonify(result.as_dict())


@bp.route("/api/article/<article_id>")
def api_article(article_id: str):
    return jsonify(search.get_article(get_index(), article_id, request.args.get("q", "")).as_dict())


@bp.route("/api/openapi.json")
def api_openapi():
    return jsonify(openapi_document())


@bp.route("/feed")
def feed():
    """An RSS feed of any search, newest first: a reporter can follow a story."""
    args = {**search_args(current_app.config["FEED_SIZE"]), "sort": "newest", "page": 1}
    result = search.search(get_index(), **args)
    xml = render_template("feed.xml", result=result, filters=current())
    return Response(xml, mimetype="application/rss+xml")


@bp.route("/export")
def export():
    """Every matching article, streamed as CSV or JSON Lines: no cap, little memory."""
    form = request.args.get("format", "csv")
    if form not in exports.FORMATS:
        raise search.QueryError(f"Unknown export format {form!r}: use one of {', '.join(exports.FORMATS)}.")
    articles = search.matching_articles(get_index(), **filter_args())
    mimetype, lines = exports.FORMATS[form]
    name = re.sub(r"[^\w-]+", "-", request.args.get("q", "")).strip("-")[:40] or "all"
    headers = {"Content-Disposition": f'attachment; filename="morgue-{name}.{form}"'}
    return Response(lines(articles), mimetype=mimetype, headers=headers)
