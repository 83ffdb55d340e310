"""The pages people read: the search page and the article page.

Both call the search library with the request's parameters and render templates;
errors (bad parameters, no index, unknown article) are turned into pages by web.errors.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

import search
from web.chart import attention_chart
from web.params import FILTERS, current, has_search, search_args, url_with

bp = Blueprint("morgue", __name__)


def get_index():
    """The index, opened once per app; each worker thread keeps a searcher open between
    requests and moves to a new one when a reindex commits."""
    extensions = current_app.extensions
    if "morgue_index" not in extensions:
        extensions["morgue_index"] = search.SharedIndex(current_app.config["MORGUE_INDEX"])
    return extensions["morgue_index"]


@bp.route("/")
def index_page():
    """The search page; with no search in the URL, the syntax help and a way to browse."""
    params = current()
    if not has_search():
        return render_template("search.html", result=None, params=params)
    result = search.search(get_index(), **search_args(current_app.config["PAGE_SIZE"]), facets=True)
    chart = attention_chart(result.facets.timeline, lambda period: url_with({"from": period, "to": period}))
    return render_template(
        "search.html",
        result=result,
        params=params,
        chart=chart,
        filters=[(key, params[key]) for key in FILTERS if key in params],
        pages=-(-result.total // result.page_size),
    )


@bp.route("/article/<article_id>")
def article_page(article_id: str):
    """One article in full, the query's words marked (`q` comes along from the results)."""
    query = request.args.get("q", "")
    view = search.get_article(get_index(), article_id, highlight_query=query)
    return render_template("article.html", view=view, article=view.article, params={"q": query})
