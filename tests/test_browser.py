"""End to end in headless Chromium: what a reporter does, in a real browser on a real server.

Needs Debian's chromium at /usr/bin/chromium and Playwright for Python (no Playwright
browser download); skips without them. The results page is saved as a screenshot.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from test_web import corpus_server  # noqa: F401  (the one server, shared with test_web)

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A browser page on the server, with the console errors (CSP violations show there)
    and every URL it requested."""

    page: object
    base: str
    errors: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)


@pytest.fixture
def tab(browser, corpus_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = Tab(context.new_page(), corpus_server)
    tab.page.on("console", lambda message: message.type == "error" and tab.errors.append(message.text))
    tab.page.on("request", lambda request: tab.requested.append(request.url))
    yield tab
    context.close()


def test_search_person_pages_article(tab, tmp_path):
    page = tab.page
    page.goto(tab.base + "/")
    box = page.get_by_label("Search the archive")
    box.fill("bridge Varga")
    box.press("Enter")
    page.wait_for_url("**/?q=bridge+Varga")
    assert page.locator(".hit").count() == 10 and page.locator(".hit mark").count() > 10
    assert page.locator(".summary").inner_text().startswith("13 results")  # pages: 2
    screenshot = tmp_path / "results.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000

    page.locator(".hit .people a", has_text="José Ortega").first.click()
    page.wait_for_url("**person=Jos*")
    assert page.locator(".chips").inner_text().startswith("Person: José Ortega")
    assert all("José Ortega" in text for text in page.locator(".hit .people").all_inner_texts())

    page.goto(tab.base + "/?q=Varga&sort=newest")
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url("**page=2")
    assert "Page 2 of 2" in page.locator(".pages").inner_text()
    assert "sort=newest" in page.url and page.locator(".sort a[aria-current]").inner_text() == "Newest"

    page.locator(".hit h2 a").first.click()
    page.wait_for_url("**/article/**")
    assert page.locator("article h1").is_visible() and page.locator("article .text mark").count() > 0
    assert page.get_by_role("heading", name="More like this").is_visible()
    assert not tab.errors, tab.errors
    assert all(url.startswith(tab.base) for url in tab.requested), tab.requested


def test_keyboard_reaches_the_search_box_and_facets(tab):
    page = tab.page
    page.goto(tab.base + "/?q=harbour")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    facet = page.locator(".facets a").first
    facet.focus()
    facet.press("Enter")
    page.wait_for_url("**&source=*")
    assert page.locator(".chips li").count() == 1


def test_feed_and_export_answer_in_the_browser(tab):
    page = tab.page
    feed = page.request.get(tab.base + "/feed?q=bridge")
    assert feed.ok and feed.headers["content-type"].startswith("application/rss+xml")
    assert feed.text().count("<item>") == page.request.get(tab.base + "/api/search?q=bridge").json()["total"]
    export = page.request.get(tab.base + "/export?" + urllib.parse.urlencode({"q": "bridge", "format": "jsonl"}))
    assert export.ok and export.headers["content-type"] == "application/x-ndjson"
    assert len(export.text().splitlines()) == feed.text().count("<item>")


def test_readable_on_a_phone(browser, corpus_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(corpus_server + "/?q=Varga")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".facets").bounding_box()["y"] > page.locator(".hits").bounding_box()["y"]
    context.close()


def test_script_in_a_query_stays_text(tab):
    page = tab.page
    page.goto(tab.base + "/?q=" + urllib.parse.quote("<script>alert(1)</script>"))
    assert page.locator("script").count() == 0
    assert "<script>alert(1)</script>" == page.get_by_label("Search the archive").input_value()
