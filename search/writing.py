"""Whoosh's segment writer, writing the same files in less time: each field's article lengths
are read once, not once per posting, and postings are pooled without type checks."""
from __future__ import annotations

import marshal
from collections.abc import Iterator
from itertools import islice
from struct import Struct

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

RUN_CHUNK = 4096  # postings written to or read from a sorted run on disk at a time
CHUNK_SIZE = Struct("<I")  # the bytes of a chunk of a run, before it
_LENGTH_OF = [None] + [byte_to_length(b) for b in range(1, 256)]  # a stored byte -> the length Whoosh reads back


class QuickSegmentWriter(SegmentWriter):
    """Writes the same segment as Whoosh's writer, faster. To keep each term's shortest and
    longest article, Whoosh looks up the article length of every posting it writes through
    a column reader, and for a field without lengths checks once per posting that the file
    is still missing: a third of its time spent writing postings. Here each field's
    lengths are read once, and postings are pooled without checking each one's types."""

    def __init__(self, ix, *args, limitmb: int = 128, **kwargs):
        super().__init__(ix, *args, limitmb=limitmb, **kwargs)
        self.pool = _LeanPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def per_document_reader(self):
        return _ReadOnce(super().per_document_reader())


class _LeanPool(PostingPool):
    """Whoosh's pool of postings to sort, without its type checks on each posting (what
    it spent adding a posting was a seventh of the time spent adding an article). Past its
    memory limit it writes sorted runs to disk, as Whoosh's does, but RUN_CHUNK postings to
    a call, where Whoosh writes and reads back each posting with a call of its own: that
    took as long as the rest of writing the postings."""

    def add(self, item: tuple) -> None:
        self.fieldnames.add(item[0])
        self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")  # Whoosh's estimate, in bytes
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)

    def _write_run(self, f, items) -> None:
        items = iter(items)
        while chunk := list(islice(items, RUN_CHUNK)):
            data = marshal.dumps(chunk, 2)
            f.write(CHUNK_SIZE.pack(len(data)) + data)
        f.close()

    def _read_run(self, path: str) -> Iterator[tuple]:
        f = self._open_run(path)  # read a chunk whole: marshal.load reads a file a value at a time
        try:
            while size := f.read(CHUNK_SIZE.size):
                yield from marshal.loads(f.read(CHUNK_SIZE.unpack(size)[0]))
        finally:
            f.close()
            self._remove_run(path)


class _ReadOnce:
    """A new segment's per-document reader, its field lengths read whole on first use."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        if fieldname not in self._lengths:
            self._lengths[fieldname] = self._read(fieldname)
        lengths = self._lengths[fieldname]
        if lengths is None:
            return default
        return lengths[docnum] if docnum < len(lengths) else None  # as Whoosh's for a zero byte

    def _read(self, fieldname: str) -> list | None:
        column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return None
        return [_LENGTH_OF[b] for b in column._dbfile.get(column._basepos, column._count)]

    def __getattr__(self, name: str):
        return getattr(self._reader, name)
