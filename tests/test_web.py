"""The web app through Flask's test client: pages, facets, articles, feeds, exports, errors,
and once through a real server. The browser's view is in test_browser.py, the OpenAPI
document in test_web_openapi.py."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

import search
from conftest import NOW
from search.cli import cli
from web import CONTENT_SECURITY_POLICY, create_app

NEWSROOM = [
    {"title": "Harbour wall repaired", "body": "Mayor Elena Varga opened the repaired harbour wall.",
     "source": "Harbour Herald", "published": "2024-05-01"},
    {"title": "Odd <script>alert(1)</script> headline", "body": "A harbour story with <b>tags</b> in it.",
     "source": "Civic Radio", "published": "2024-06-01", "url": "javascript:alert(3)"},
] + [{"title": f"Harbour note {n}", "body": "Another harbour note.", "published": f"2023-01-{n + 1:02d}"} for n in range(12)]


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    """A small index: two distinct articles and twelve notes, enough for two pages."""
    folder = tmp_path_factory.mktemp("newsroom")
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(a) for a in NEWSROOM), encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("newsroom-index")
    search.reindex([folder], index_dir, now=NOW)
    return index_dir


@pytest.fixture(scope="module")
def client(newsroom):
    return create_app({"MORGUE_INDEX": str(newsroom), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def corpus(corpus_index):
    """The app over the sample corpus (Elena Varga in 13 articles, four sources)."""
    return create_app({"MORGUE_INDEX": str(corpus_index), "TESTING": True}).test_client()


def page_of(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def hrefs(page: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]*)"', page)]


# The search page


def test_search_page_shows_ranked_highlighted_results(client):
    page = page_of(client.get("/?q=harbour+wall"))
    assert "14 results" in page and "searched for <q" in page and "harbour OR wall" in page
    assert page.index("Harbour wall repaired") < page.index("Harbour note")
    assert '<mark>harbour</mark>' in page
    assert 'href="/?q=harbour+wall&amp;person=Elena+Varga"' in page
    assert '<time datetime="2024-05-01T00:00:00">1 May 2024</time>' in page and "ago)" in page


def test_the_home_page_offers_help_and_a_way_in(client):
    page = page_of(client.get("/"))
    assert '<label for="q">' in page and "Search tips" in page and 'person:"Elena Varga"' in page
    assert "/?sort=newest" in page


def test_everything_from_articles_and_queries_is_escaped(client):
    page = page_of(client.get("/?q=%3Cscript%3Ealert(2)%3C/script%3E+headline"))
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;script&gt;alert(2)" in page
    assert "&lt;b&gt;tags&lt;/b&gt;" in page
    article_id = client.get("/api/search?q=odd").get_json()["hits"][0]["id"]
    article = page_of(client.get(f"/article/{article_id}?q=%3Cscript%3E+harbour"))
    assert "<script" not in article and "&lt;b&gt;tags&lt;/b&gt;" in article
    assert "javascript:alert(3)" in article and 'href="javascript:' not in article  # shown, not linked


def test_pagination_keeps_the_query_and_filters(client):
    page = page_of(client.get("/?q=harbour&sort=newest"))
    assert "Page 1 of 2" in page and 'href="/?q=harbour&amp;sort=newest&amp;page=2"' in page
    second = page_of(client.get("/?q=harbour&sort=newest&page=2"))
    assert "Page 2 of 2" in second and "Harbour note 0" in second
    filtered = page_of(client.get("/?q=note&from=2023&to=2023-01&sort=oldest"))
    assert "/?q=note&from=2023&to=2023-01&sort=oldest&page=2" in hrefs(filtered)
    past = page_of(client.get("/?q=harbour&page=9"))
    assert "past the last page" in past and "/?q=harbour" in hrefs(past)


def test_filters_hold_when_matches_outnumber_the_page(client):
    """Whoosh drops a filter when asked for matched terms and more docs match than the page holds."""
    data = client.get("/api/search?q=harbour&source=civic+radio").get_json()
    assert data["total"] == 1 and data["hits"][0]["source"] == "Civic Radio"


def test_filter_chips_remove_one_filter_each(client):
    page = page_of(client.get("/?q=harbour&source=Civic+Radio&from=2024"))
    links = hrefs(page)
    assert "/?q=harbour&from=2024" in links and "/?q=harbour&source=Civic+Radio" in links


# Facets, chart, did-you-mean


def test_facets_count_every_match_not_just_the_page(corpus):
    facets = corpus.get("/api/search?q=Varga").get_json()["facets"]
    assert {"value": "Elena Varga", "count": 13} in facets["people"]
    assert {c["value"] for c in facets["sources"]} <= {"Harbour Herald", "Calder Courier", "Northern Wire", "Civic Radio"}
    assert sum(c["count"] for c in facets["years"]) == 13
    page = page_of(corpus.get("/?q=Varga"))
    assert "/?q=Varga&person=Elena+Varga" in hrefs(page) and '<span class="n">13</span>' in page


def test_clicking_a_person_filters_by_them(corpus):
    everyone = corpus.get("/api/search?q=harbour").get_json()
    person = everyone["facets"]["people"][0]
    narrowed = corpus.get("/api/search", query_string={"q": "harbour", "person": person["value"]}).get_json()
    assert narrowed["total"] == person["count"] < everyone["total"]
    assert all(person["value"] in hit["people"] for hit in narrowed["hits"])


def test_attention_chart_is_server_drawn_svg_of_shares(corpus):
    timeline = corpus.get("/api/search?q=Varga").get_json()["facets"]["timeline"]
    assert timeline["unit"] == "month" and timeline["periods"]
    for period in timeline["periods"]:
        assert period["matches"] <= period["articles"]
        assert period["share"] == (round(period["matches"] / period["articles"], 4) if period["articles"] else 0)
    page = page_of(corpus.get("/?q=Varga"))
    assert "<svg" in page and "<rect" in page and "Attention over time" in page
    month = next(p["period"] for p in timeline["periods"] if p["matches"])
    assert f"/?q=Varga&from={month}&to={month}" in hrefs(page)
    days = corpus.get("/api/search?q=Varga&from=2025-06&to=2025-07").get_json()["facets"]["timeline"]
    assert days["unit"] == "day"


def test_did_you_mean_and_the_zero_results_page(corpus):
    data = corpus.get("/api/search?q=Vraga").get_json()
    assert data["total"] == 0 and data["suggestion"] == "Varga"
    page = page_of(corpus.get("/?q=Vraga&source=Civic+Radio"))
    assert "No articles match" in page and "Did you mean" in page
    links = hrefs(page)
    assert "/?q=Varga&source=Civic+Radio" in links and "/?q=Vraga" in links  # respelled; without filters
    assert corpus.get("/api/search?q=Varga").get_json()["suggestion"] is None


# The article page


def test_article_page_has_text_metadata_and_more_like_this(corpus):
    hit = corpus.get("/api/search?q=greywater+bridge").get_json()["hits"][0]
    page = page_of(corpus.get(f"/article/{hit['id']}?q=greywater+bridge"))
    assert "<mark" in page and "More like this" in page
    for person in hit["people"]:
        assert f"/?person={person.replace(' ', '+')}" in hrefs(page)
    article = corpus.get(f"/api/article/{hit['id']}").get_json()
    assert article["path"] in page and article["title"] == hit["title"]
    assert article["published_from"] and article["more_like_this"]
    assert all(f"/?q=date:{value}" in hrefs(page) for value in article["mentioned"])


def test_unknown_article_is_a_404_page_and_json(client):
    assert client.get("/article/nope").status_code == 404
    response = client.get("/api/article/nope")
    assert response.status_code == 404 and "No article" in response.get_json()["error"]


# Feed and export


def test_feed_is_rss_of_the_search_newest_first(corpus):
    response = corpus.get("/feed?q=Varga")
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    items = ElementTree.fromstring(response.data).findall("channel/item")
    assert items and len(items) == min(13, 50)
    dates = [parsedate_to_datetime(item.findtext("pubDate")) for item in items]
    assert dates == sorted(dates, reverse=True)
    assert all(item.findtext("link").startswith("http://localhost/article/") for item in items)


@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_export_streams_every_match(corpus, form):
    total = corpus.get("/api/search").get_json()["total"]
    response = corpus.get(f"/export?format={form}")
    assert response.status_code == 200 and response.is_streamed and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    if form == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == total > 10 and len({row["id"] for row in rows}) == total
    fields = set(corpus.get(f"/api/article/{rows[0]['id']}").get_json()) - {"more_like_this"}
    assert set(rows[0]) == fields  # an export carries every field of the article API
    varga = corpus.get(f"/export?format={form}&person=Elena+Varga").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(varga)))) == 14 if form == "csv" else len(varga.splitlines()) == 13


# The machine interface is the CLI's


def test_api_search_is_the_cli_json_plus_facets(corpus, corpus_index):
    api = corpus.get("/api/search?q=harbour&sort=newest").get_json()
    result = CliRunner().invoke(cli, ["query", "harbour", "--sort", "newest", "--json", "--index", str(corpus_index)])
    cli_json = json.loads(result.output)
    assert list(api) == list(cli_json) + ["facets"]  # in the same order
    assert list(api["hits"][0]) == list(cli_json["hits"][0])
    assert {k: v for k, v in api.items() if k not in ("facets", "took_ms")} == {k: v for k, v in cli_json.items() if k != "took_ms"}


# Errors and safety


PAGED = ("/api/search",)  # feeds and exports have no pages; feeds have one order
BAD = {"page=x": PAGED, "page=-1": PAGED, "page=0": PAGED, "sort=popular": ("/api/search", "/export"),
       "from=soon": (), "to=2024-13": (), "from=2025&to=2024": (), "q=published:[a+to+b]": (),
       "q=" + "x" * 10_000: (), "format=xml": ("/export",)}


@pytest.mark.parametrize("query", BAD)
def test_bad_parameters_get_a_400_not_a_500(client, query):
    for path in BAD[query] or ("/api/search", "/feed", "/export"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400 and response.get_json()["error"], path
    if "format" in query:
        return
    page = client.get(f"/?{query}")
    assert page.status_code == 400 and "That search needs a change" in page.get_data(as_text=True)


def test_a_long_query_gets_a_clear_limit(client):
    error = client.get("/api/search?q=" + "word " * 2000).get_json()["error"]
    assert "10,000 characters" in error and "limit is 1,000" in error


@pytest.mark.parametrize("query", ["<b>", "a > b", "((", '"', "title:", "*", "NOT", "published:", "\x00", "%", "person:\"\"",
                                    "date:[", "date:[2024 to 2025]", "harb* title:x?z", "published:+title:}", "q" * 1000])
def test_odd_queries_never_fail(client, query):
    assert client.get("/", query_string={"q": query}).status_code in (200, 400)
    assert client.get("/api/search", query_string={"q": query}).status_code in (200, 400)
    article_id = client.get("/api/search?q=harbour").get_json()["hits"][0]["id"]
    assert client.get(f"/article/{article_id}", query_string={"q": query}).status_code == 200  # marks dropped, page shown


def test_the_page_without_an_index_says_to_reindex(tmp_path):
    client = create_app({"MORGUE_INDEX": str(tmp_path / "none")}).test_client()
    response = client.get("/api/search?q=x")
    assert response.status_code == 503 and "morgue reindex" in response.get_json()["error"]
    assert "morgue reindex" in client.get("/?q=x").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/?q=harbour", "/article/nope", "/api/search?q=x", "/feed", "/static/style.css", "/no/such/page"])
def test_every_response_carries_the_content_security_policy(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_elsewhere_and_run_no_inline_code(corpus):
    hit = corpus.get("/api/search?q=bridge").get_json()["hits"][0]
    for path in ("/", "/?q=bridge", f"/article/{hit['id']}?q=bridge", "/?q=zzzz"):
        page = corpus.get(path).get_data(as_text=True)
        assert "<script" not in page and " style=" not in page and " on" + "click=" not in page
        loaded = re.findall(r'<(?:link|img|script|iframe)[^>]+(?:href|src)="([^"]+)"', page)
        assert loaded and all(url.startswith("/") for url in loaded), loaded


# A real server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise TimeoutError(url)


def start_server(index_dir) -> tuple[subprocess.Popen, str]:
    """`morgue serve` on a free port, as a user would run it; returns it and its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index", str(index_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/")
    except TimeoutError:
        server.terminate()
        raise
    return server, base


@pytest.fixture(scope="session")
def corpus_server(corpus_index):
    """`morgue serve` on the sample corpus, started once for this module and the browser tests."""
    server, base = start_server(corpus_index)
    yield base
    server.terminate()
    server.wait(timeout=10)


def test_real_server_over_http(corpus_server):
    with urllib.request.urlopen(corpus_server + "/api/search?q=harbour") as response:
        data = json.load(response)
    assert response.status == 200 and data["total"] > 0
    with urllib.request.urlopen(corpus_server + "/?q=harbour") as response:
        assert "<mark" in response.read().decode()
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(corpus_server + "/api/search?q=harbour&page=0")
    assert error.value.code == 400
