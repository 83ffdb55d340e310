"""Property-based: no input makes ingest raise, and every input is accounted for.

Random bytes, truncated JSON, odd encodings, huge lines and mangled markup go through
`read_file` under every name a format is known by. The safety net in `read_file` turns a
reader's exception into a "reader failed" reason; these tests fail if the net is ever
needed, so each reader handles its own bad input.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import datetime
from html import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.ingest import read_file
from search.ingest.fields import field_of

NOW = datetime(2025, 7, 4, 12, 0)
NAMES = ["a.txt", "a.json", "a.jsonl", "a.csv", "a.tsv", "a.html", "a.xml", "a.rss", "a.sgm", "noext", "a.jsonl.gz", "a.html.gz"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252", "latin-1", "koi8-r", "shift_jis", "gb18030"]
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
article = st.fixed_dictionaries({"title": text, "body": text}, optional={"date": text, "people": st.lists(text, max_size=3)})


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def ingest(folder, name: str, data: bytes, **options):
    path = folder / name
    path.write_bytes(data)
    outcome = read_file(path, name, NOW, **options)
    assert bool(outcome.articles) != bool(outcome.reason), "an outcome is articles or a reason, never both or neither"
    for line in (outcome.reason, *outcome.problems):
        assert "\n" not in line and "reader failed" not in line, line
    return outcome


@FAST
@given(data=st.binary(max_size=3000), name=st.sampled_from(NAMES), packed=st.booleans())
def test_random_bytes_under_every_name(folder, data, name, packed):
    ingest(folder, name, gzip.compress(data) if packed else data)


@FAST
@given(data=st.binary(max_size=500), prefix=st.sampled_from([b"<html>", b"<rss>", b"<feed>", b"<REUTERS>", b"{", b"[", b'{"title": ', b"<?xml version='1.0'?><rss><channel><item>"]))
def test_random_bytes_behind_a_format_signature(folder, data, prefix):
    ingest(folder, "sniffed", prefix + data)


@FAST
@given(items=st.lists(article, min_size=1, max_size=4), cut=st.integers(min_value=0), name=st.sampled_from(["a.json", "a.jsonl", "a.txt"]))
def test_truncated_json(folder, items, cut, name):
    document = json.dumps(items if name != "a.jsonl" else items[0])
    ingest(folder, name, document[: cut % (len(document) + 1)].encode("utf-8"))


@FAST
@given(lines=st.lists(st.one_of(article.map(json.dumps), text.map(lambda t: "{" + t)), min_size=1, max_size=8))
def test_json_lines_each_line_is_an_article_or_a_reason(folder, lines):
    lines = [line.replace("\n", " ").replace("\r", " ") for line in lines if line.strip()]
    if not lines:
        return
    outcome = ingest(folder, "lines.jsonl", "\n".join(lines).encode("utf-8"))
    assert len(outcome.articles) + len(outcome.problems) == len(lines) or outcome.rejected


@FAST
@given(rows=st.lists(st.tuples(text, text, text), min_size=1, max_size=8))
def test_csv_each_row_is_an_article_or_a_reason(folder, rows):
    if any(field_of(cell) for cell in rows[0]):
        return  # a first row that names a field is a header, by design
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    outcome = ingest(folder, "rows.csv", buffer.getvalue().encode("utf-8"), csv_columns=("category", "title", "body"))
    records = [row for row in csv.reader(io.StringIO(buffer.getvalue().replace("\r\n", "\n").replace("\r", "\n")))]
    filled = [row for row in records if any(cell.strip() for cell in row)]
    assert len(outcome.articles) + len(outcome.problems) == len(filled) or outcome.rejected


@FAST
@given(body=text, encoding=st.sampled_from(ENCODINGS), name=st.sampled_from(["a.txt", "a.csv", "a.html", "a.json", "noext"]))
def test_odd_encodings(folder, body, encoding, name):
    content = f"Headline here\n\n{body}\n" if name != "a.json" else json.dumps({"title": "Headline", "body": body}, ensure_ascii=False)
    ingest(folder, name, content.encode(encoding, errors="replace"))


@FAST
@given(titles=st.lists(text, min_size=1, max_size=5), dates=st.lists(text, min_size=5, max_size=5))
def test_feed_entries_each_become_an_article_or_a_reason(folder, titles, dates):
    items = "".join(f"<item><title>{escape(t)}</title><pubDate>{escape(d)}</pubDate></item>" for t, d in zip(titles, dates))
    outcome = ingest(folder, "feed.rss", f"<rss><channel><title>F</title>{items}</channel></rss>".encode("utf-8"))
    assert len(outcome.articles) + len(outcome.problems) == len(titles) or outcome.rejected


@FAST
@given(stories=st.lists(st.tuples(text, text, text), min_size=1, max_size=5))
def test_reuters_stories_each_become_an_article_or_a_reason(folder, stories):
    sgml = "".join(
        f'<REUTERS NEWID="{n}"><DATE>{escape(date)}</DATE><PEOPLE><D>{escape(title)}</D></PEOPLE>'
        f"<TEXT><TITLE>{escape(title)}</TITLE><BODY>{escape(body)}</BODY></TEXT></REUTERS>\n"
        for n, (title, body, date) in enumerate(stories, start=1)
    )
    outcome = ingest(folder, "wire.sgm", sgml.encode("utf-8"))
    assert len(outcome.articles) + len(outcome.problems) == len(stories) or outcome.rejected


@pytest.mark.parametrize("name, data", [
    ("huge.txt", b"Headline\n\n" + b"word " * 200_000),
    ("huge.jsonl", b'{"title": "Big", "body": "' + b"x" * 2_000_000 + b'"}\n{"title": "Small", "body": "y"}\n'),
    ("huge.csv", b'title,body\nBig,"' + b"z" * 200_000 + b'"\nSmall,fine\n'),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000),
    ("huge.html", b"<html><body>" + b"<div>" * 5000 + b"<p>deep text</p>" + b"</div>" * 5000 + b"</body></html>"),
])
def test_huge_and_deep_inputs(folder, name, data):
    outcome = ingest(folder, name, data)
    if name == "huge.csv":
        assert [a.title for a in outcome.articles] == ["Big", "Small"] and len(outcome.articles[0].body) == 200_000
    if name == "huge.jsonl":
        assert [a.title for a in outcome.articles] == ["Big", "Small"]
