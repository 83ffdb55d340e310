"""Ingest, format by format: JSON mapping, CSV, Reuters SGML, HTML pages, RSS/Atom, gzip and
content sniffing; each on data written for these tests, then on the public corpora."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

import search.extract
import search.ingest
from conftest import DATA, NOW, shared_path
from search.ingest import merge_people, read_file

INGEST = DATA / "ingest"


def read(path, **options):
    return read_file(path, path.name, NOW, **options)


@pytest.fixture
def no_enrich(monkeypatch):
    """People and dates are extract.py's business; the big-corpus checks skip them for speed."""
    monkeypatch.setattr(search.ingest, "enrich", lambda article: article)


# JSON -------------------------------------------------------------------------------------

def test_json_maps_author_people_tags_and_many_date_forms(tmp_path):
    path = tmp_path / "dump.json"
    path.write_text(json.dumps({"status": "ok", "articles": [
        {"Headline": "Ferry strike called off", "Content": "Crews accepted the offer.", "Published_At": 1720690200,
         "authors": [{"name": "Mara Linden"}, "Jon Ek"], "people": ["Ilse Brandt"], "keywords": "ferries; labour"},
        {"title": "Market hours change", "articleBody": "Stalls open at six.", "datePublished": "Thu, 11 Jul 2024 09:30:00 EDT"},
    ]}))
    strike, market = read(path).articles
    assert (strike.title, strike.body, strike.author) == ("Ferry strike called off", "Crews accepted the offer.", "Mara Linden, Jon Ek")
    assert strike.published == datetime(2024, 7, 11, 9, 30) and strike.published_from == "field"
    assert strike.people[0] == "Ilse Brandt" and strike.tags == ("ferries", "labour")
    assert market.published == datetime(2024, 7, 11, 13, 30)


def test_json_object_of_articles_keyed_by_id(tmp_path):
    path = tmp_path / "by-id.json"
    path.write_text(json.dumps({"a1": {"title": "One", "body": "First."}, "a2": {"title": "Two", "body": "Second."}}))
    assert [a.title for a in read(path).articles] == ["One", "Two"]


def test_json_without_article_fields_names_the_fields_it_has(tmp_path):
    path = tmp_path / "fixture.json"
    path.write_text('{"url": "https://example.org/x", "expected": {"title": "x"}}')
    assert read(path).reason == "item 1: no title or body field (it has: url, expected)"


def test_given_people_stay_first_and_merge_with_found_ones():
    assert merge_people(["Varga", "Holm, Petra", "Ilse Brandt"], ["Elena Varga", "Anton Weiss", "Ilse Brandt"]) == (
        "Elena Varga", "Petra Holm", "Ilse Brandt", "Anton Weiss")


def test_jsonl_people_given_in_the_file_reach_the_article(tmp_path):
    path = tmp_path / "people.jsonl"
    path.write_text('{"title": "Quay repairs", "body": "Anton Weiss inspected the quay on Monday.", "people": ["Mara Linden"]}\n')
    (article,) = read(path).articles
    assert article.people[0] == "Mara Linden" and "Anton Weiss" in article.people


# CSV --------------------------------------------------------------------------------------

def jsonl_lines(count: int) -> list[bytes]:
    lines = [json.dumps({"title": f"Story {n}", "body": f"Caf\u00e9 report number {n} on the harbour."}).encode()
             for n in range(count)]
    lines[7] = b'{"title": "broken'  # a bad line and a blank one, numbered as in the whole file
    lines[12] = b""
    return lines


def read_in_parts(path, parts):
    return [search.ingest.read_part(path, path.name, part, NOW) for part in parts]


def whole_and_parts(path, monkeypatch, chunk: int, kind: str):
    """The file read whole, then cut in parts of about 300 bytes, read `chunk` bytes at a
    time, each part read alone; checks that the parts cover the file, fingerprinted whole."""
    whole = read(path)
    monkeypatch.setattr(search.ingest, "PART_BYTES", 300)
    monkeypatch.setattr(search.ingest, "CHUNK_BYTES", chunk)
    digest = hashlib.sha1()
    parts = search.ingest.file_parts(path, digest)
    assert digest.digest() == hashlib.sha1(path.read_bytes()).digest()
    assert len(parts) > 5 and {p.kind for p in parts} == {kind}
    assert parts[0].start == 0 and parts[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    return whole, read_in_parts(path, parts)


CHUNKS = [search.ingest.CHUNK_BYTES, 301, 7]  # a file is cut as it is read, a chunk at a time


@pytest.mark.parametrize("chunk", CHUNKS)
def test_a_large_jsonl_file_read_in_parts_gives_what_the_whole_file_gives(tmp_path, monkeypatch, chunk):
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join(jsonl_lines(40)) + b"\r\n")
    whole, read_parts = whole_and_parts(path, monkeypatch, chunk, "jsonl")
    assert [a for o in read_parts for a in o.articles] == list(whole.articles)
    assert [p for o in read_parts for p in o.problems] == list(whole.problems) == ["malformed JSON at line 8: "
                                                                                    "Unterminated string starting at"]
    assert not any(o.rejected for o in read_parts)


def test_only_large_plain_jsonl_files_are_cut_in_parts(tmp_path, monkeypatch):
    monkeypatch.setattr(search.ingest, "PART_BYTES", 300)
    data = b"\n".join(jsonl_lines(40)) + b"\n"
    (tmp_path / "small.jsonl").write_bytes(data[:200])
    (tmp_path / "object.json").write_text(json.dumps({"articles": [{"title": "t", "body": "b" * 50}] * 40}))
    (tmp_path / "packed.jsonl.gz").write_bytes(gzip.compress(data))
    (tmp_path / "wide.jsonl").write_bytes(data.decode().encode("utf-16"))
    assert [search.ingest.file_parts(p) for p in sorted(tmp_path.iterdir())] == [[], [], [], []]
    for path in tmp_path.iterdir():  # read through to the end all the same, when fingerprinted
        digest = hashlib.sha1()
        search.ingest.file_parts(path, digest)
        assert digest.digest() == hashlib.sha1(path.read_bytes()).digest()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device every write to fails as a full disk")
def test_a_gzip_whose_copy_finds_the_disk_full_is_read_whole_and_still_fingerprinted(tmp_path, monkeypatch):
    path = tmp_path / "dump.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n".join(jsonl_lines(40)) + b"\n"))
    monkeypatch.setattr(search.ingest, "PART_BYTES", 300)
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    make_copy = tempfile.mkstemp

    def copy_on_a_full_disk(**options):
        handle, name = make_copy(**options)
        os.close(handle)
        return os.open("/dev/full", os.O_WRONLY), name
    monkeypatch.setattr(tempfile, "mkstemp", copy_on_a_full_disk)
    digest = hashlib.sha1()
    assert search.ingest.file_parts(path, digest, unpack_into=unpacked) == []
    assert digest.digest() == hashlib.sha1(path.read_bytes()).digest() and list(unpacked.iterdir()) == []


def json_items(count: int) -> list:
    """Articles whose text holds what could fool a cutter: brackets, braces, commas and
    quotes in strings, escapes, nested lists and objects; and an item that is no object."""
    items = [{"title": f"Story {n} [draft], {{v{n}}}", "body": f'She said "wait, [no]" \\ {n} }} ] é ' * 4,
              "tags": ["a", ["b", "c"], {"d": ",]"}]} for n in range(50)]
    items[10] = "not an object"
    return items


@pytest.mark.parametrize("chunk", CHUNKS)
def test_a_large_json_array_read_in_parts_gives_what_the_whole_file_gives(tmp_path, monkeypatch, chunk):
    path = tmp_path / "list.json"
    path.write_bytes(b"\xef\xbb\xbf \n" + json.dumps(json_items(50), indent=1, ensure_ascii=False).encode() + b"\n")
    whole, read_parts = whole_and_parts(path, monkeypatch, chunk, "json-items")
    assert [a for o in read_parts for a in o.articles] == list(whole.articles) and len(whole.articles) == 49
    assert [p for o in read_parts for p in o.problems] == list(whole.problems)
    assert whole.problems == ("item 11: expected an object, found string",)


def test_a_malformed_item_of_a_large_json_array_costs_its_part_not_the_file(tmp_path, monkeypatch):
    path = tmp_path / "list.json"
    text = json.dumps(json_items(50))
    path.write_text(text.replace('"Story 30 ', '"Story 30 \\q', 1))  # an escape JSON does not have
    assert read(path).rejected
    monkeypatch.setattr(search.ingest, "PART_BYTES", 300)
    read_parts = read_in_parts(path, search.ingest.file_parts(path))
    problems = [p for o in read_parts for p in o.problems]
    assert len(problems) == 2 and problems[1].startswith("malformed JSON in the part of the array from item ")
    titles = [a.title for o in read_parts for a in o.articles]
    assert 40 <= len(titles) < 49 and "Story 30 [draft], {v30}" not in titles and "Story 49 [draft], {v49}" in titles


@pytest.mark.parametrize("chunk", CHUNKS)
def test_a_large_gzipped_jsonl_file_is_cut_in_parts_of_a_copy_unpacked_as_it_is_read(tmp_path, monkeypatch, chunk):
    path = tmp_path / "dump.jsonl.gz"
    data = b"\r\n".join(jsonl_lines(40)) + b"\r\n"
    path.write_bytes(gzip.compress(data[:1000]) + gzip.compress(data[1000:]))  # two members, as `cat a.gz b.gz` makes
    whole = read(path)
    monkeypatch.setattr(search.ingest, "PART_BYTES", 300)
    monkeypatch.setattr(search.ingest, "CHUNK_BYTES", chunk)
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    digest = hashlib.sha1()
    parts = search.ingest.file_parts(path, digest, unpack_into=unpacked)
    assert digest.digest() == hashlib.sha1(path.read_bytes()).digest()
    (copy,) = unpacked.iterdir()
    assert copy.read_bytes() == data and {p.data for p in parts} == {str(copy)}
    assert len(parts) > 5 and parts[0].start == 0 and parts[-1].end == len(data)
    read_parts = read_in_parts(path, parts)
    assert [a for o in read_parts for a in o.articles] == list(whole.articles) and len(whole.articles) == 38
    assert [p for o in read_parts for p in o.problems] == list(whole.problems)
    assert search.ingest.file_parts(path) == []  # without a folder to unpack into, it is read whole


def test_a_large_gzipped_csv_file_is_cut_in_parts_too(tmp_path, monkeypatch):
    path = tmp_path / "dump.csv.gz"
    path.write_bytes(gzip.compress(csv_rows(60).encode("utf-8")))
    whole = read(path)
    monkeypatch.setattr(search.ingest, "PART_BYTES", 300)
    parts = search.ingest.file_parts(path, unpack_into=tmp_path)
    assert len(parts) > 5 and {p.kind for p in parts} == {"csv"}
    assert [a for o in read_in_parts(path, parts) for a in o.articles] == list(whole.articles)


def test_a_gzip_that_is_not_as_expected_is_read_whole_and_leaves_no_copy(tmp_path, monkeypatch):
    """Truncated, corrupt, too large once unpacked, or plain text inside: no parts, and
    reading the whole file says what is wrong."""
    data = b"\n".join(jsonl_lines(40)) + b"\n"
    packed = gzip.compress(data)
    files = {"truncated.jsonl.gz": packed[:-30], "corrupt.jsonl.gz": packed[:40] + b"\xff" * 8 + packed[48:],
             "big.jsonl.gz": gzip.compress(data * 3), "notes.txt.gz": gzip.compress(b"Harbour notes\n" + b"The ferry ran late. " * 20)}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    monkeypatch.setattr(search.ingest, "PART_BYTES", 300)
    monkeypatch.setattr(search.ingest.content, "MAX_BYTES", len(data) * 2)  # only "big" unpacks to more
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    for name in files:
        assert search.ingest.file_parts(tmp_path / name, hashlib.sha1(), unpack_into=unpacked) == [], name
    assert list(unpacked.iterdir()) == []
    assert read(tmp_path / "truncated.jsonl.gz").problems[0].startswith("truncated gzip: read the first ")
    assert read(tmp_path / "corrupt.jsonl.gz").reason.startswith("unreadable: a gzip file with nothing readable")
    assert read(tmp_path / "big.jsonl.gz").reason.startswith("too large: unpacks to more than")


def csv_rows(count: int) -> str:
    rows = ["Headline,Text,Date"]
    for n in range(count):
        body = f'Crews return to dock {n}, and "ships" sail.\r\nSecond line of {n}.' if n % 3 else f"Plain report {n}."
        rows.append(f'"Story {n}","{body.replace(chr(34), chr(34) * 2)}",2024-07-{n % 28 + 1:02d}')
    rows[9] = ""  # a blank line, numbered as a row as in the whole file
    rows[14] = ",,2024-07-15"  # a date alone: a row that is no article
    return "\r\n".join(rows) + "\r\n"


@pytest.mark.parametrize("chunk", CHUNKS)
def test_a_large_csv_file_read_in_parts_gives_what_the_whole_file_gives(tmp_path, monkeypatch, chunk):
    path = tmp_path / "dump.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_rows(60).encode("utf-8"))
    whole, read_parts = whole_and_parts(path, monkeypatch, chunk, "csv")
    assert [a for o in read_parts for a in o.articles] == list(whole.articles) and len(whole.articles) == 58
    assert [p for o in read_parts for p in o.problems] == list(whole.problems) == ["CSV row 15: empty: no title or body"]


def test_a_csv_file_is_not_cut_after_a_row_that_does_not_read_strictly(tmp_path, monkeypatch):
    path = tmp_path / "stray.csv"
    text = csv_rows(60)
    row = text.index('"Story 20"')
    path.write_text(text[:row] + '"Quote","He said "no" twice",2024-07-01\r\n' + text[row:], newline="")
    monkeypatch.setattr(search.ingest, "PART_BYTES", 300)
    parts = search.ingest.file_parts(path)
    assert 1 < len(parts) < 5 and parts[-1].end == path.stat().st_size
    whole = read(path)
    assert [a for p in parts for a in search.ingest.read_part(path, path.name, p, NOW).articles] == list(whole.articles)


def test_csv_with_a_header_and_a_bad_row(tmp_path):
    path = tmp_path / "items.csv"
    path.write_text('Headline,Text,Date,Site\n"Dock strike ends","Crews return, and ships sail.",2024-07-11,Northern Wire\n,,2024-07-12,\n'
                    '"Ferry fares rise","Fares go up ""again"".",2024-07-12,Civic Radio\n')
    outcome = read(path)
    assert [(a.title, a.source) for a in outcome.articles] == [("Dock strike ends", "Northern Wire"), ("Ferry fares rise", "Civic Radio")]
    assert outcome.articles[1].body == 'Fares go up "again".'
    assert outcome.problems == ("CSV row 3: empty: no title or body",)


def test_csv_without_a_header_needs_column_names(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text('"2","Harbour wins cup","The team won 3-1."\n')
    assert "--csv-columns" in read(path).reason
    (article,) = read(path, csv_columns=("category", "title", "body")).articles
    assert (article.title, article.body, article.tags) == ("Harbour wins cup", "The team won 3-1.", ("2",))
    assert "names no title or body column" in read(path, csv_columns=("a", "b", "c")).reason


def test_csv_undoes_crawler_escaping_ag_news_style(tmp_path):
    path = tmp_path / "ag-style.csv"
    path.write_text('"4","Quay robots (AP)","AP - A new\\network of robots costs \\$2 million,  quot;far too much quot; '
                    'says a\\northern town. &lt;b&gt;More&lt;/b&gt; next year, doesn #39;t it?\\"\n')
    (article,) = read(path, csv_columns=("category", "title", "body")).articles
    assert article.body == 'AP - A new\nnetwork of robots costs $2 million, "far too much" says a\nnorthern town. More next year, doesn\'t it?'


def test_csv_with_c_style_escapes_and_semicolons(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text('title;body\nTide report;High water at six.\\nLow water at noon.\n')
    (article,) = read(path).articles
    assert article.body == "High water at six.\nLow water at noon."


def test_csv_separator_is_judged_outside_a_quoted_cell_that_spans_lines(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text('"Quay\tnotes\nsecond line",Harbour wins cup,The team won\t3-1.\n')
    (article,) = read(path, csv_columns=("category", "title", "body")).articles
    assert (article.title, article.body) == ("Harbour wins cup", "The team won\t3-1.")


def test_csv_with_an_article_longer_than_the_csv_modules_cell_limit(tmp_path):
    path = tmp_path / "long.csv"
    long_body = "The council met again. " * 10_000  # 230 KB in one cell
    path.write_text(f'title,body\nShort one,Brief.\nLong one,"{long_body}"\nLast one,"Done, at last."\n')
    outcome = read(path)
    assert [a.title for a in outcome.articles] == ["Short one", "Long one", "Last one"] and not outcome.problems
    assert outcome.articles[1].body == long_body.strip()


# Reuters SGML -----------------------------------------------------------------------------

def test_reuters_stories_with_title_only_raw_text_and_an_empty_one():
    outcome = read(INGEST / "calder-wire.sgm")
    traffic, bank, correction = outcome.articles
    assert traffic.title == "CALDER PORT TRAFFIC RISES 12 PCT IN FEBRUARY"
    assert traffic.body.startswith("PORT CALDER, March 12 - Ship calls at Port Calder rose 12 pct in February")
    assert "Müller quay" in traffic.body and "<and>" in traffic.body and not traffic.body.endswith("Reuter")
    assert traffic.published == datetime(1987, 3, 12, 9, 15, 42, 70000) and traffic.published_from == "field"
    assert traffic.people[:2] == ("Elena Varga", "Brandt") and traffic.tags == ("ship", "trade", "calder")
    assert (traffic.source, traffic.author) == ("Reuters", "Jonas Mikkel")
    assert (bank.title, bank.body) == ("CALDER CENTRAL BANK HOLDS DISCOUNT RATE AT 4.5 PCT", "")
    assert correction.title == "CORRECTION - LINDHAVEN GRAIN TENDER"
    assert correction.body == "The grain tender reported earlier today closes on Friday, not Thursday, the ministry said."
    assert correction.published == datetime(1987, 3, 12)  # a corrupt time keeps the day
    assert outcome.problems == ("story 104: empty: no title, body or text",)


# HTML -------------------------------------------------------------------------------------

def test_html_page_main_text_title_date_author():
    (page,) = read(INGEST / "harbour-wall.html").articles
    assert page.title == "Harbour wall approved after long debate"
    assert page.body.startswith("Port Calder's council approved a new harbour wall")
    assert "storms of the following winter" in page.body
    for chrome in ("Home", "discount anchors", "Related:", "waste of money", "Copyright", "tracker"):
        assert chrome not in page.body
    assert page.published == datetime(2024, 7, 12, 17, 15) and page.published_from == "field"
    assert (page.author, page.source, page.url) == ("Petra Holm", "Calder Courier", "https://example.org/courier/harbour-wall")


def test_html_page_without_markup_date_gets_the_file_time(tmp_path):
    path = tmp_path / "plain.html"
    path.write_text("<html><head><title>Quay notice</title></head><body><p>The quay closes at ten tonight for repairs to the crane rails.</p></body></html>")
    (page,) = read_file(path, "plain.html").articles
    assert page.title == "Quay notice" and "crane rails" in page.body and page.published_guess


# Feeds ------------------------------------------------------------------------------------

def test_rss_one_article_per_entry_with_its_date():
    outcome = read(INGEST / "harbour-herald.rss")
    ferry, market = outcome.articles
    assert (ferry.title, ferry.source, ferry.author, ferry.tags) == ("Night ferry returns to the Skerry route", "Harbour Herald", "Mara Linden", ("transport",))
    assert ferry.body == "The night ferry to Skerry Point sails again from Monday.\n\nCaptain Ilse Brandt said the crossing takes forty minutes."
    assert ferry.published == datetime(2024, 7, 11, 7, 30) and ferry.published_from == "field"
    assert ferry.url == "https://example.org/herald/night-ferry"
    assert market.published_guess  # no date in the entry: the file's time, flagged
    assert outcome.problems == ("entry 3: empty: no title or text",)


def test_atom_entries_use_published_then_updated():
    wall, library = read(INGEST / "civic-radio.atom").articles
    assert (wall.source, wall.author, wall.published) == ("Civic Radio", "Tomas Reyes", datetime(2024, 7, 12, 17, 45))
    assert wall.body == "The council voted seven to two for the wall.\n\nWork starts in September."
    assert library.published == datetime(2024, 7, 11, 8, 0) and library.published_from == "field"


# Sniffing and gzip ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["saved-page.txt", "page-without-extension", "page.htm.gz"])
def test_html_found_by_content_whatever_the_name(tmp_path, name):
    data = (INGEST / "harbour-wall.html").read_bytes()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    (page,) = read(path).articles
    assert page.title == "Harbour wall approved after long debate"


@pytest.mark.parametrize("name", ["export", "export.json", "export.txt", "export.jsonl.gz"])
def test_json_lines_found_by_content(tmp_path, name):
    data = b'{"title": "One", "body": "First."}\n{"title": "Two", "body": "Second."}\n'
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    assert [a.title for a in read(path).articles] == ["One", "Two"]


def test_text_starting_with_a_bracket_stays_text(tmp_path):
    path = tmp_path / "update.txt"
    path.write_text("[UPDATED] Crane repaired\n\nThe harbour crane works again.\n")
    assert read(path).articles[0].title == "[UPDATED] Crane repaired"


def test_feed_saved_as_xml_and_utf16_text(tmp_path):
    (tmp_path / "herald.xml").write_bytes((INGEST / "harbour-herald.rss").read_bytes())
    assert len(read(tmp_path / "herald.xml").articles) == 2
    (tmp_path / "wide.txt").write_bytes("Tide turns\n\nThe tide turned at noon.".encode("utf-16"))
    assert read(tmp_path / "wide.txt").articles[0].body == "The tide turned at noon."


def test_truncated_gzip_keeps_what_it_read_and_says_so(tmp_path):
    lines = b"".join(b'{"title": "Item %d", "body": "Text of item %d."}\n' % (i, i) for i in range(2000))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(lines)[:-2000])
    outcome = read(path)
    assert 0 < len(outcome.articles) < 2000
    assert any(p.startswith("truncated gzip") for p in outcome.problems)


@pytest.mark.parametrize("name, content, reason", [
    ("lewis.dtd", b"<!ELEMENT LEWIS O O (REUTERS+)>", "unsupported file type '.dtd'"),
    ("broken.gz", b"\x1f\x8b\x08\x00garbage", "unreadable: a gzip file with nothing readable"),
    ("empty.sgm", b"<!DOCTYPE lewis>\n", "no <REUTERS> story found"),
    ("nothing.rss", b"<rss><channel><title>Quiet</title></channel></rss>", "empty: the feed has no entries"),
    ("word-list.txt", (INGEST / "word-list.txt").read_bytes(), "not an article: a list of short lines"),
    ("manifest.jsonl", b'{"path": "a.html"}\n', "a collection's notes"),
])
def test_more_rejections_with_reasons(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    outcome = read(path)
    assert outcome.rejected and outcome.reason.startswith(reason) and "\n" not in outcome.reason


# The public corpora in ../shared (skipped when absent) ------------------------------------

def test_reuters_21578_every_story_accounted_for(no_enrich):
    folder = shared_path("corpora", "reuters21578")
    total, title_only = 0, 0
    for path in sorted(folder.glob("reut2-*.sgm")):
        outcome = read(path)
        total += len(outcome.articles) + len(outcome.problems)
        title_only += sum(1 for a in outcome.articles if not a.body)
    assert total == 21578 and title_only > 1798
    first = read(folder / "reut2-000.sgm").articles[0]
    assert (first.title, first.published) == ("BAHIA COCOA REVIEW", datetime(1987, 2, 26, 15, 1, 1, 790000))
    assert any("ü" in a.body for a in read(folder / "reut2-017.sgm").articles)


def test_ag_news_csv_with_documented_columns(no_enrich):
    path = shared_path("corpora", "ag-news", "test.csv")
    outcome = read(path, csv_columns=("category", "title", "body"))
    assert len(outcome.articles) == 7600 and not outcome.problems
    second = outcome.articles[1]
    assert second.body.startswith("SPACE.com - TORONTO, Canada -- A second\nteam of rocketeers competing for the $10 million")
    assert not any("\\" in a.body or " quot;" in a.body or "#39;" in a.body for a in outcome.articles)


def test_bbc_and_its_one_latin1_file(no_enrich):
    folder = shared_path("corpora", "bbc")
    outcome = read(folder / "sport" / "199.txt")
    assert "£" in outcome.articles[0].body
    assert read(folder / "business" / "001.txt").articles[0].title == "Ad sales boost Time Warner profit"


def test_gzipped_json_lines_corpus(no_enrich):
    path = shared_path("corpora", "ag-news", "ag_news_test-000.jsonl.gz")
    outcome = read(path)
    assert len(outcome.articles) == 7600 and outcome.articles[1].source == "SPACE.com"


def test_real_html_pages_mostly_give_an_article(no_enrich):
    folder = shared_path("corpora", "html-pages", "scrapinghub")
    pages = sorted(folder.glob("*.html.gz"))[:12]
    articles = [a for path in pages for a in read(path).articles]
    assert len(articles) == len(pages)
    assert sum(len(a.body) > 500 for a in articles) >= 10 and all(a.title for a in articles)


def test_an_article_outlives_a_failing_people_finder(tmp_path, monkeypatch):
    def broken(title, body):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(search.extract, "find_people", broken)
    path = tmp_path / "odd.jsonl"
    path.write_text('{"title": "Odd", "body": "Text of 5 May 2024.", "people": ["Mara Linden"]}\n')
    (article,) = read(path).articles
    assert (article.title, article.people, article.dates) == ("Odd", ("Mara Linden",), ())


def test_a_short_brief_is_not_taken_for_a_word_list(tmp_path):
    path = tmp_path / "brief.txt"
    path.write_text("Fire on Quay Street\n\nNo one was hurt.\n")
    assert read(path).articles[0].body == "No one was hurt."


def test_a_gzip_says_what_it_unpacks_to(tmp_path):
    """Its trailer: the last member's size (a reindex checks it against the disk it may use)."""
    from search.ingest.content import gzip_size

    (tmp_path / "one.gz").write_bytes(gzip.compress(b"x" * 70_000))
    (tmp_path / "two.gz").write_bytes(gzip.compress(b"a" * 10) + gzip.compress(b"b" * 25))
    for name, size in (("one.gz", 70_000), ("two.gz", 25)):
        with open(tmp_path / name, "rb") as file:
            assert file.read(2) == b"\x1f\x8b"
            assert gzip_size(file.fileno(), (tmp_path / name).stat().st_size) == size
            assert file.tell() == 2  # the reading goes on where it was
