"""The quick segment writer writes what Whoosh's writer writes."""
from __future__ import annotations

import hashlib
import marshal
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from conftest import CORPUS, NOW
from search import writing
from search.indexer import _read_one
from search.schema import build_schema
from search.writing import QuickSegmentWriter


def corpus_documents() -> list[dict]:
    """The sample corpus's articles, as the reindex hands them to a writer."""
    paths = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    return [d for p in paths for d in _read_one((p, str(p), "", NOW, None, None, True))[3]]


def finished(writer, folder: Path) -> dict[str, str]:
    """Finishes the writer's segment; its files by their kind: a digest of each."""
    segment = writer._finalize_segment()
    files = folder.glob(f"*{segment.segment_id()}*")
    return {f.name.split(".", 1)[1]: hashlib.sha1(f.read_bytes()).hexdigest() for f in files}


def segment_files(writer_class, documents: list[dict], folder: Path) -> dict[str, str]:
    """The files of a segment of the documents, by their kind: a digest of each."""
    writer = writer_class(whoosh_index.create_in(folder, build_schema()), _lk=False, compound=False)
    for document in documents:
        writer.add_document(**document)
    return finished(writer, folder)


def test_the_quick_writer_writes_the_segment_whoosh_writes(tmp_path):
    documents = corpus_documents()
    documents.append({**documents[0], "id": "no-body", "body": "", "people": "", "dates": ""})
    (tmp_path / "whoosh").mkdir()
    (tmp_path / "quick").mkdir()
    expected = segment_files(SegmentWriter, documents, tmp_path / "whoosh")
    assert {"trm", "pst", "_body_len.col", "_people_len.col"} <= set(expected)
    assert segment_files(QuickSegmentWriter, documents, tmp_path / "quick") == expected


def test_postings_of_several_blocks_are_written_as_whoosh_writes_them(tmp_path):
    """Whoosh writes 128 postings a block: words in 300, 256, 128, 2 and 1 articles."""
    words = {"harbour": 300, "ferry": 256, "tram": 128, "strike": 2, "museum": 1}
    documents = [{"id": str(n), "title": f"Story {n}", "body": " ".join(w for w, count in words.items() if n < count),
                  "people": "Ada Byron" if n % 2 else "", "dates": "2024-07 2024 july" if n % 5 else ""}
                 for n in range(300)]
    for n, document in enumerate(documents):
        document["body"] = " ".join([document["body"]] * (n % 3 + 1))  # weights 1 to 3
    (tmp_path / "whoosh").mkdir()
    (tmp_path / "quick").mkdir()
    expected = segment_files(SegmentWriter, documents, tmp_path / "whoosh")
    assert segment_files(QuickSegmentWriter, documents, tmp_path / "quick") == expected


def test_a_pool_past_its_memory_limit_writes_runs_and_still_the_same_segment(tmp_path):
    """Postings spilled to disk in sorted runs (more runs than Whoosh merges at once, so
    some are merged into others first) come back in order, as from Whoosh's pool. (A
    segment from runs differs in its bytes from one sorted in memory, in Whoosh too: its
    pickles repeat equal values instead of referring back to them.)"""
    documents = corpus_documents()
    found = {}
    for writer_class in (SegmentWriter, QuickSegmentWriter):
        folder = tmp_path / writer_class.__name__
        folder.mkdir()
        writer = writer_class(whoosh_index.create_in(folder, build_schema()), _lk=False, compound=False)
        writer.pool.limit = 3_000  # bytes: a run every fifteen postings or so
        for document in documents:
            writer.add_document(**document)
        assert len(writer.pool.runs) > 128
        found[writer_class] = finished(writer, folder)
    assert found[QuickSegmentWriter] == found[SegmentWriter]


def test_segments_merged_by_the_quick_writer_are_what_whoosh_merges(tmp_path):
    """A commit merges small segments through the writer's pool, posting by posting (one
    of them here with an article deleted, so its articles are renumbered)."""
    documents = corpus_documents()
    found = {}
    for writer_class in (SegmentWriter, QuickSegmentWriter):
        folder = tmp_path / writer_class.__name__
        folder.mkdir()
        ix = whoosh_index.create_in(folder, build_schema())
        for half in (documents[::2], documents[1::2]):
            writer = SegmentWriter(ix)
            for document in half:
                writer.add_document(**document)
            writer.commit(merge=False)
        writer = SegmentWriter(ix)
        writer.delete_by_term("id", documents[2]["id"])
        writer.commit(merge=False)
        writer = writer_class(ix, _lk=False, compound=False)
        with ix.reader() as reader:
            for leaf, _ in reader.leaf_readers():
                writer.add_reader(leaf)
        found[writer_class] = finished(writer, folder)
    assert {"trm", "pst"} <= set(found[SegmentWriter])
    assert found[QuickSegmentWriter] == found[SegmentWriter]


def test_runs_on_disk_are_read_back_a_few_postings_at_a_time(tmp_path, monkeypatch):
    """A merge holds a chunk of every run in memory at once: a chunk is cut after about
    RUN_CHUNK postings, never after a number of terms (some terms have thousands)."""
    monkeypatch.setattr(writing, "RUN_CHUNK", 50)
    documents = [{"id": str(n), "title": "Harbour news", "body": f"harbour ferry strike word{n}"} for n in range(400)]
    writer = QuickSegmentWriter(whoosh_index.create_in(tmp_path, build_schema()), _lk=False, compound=False)
    writer.pool.limit = 60_000  # bytes: a few runs of a hundred articles or so
    for document in documents:
        writer.add_document(**document)
    pool = writer.pool
    assert len(pool.runs) >= 2
    for path in pool.runs:
        with pool.tempstore.open_file(path).raw_file() as f:
            while size := f.read(writing.CHUNK_SIZE.size):
                chunk = marshal.loads(f.read(writing.CHUNK_SIZE.unpack(size)[0]))
                postings = [len(item[2]) // 3 for item in chunk]
                assert sum(postings) - postings[-1] < 50  # full before its last term
    writer.cancel()
