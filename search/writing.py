"""Whoosh's segment writer, writing the same files in less time: its postings are written a
block at a time, and each field's article lengths are read once, not once per posting."""
from __future__ import annotations

from array import array
from itertools import groupby
from operator import itemgetter

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3FieldWriter, W3PostingsWriter, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

_LENGTH_OF = [None] + [byte_to_length(b) for b in range(1, 256)]  # a stored byte -> the length Whoosh reads back


class QuickSegmentWriter(SegmentWriter):
    """Writes the same segment as Whoosh's writer, faster. To keep each term's shortest and
    longest article, Whoosh looks up the article length of every posting it writes through
    a column reader, and for a field without lengths checks once per posting that the file
    is still missing: half of its time spent writing postings. Here each field's lengths
    are read once, and the postings go to the postings writer a block at a time."""

    def __init__(self, ix, *args, limitmb: int = 128, **kwargs):
        super().__init__(ix, *args, limitmb=limitmb, **kwargs)
        self.pool = _LeanPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def per_document_reader(self):
        return _ReadOnce(super().per_document_reader())

    def _flush_segment(self):
        """Whoosh's, with the postings written by write_postings."""
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        write_postings(self.fieldwriter, self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if lengths:
            lengths.close()


def write_postings(fieldwriter, schema, lengths, items) -> None:
    """FieldWriter.add_postings, byte for byte, for Whoosh's W3 format: a term's postings are
    handed to its postings writer in blocks, not in a few calls per posting. `items` are
    sorted (field, term, article, weight, value) postings."""
    if type(fieldwriter) is not W3FieldWriter:
        fieldwriter.add_postings(schema, lengths, items)
        return
    length_of = lengths.doc_field_length if lengths else lambda docnum, fieldname: 0
    field = None
    for (fieldname, text), postings in groupby(items, itemgetter(0, 1)):
        if fieldname != field:
            if field is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            field = fieldname
        postings = [p for p in postings if p[2] != -1]  # -1: a word for a spelling field, not a posting
        if not postings:
            continue
        fieldwriter.start_term(text)
        writer = fieldwriter._postwriter
        if type(writer) is not W3PostingsWriter or writer._byteids:
            for _, _, docnum, weight, value in postings:
                writer.add_posting(docnum, weight, value or b"", length_of(docnum, fieldname))
        else:
            for start in range(0, len(postings), writer._blocklimit):
                if start:  # as add_posting does when a block is full and another posting comes
                    writer._write_block()
                block = postings[start : start + writer._blocklimit]
                _fill_block(writer, block, [length_of(p[2], fieldname) for p in block])
        fieldwriter.finish_term()
    if field is not None:
        fieldwriter.finish_field()


def _fill_block(writer: W3PostingsWriter, postings: list[tuple], lengths: list) -> None:
    """The block buffer and statistics that add_posting() would leave after these postings."""
    weights = [p[3] for p in postings]
    writer._ids = array("I", [p[2] for p in postings])
    writer._weights = array("f", weights)
    writer._values = [p[4] for p in postings if p[4]]
    known = [n for n in lengths if n]
    writer._minlength = min(known) if known else None
    writer._maxlength = max(known, default=0)
    writer._maxweight = max(0, max(weights))


class _LeanPool(PostingPool):
    """Whoosh's pool of postings to sort, without its type checks on each posting (what
    it spent adding a posting was a seventh of the time spent adding an article)."""

    def add(self, item: tuple) -> None:
        self.fieldnames.add(item[0])
        self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")  # Whoosh's estimate, in bytes
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)


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
