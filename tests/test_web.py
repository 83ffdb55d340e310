"""The web app: search page and JSON API, through the test client and a real server."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from search.cli import cli  # noqa: F401  (the server below is the real `morgue serve`)
from web import create_app


@pytest.fixture
def client(make_index):
    index_dir = make_index([
        {"title": "Harbour wall repaired", "body": "Mayor Elena Varga opened the repaired harbour wall.", "source": "Harbour Herald", "published": "2024-05-01"},
        {"title": "Odd <script>alert(1)</script> headline", "body": "A harbour story with <b>tags</b> in it.", "source": "Civic Radio", "published": "2024-06-01"},
    ] + [{"title": f"Harbour note {n}", "body": "Another harbour note.", "published": f"2023-01-{n + 1:02d}"} for n in range(12)])
    app = create_app({"MORGUE_INDEX": str(index_dir), "TESTING": True})
    return app.test_client()


def test_search_page_shows_ranked_highlighted_results(client):
    page = client.get("/?q=harbour+wall").get_data(as_text=True)
    assert "14 results" in page
    assert page.index("Harbour wall repaired") < page.index("Harbour note")
    assert '<mark class="match term0">harbour</mark>' in page
    assert 'href="/?q=harbour+wall&amp;person=Elena+Varga"' in page


def test_everything_from_articles_and_queries_is_escaped(client):
    page = client.get("/?q=%3Cscript%3Ealert(2)%3C/script%3E+headline").get_data(as_text=True)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;script&gt;alert(2)" in page
    assert "&lt;b&gt;tags&lt;/b&gt;" in page


def test_pagination_keeps_the_query_and_filters(client):
    page = client.get("/?q=harbour&sort=newest").get_data(as_text=True)
    assert "Page 1 of 2" in page and 'href="/?q=harbour&amp;sort=newest&amp;page=2"' in page
    second = client.get("/?q=harbour&sort=newest&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Harbour note 0" in second


def test_api_search_is_the_cli_json(client):
    data = client.get("/api/search?q=harbour&source=civic+radio").get_json()
    assert data["total"] == 1 and data["hits"][0]["source"] == "Civic Radio"
    assert set(data) >= {"total", "hits", "query", "parsed", "took_ms"}


@pytest.mark.parametrize("query", ["page=x", "page=-1", "sort=popular", "from=soon", "q=published:[a+to+b]"])
def test_bad_parameters_get_a_400_not_a_500(client, query):
    api = client.get(f"/api/search?q=harbour&{query}")
    assert api.status_code == 400 and api.get_json()["error"]
    assert client.get(f"/?q=harbour&{query}").status_code == 400


def test_the_page_without_an_index_says_to_reindex(tmp_path):
    client = create_app({"MORGUE_INDEX": str(tmp_path / "none")}).test_client()
    response = client.get("/api/search?q=x")
    assert response.status_code == 503 and "morgue reindex" in response.get_json()["error"]
    assert "morgue reindex" in client.get("/?q=x").get_data(as_text=True)


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


def test_real_server_over_http(corpus_index):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index", str(corpus_index), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        with urllib.request.urlopen(base + "/api/search?q=harbour") as response:
            data = json.load(response)
        assert response.status == 200 and data["total"] > 0
        with urllib.request.urlopen(base + "/?q=harbour") as response:
            assert "<mark" in response.read().decode()
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(base + "/api/search?q=harbour&page=0")
        assert error.value.code == 400
    finally:
        server.terminate()
        server.wait(timeout=10)
