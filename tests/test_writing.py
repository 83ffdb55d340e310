"""The quick segment writer writes what Whoosh's writer writes: a reader finds the same in both."""
from __future__ import annotations

import hashlib
import marshal
import pickle
import struct
import zlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.reading import SegmentReader
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


def finished(writer, folder: Path) -> dict:
    """Finishes the writer's segment; what a reader finds in it: every term's statistics
    and blocks of postings (the blocks' info and data, uncompressed), every article's
    stored fields, and a digest of each other file (columns) by its kind. (Postings and
    stored fields are compared inflated: the quick writer deflates them with ISA-L.)"""
    segment = writer._finalize_segment()
    files = {f.name.split(".", 1)[1]: f for f in folder.glob(f"*{segment.segment_id()}*")}
    inflated = ("trm", "pst", "_stored.col")
    found = {kind: hashlib.sha1(f.read_bytes()).hexdigest() for kind, f in files.items() if kind not in inflated}
    assert set(inflated) <= set(files)
    reader = SegmentReader(writer.storage, writer.schema, segment)
    found["stored"] = [reader.stored_fields(n) for n in range(reader.doc_count_all())]
    for (field, text), info in reader._terms.items():
        statistics = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
                      info.min_id(), info.max_id())
        found[field, text] = statistics, [block[1:3] for block in _blocks(reader._terms._postfile, info)]
    reader.close()
    return found


def _blocks(postfile, info) -> Iterator[tuple]:
    """A term's blocks: each one's compression, its other info, its data unpickled, and
    the pickle protocol of the data."""
    offset, length = info.extent()
    raw = postfile.get(offset, length[0] if isinstance(length, tuple) else length)
    assert raw[:4] == WHOOSH3_HEADER_MAGIC
    stream = BytesIO(raw[4:])
    while size := stream.read(4):
        size = struct.unpack("<i", size)[0]
        block = BytesIO(stream.read(abs(size)))
        count, last, heaviest, compression, shortest, longest = pickle.load(block)
        assert type(heaviest) is float or heaviest == 0, heaviest  # as Whoosh's writer writes it
        data = block.read()
        data = zlib.decompress(data) if compression else data
        yield compression, (count, last, heaviest, shortest, longest), pickle.loads(data), data[1]
        if size < 0:
            break


def segment_files(writer_class, documents: list[dict], folder: Path) -> dict:
    """What a segment of the documents holds (see finished())."""
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
    assert {"_body_len.col", "_people_len.col", ("body", b"harbour")} <= set(expected)
    assert segment_files(QuickSegmentWriter, documents, tmp_path / "quick") == expected


def test_boosts_and_separate_stored_values_are_written_as_whoosh_writes_them(tmp_path):
    """Whoosh's add_document takes "_boost", "_<field>_boost" and "_stored_<field>": the
    reindex never passes them, but the writer still writes them as Whoosh does."""
    documents = corpus_documents()[:20]
    for n, document in enumerate(documents):
        if n % 2:
            document.update(_boost=1.5, _title_boost=3.0, _stored_body=f"body {n}")
    (tmp_path / "whoosh").mkdir()
    (tmp_path / "quick").mkdir()
    expected = segment_files(SegmentWriter, documents, tmp_path / "whoosh")
    assert segment_files(QuickSegmentWriter, documents, tmp_path / "quick") == expected


def test_short_blocks_are_stored_uncompressed_and_the_postings_file_is_smaller(tmp_path):
    """Deflate lengthens a short pickle: Whoosh compresses every block (though it means
    not to), the quick writer only blocks of COMPRESSED_FROM bytes and more. And it pickles
    blocks with protocol 3, which writes the positions as bytes, not as calls."""
    documents = corpus_documents()
    sizes, compressed, protocols = {}, {}, {}
    for writer_class in (SegmentWriter, QuickSegmentWriter):
        folder = tmp_path / writer_class.__name__
        folder.mkdir()
        writer = writer_class(whoosh_index.create_in(folder, build_schema()), _lk=False, compound=False)
        for document in documents:
            writer.add_document(**document)
        segment = writer._finalize_segment()
        sizes[writer_class] = next(folder.glob(f"*{segment.segment_id()}.pst")).stat().st_size
        reader = SegmentReader(writer.storage, writer.schema, segment)
        blocks = [block for _, info in reader._terms.items() for block in _blocks(reader._terms._postfile, info)]
        compressed[writer_class] = {block[0] for block in blocks}
        protocols[writer_class] = {block[3] for block in blocks}
        reader.close()
    assert compressed[SegmentWriter] == {3} and protocols[SegmentWriter] == {2}
    assert compressed[QuickSegmentWriter] == {0, 3} and protocols[QuickSegmentWriter] == {3}
    assert sizes[QuickSegmentWriter] < 0.8 * sizes[SegmentWriter]


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
        writer.pool.limit = 1_500  # bytes: a run every fifteen postings or so
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


def test_terms_are_found_through_a_crc32_hash_table(tmp_path):
    """The quick writer's terms table hashes with CRC32 (its header says so, and Whoosh's
    reader looks terms up with it); every term is found by lookup, and others are not."""
    writer = QuickSegmentWriter(whoosh_index.create_in(tmp_path, build_schema()), _lk=False, compound=False)
    for document in corpus_documents():
        writer.add_document(**document)
    segment = writer._finalize_segment()
    reader = SegmentReader(writer.storage, writer.schema, segment)
    try:
        assert reader._terms._tindex.hashtype == writing.CRC32_HASH
        terms = dict(reader._terms.items())
        assert len(terms) > 1000
        for (field, text), info in terms.items():
            assert (field, text) in reader._terms
            found = reader.term_info(field, text)
            assert (found.extent(), found.doc_frequency(), found.weight()) == (info.extent(), info.doc_frequency(), info.weight())
        assert ("body", b"harbourz") not in reader._terms and ("people", b"harbour") not in reader._terms
    finally:
        reader.close()
