"""Whole articles: one by id with the query marked and similar articles; every match streamed."""
from __future__ import annotations

import pytest

import search


@pytest.fixture
def archive(make_index):
    return make_index([
        {"title": "Bridge closed after flood", "body": "The Greywater bridge closed.\nDivers found <b>scour</b> under the pier.",
         "source": "Harbour Herald", "published": "2024-03-02", "url": "https://example.org/bridge"},
        {"title": "Bridge reopens", "body": "The Greywater bridge reopened after repairs to the pier.", "published": "2024-05-01"},
        {"title": "Bakery prizes", "body": "A bakery won a prize for bread.", "published": "2024-06-01"},
    ])


def find(index_dir, title):
    return next(a for a in search.matching_articles(index_dir) if a.title == title)


def test_an_article_comes_back_as_indexed(archive):
    article = find(archive, "Bridge closed after flood")
    view = search.get_article(archive, article.id)
    assert view.article == article and view.article.url == "https://example.org/bridge"
    assert view.article.published_from == "field" and not view.article.published_guess
    assert view.as_dict()["published"] == "2024-03-02T00:00:00" and view.as_dict()["mentioned"] == []


def test_the_query_is_marked_and_everything_else_escaped(archive):
    article = find(archive, "Bridge closed after flood")
    view = search.get_article(archive, article.id, highlight_query="bridges NOT flood")
    assert view.title_html == '<mark>Bridge</mark> closed after flood'  # NOT words unmarked
    assert view.paragraphs_html == (
        'The Greywater <mark>bridge</mark> closed.',
        "Divers found &lt;b&gt;scour&lt;/b&gt; under the pier.",
    )
    assert search.get_article(archive, article.id, highlight_query="published:[oops").paragraphs_html[0].startswith("The")


def test_more_like_this_finds_the_related_story(archive):
    view = search.get_article(archive, find(archive, "Bridge closed after flood").id)
    assert [hit.title for hit in view.similar][0] == "Bridge reopens"
    assert all(hit.id != view.article.id for hit in view.similar)


def test_an_unknown_id_says_so(archive):
    with pytest.raises(search.NoArticle, match="No article with id 'nope'"):
        search.get_article(archive, "nope")


def test_matching_articles_has_no_cap_and_keeps_the_order(make_index):
    index_dir = make_index([{"title": f"Note {n}", "body": "harbour", "published": f"2023-01-{n:02d}"} for n in range(1, 29)])
    newest = [a.title for a in search.matching_articles(index_dir, "harbour", sort="newest")]
    assert len(newest) == 28 and newest[0] == "Note 28" and newest[-1] == "Note 1"
    assert [a.title for a in search.matching_articles(index_dir, "harbour", date_to="2023-01-02")] == ["Note 1", "Note 2"]


def test_matching_articles_checks_the_query_before_reading(archive):
    with pytest.raises(search.QueryError):
        search.matching_articles(archive, "x", sort="popular")  # raised at the call, not on first next()
    articles = search.matching_articles(archive, "bridge")
    next(articles)
    articles.close()  # closes the searcher; a web response does this when the client goes away
