"""Whoosh's segment writer, writing a segment that reads back the same in less time: postings
are pooled by term as articles are added, so a term's postings are written whole, never sorted
one by one."""
from __future__ import annotations

import marshal
from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from heapq import merge
from itertools import chain, groupby
from operator import itemgetter, sub
from pickle import dumps
from struct import Struct
from zlib import crc32

# Postings blocks and stored fields are deflated by ISA-L, not zlib: the same format, which
# Whoosh's readers inflate with zlib, twice as fast (by its SIMD code), and 1-7% larger.
from isal.isal_zlib import compress as deflate
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3TermInfo, _lenfield
from whoosh.filedb.filetables import (
    OrderedHashWriter, _hash_functions, _lengths as _KEY_VALUE_LENGTHS, _pointer as _HASH_POINTER,
)
from whoosh.system import pack_int, pack_ushort
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

RUN_CHUNK = 4096  # postings written to or read from a run on disk at a time (and their terms)
CHUNK_SIZE = Struct("<I")  # the bytes of a chunk of a run, before it
RUNS_OPEN = 128  # runs merged at once; more are first merged into fewer
# What a pooled posting takes, besides its value (three list slots; its article number is
# shared, its weight a small int), and a new term (its list and its place in a dict),
# besides its text: measured on news, the limit's estimate of a pool is 20% above its size.
POSTING_BYTES = 32
TERM_BYTES = 150
_LENGTH_OF = [None] + [byte_to_length(b) for b in range(1, 256)]  # a stored byte -> the length Whoosh reads back
_TERM = itemgetter(0, 1)  # a pooled term's field name and text
_FLOAT32 = lru_cache(maxsize=4096)(lambda weight: array("f", (weight,))[0])  # a weight as Whoosh's blocks keep it
_LENGTH_BYTE = lru_cache(maxsize=65536)(length_to_byte)
_TERM_INFO = Struct(W3TermInfo._struct.format + "qi")  # W3TermInfo.to_bytes() of postings not inlined
# Whoosh pickles a block's (ids, weights, values) with protocol 2, which writes each
# posting's positions, a bytes value, as a call to _codecs.encode with a text copy of it.
# Protocol 3 writes bytes as they are: blocks pickle 5x faster and unpickle 4x faster, and
# take 40% less room compressed. Whoosh's reader unpickles either.
BLOCK_PROTOCOL = 3
# Blocks pickled shorter than this are stored uncompressed (their header says so, and
# Whoosh's reader reads them as they are): deflate makes them longer. Most blocks are.
COMPRESSED_FROM = 80
CRC32_HASH = 1  # Whoosh's number for a hash table hashing with CRC32


class QuickSegmentWriter(SegmentWriter):
    """Writes a segment that reads back as Whoosh's writer's does, faster. Whoosh pools
    every posting as a tuple, sorts them all, and writes each with a dozen Python calls
    (checking its types, looking up its article's length through a column reader, keeping
    statistics): most of the time a large reindex spends. Here postings are pooled by term
    in the order articles are added (`_TermPool`), and each term's postings are written at
    once (`_TermsWriter`).
    It refuses schemas with term vectors or spelling fields: Whoosh's writer writes those."""

    def __init__(self, ix, *args, limitmb: int = 128, **kwargs):
        super().__init__(ix, *args, limitmb=limitmb, **kwargs)
        assert not any(f.vector or f.separate_spelling() for f in self.schema), "not written here"
        self.pool = _TermPool(self._tempstorage, limitmb)
        self.perdocwriter._colwriters["_stored"]._child._compress = deflate  # Whoosh's column writer's zlib

    def add_document(self, **fields) -> None:
        """Whoosh's add_document, handing each field's postings to the pool at once."""
        self._check_state()
        names = sorted(name for name in fields if not name.startswith("_"))
        plain = len(names) == len(fields)  # no boosts and no separate stored values: every article
        self._check_fields(self.schema, names)
        document = self.perdocwriter
        document.start_doc(self.docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = self.schema[name]
                length = 0
                if field.indexed:
                    boost = 1.0 if plain else self._field_boost(fields, name, self._doc_boost(fields))
                    length = self.pool.add_field(name, field.index(value), self.docnum, boost, field.scorable)
                stored = value if plain else fields.get(f"_stored_{name}", value)
                document.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    document.add_column_value(name, field.column_type, field.to_column_value(stored))
        except Exception:
            document.cancel_doc()
            raise
        document.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = _ReadOnce(self.per_document_reader())
        _TermsWriter(self.fieldwriter, self.schema, lengths).write(self.pool.terms())
        self.fieldwriter.close()
        lengths.close()


class _TermPool:
    """Postings by field and term, each term's in the order added (by article number, as
    the writer and Whoosh's segment merging add them). Past its memory limit it writes the
    terms it holds, sorted, to a run on disk; the runs are merged term by term at the end."""

    def __init__(self, tempstore, limitmb: int):
        self.tempstore, self.limit = tempstore, limitmb * 1024 * 1024
        self.fields: dict[str, dict[bytes, list]] = {}  # field -> term -> its postings, flat:
        # document number, weight, value, document number... (a list each, not three)
        self.size = 0
        self.runs: list[str] = []

    def add_field(self, fieldname: str, items: Iterable[tuple], docnum: int, boost: float, scorable: bool) -> int:
        """Pools a field's (term, frequency, weight, value) items; returns the field's length."""
        terms = self.fields.setdefault(fieldname, {})
        length = size = 0
        for term, frequency, weight, value in items:
            if boost != 1:
                weight *= boost
            postings = terms.get(term)
            if postings is None:
                terms[term] = [docnum, weight, value]
                size += TERM_BYTES + len(term)
            else:
                postings += (docnum, weight, value)
            size += POSTING_BYTES + len(value or b"")
            length += frequency
        self._grown(size)
        return length if scorable else 0

    def add(self, item: tuple) -> None:
        """Pools one (field name, term, document number, weight, value) posting: how Whoosh adds
        the postings of the segments a commit merges."""
        fieldname, term, docnum, weight, value = item
        self.add_field(fieldname, ((term, 0, weight, value),), docnum, 1.0, False)

    def _grown(self, size: int) -> None:
        self.size += size
        if self.size > self.limit:
            self._save()

    def terms(self) -> Iterator[tuple]:
        """(field name, term, postings) for every term, sorted; the postings flat, as pooled."""
        if not self.runs:
            return self._sorted()
        while len(self.runs) >= RUNS_OPEN:  # the oldest first: a term's postings stay in order
            path = self._write_run(self._merged(list(map(self._read_run, self.runs[:RUNS_OPEN]))))
            self.runs[:RUNS_OPEN] = [path]
        runs, self.runs = self.runs, []
        return self._merged([*map(self._read_run, runs), self._sorted()])  # the last terms from memory

    def _sorted(self) -> Iterator[tuple]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for term in sorted(terms):
                yield fieldname, term, terms[term]

    def _save(self) -> None:
        self.runs.append(self._write_run(self._sorted()))
        self.fields, self.size = {}, 0

    def _write_run(self, terms: Iterable[tuple]) -> str:
        """Writes the terms in chunks of about RUN_CHUNK postings: a merge holds a chunk of
        each run in memory at once, so a chunk must stay small however many terms it has."""
        path = f"{random_name()}.run"
        with self.tempstore.create_file(path).raw_file() as f:
            chunk, postings = [], 0
            for item in terms:
                chunk.append(item)
                postings += len(item[2]) // 3
                if postings >= RUN_CHUNK:
                    f.write(_chunk(chunk))
                    chunk, postings = [], 0
            if chunk:
                f.write(_chunk(chunk))
        return path

    def _read_run(self, path: str) -> Iterator[tuple]:
        f = self.tempstore.open_file(path).raw_file()  # a chunk whole: marshal.load reads a value at a time
        try:
            while size := f.read(CHUNK_SIZE.size):
                yield from marshal.loads(f.read(CHUNK_SIZE.unpack(size)[0]))
        finally:
            f.close()
            self.tempstore.delete_file(path)

    def _merged(self, runs: list[Iterator[tuple]]) -> Iterator[tuple]:
        """The runs' terms in order, each term's postings joined in the order of the runs.
        (Merged as whole items: a term's items compare by their postings, and the earlier
        run's come first, as they start with lower article numbers.)"""
        for _, same in groupby(merge(*runs), _TERM):
            fieldname, term, postings = next(same)
            for _, _, more in same:
                postings += more
            yield fieldname, term, postings

    def cleanup(self) -> None:
        for path in self.runs:
            try:
                self.tempstore.delete_file(path)
            except OSError:
                pass
        self.runs = []


def _chunk(terms: list[tuple]) -> bytes:
    data = marshal.dumps(terms, 2)
    return CHUNK_SIZE.pack(len(data)) + data


class _TermsWriter:
    """Writes pooled terms into a W3 field writer's files, as its own postings writer would
    (blocks of 128 postings, pickled, with the same statistics), a term at a time, but for
    small blocks, which are not compressed: Whoosh means to leave its shortest blocks so
    but compresses every one. The segment tests read back what both writers write."""

    def __init__(self, fieldwriter, schema, lengths: _ReadOnce):
        codec = fieldwriter._codec
        assert codec._inlinelimit <= 1, "postings are never inlined here"
        self.blocklimit, self.compression = codec._blocklimit, codec._compression
        self.postfile, self.table, self.fieldmap = fieldwriter._postfile, fieldwriter._tindex, fieldwriter._fieldmap
        self.schema, self.lengths = schema, lengths

    def write(self, terms: Iterable[tuple]) -> None:
        """terms: (field name, term, postings), sorted, as the pool gives them."""
        self.offset = self.postfile.tell()  # counted here from now on: tell() is a call a term
        add_term = _adder(self.table)
        for fieldname, field_terms in groupby(terms, itemgetter(0)):
            key = pack_ushort(self.fieldmap.setdefault(fieldname, len(self.fieldmap)))
            fixed_size = self.schema[fieldname].format.fixed_value_size()
            lengths = self.lengths.field_lengths(fieldname)
            for _, term, postings in field_terms:
                if len(postings) == 3:  # in one article: most terms of a segment
                    add_term(key + term, self._postings_of_one(*postings, fixed_size, lengths))
                else:
                    docnums, weights, values = postings[0::3], postings[1::3], postings[2::3]
                    add_term(key + term, self._postings(docnums, weights, values, fixed_size, lengths))

    def _postings(self, docnums: list, weights: list, values: list, fixed_size, lengths) -> bytes:
        """Writes a term's blocks; returns its term info."""
        info = W3TermInfo()
        limit = self.blocklimit
        if len(docnums) <= limit:  # most terms
            blocks = [WHOOSH3_HEADER_MAGIC, self._block(info, docnums, weights, values, fixed_size, lengths, True)]
        else:
            blocks = [WHOOSH3_HEADER_MAGIC]
            for first in range(0, len(docnums), limit):
                block = slice(first, first + limit)
                blocks.append(self._block(info, docnums[block], weights[block], values[block], fixed_size, lengths,
                                          last=first + limit >= len(docnums)))
        data = b"".join(blocks)
        self.postfile.write(data)
        info.set_extent(self.offset, len(data))
        self.offset += len(data)
        return info.to_bytes()

    def _postings_of_one(self, docnum: int, weight: float, value: bytes, fixed_size, lengths) -> bytes:
        """_postings for a term in one article: the same bytes and term info, in fewer steps."""
        weight32 = _FLOAT32(weight)
        if fixed_size is None or fixed_size < 0:
            mini_values = (value,) if value else ()
        else:
            mini_values = None if fixed_size == 0 else value or b""
        length = lengths[docnum] if lengths else None
        length_byte = _LENGTH_BYTE(length) if length else 0  # the shortest and the longest
        heaviest = float(weight) if weight > 0 else 0  # a weight may be pooled as an int count
        data, compression = self._packed(((docnum,), None if weight32 == 1.0 else weight32, mini_values))
        header = dumps((1, docnum, heaviest, compression, length_byte, length_byte), 2)
        block = b"".join((WHOOSH3_HEADER_MAGIC, pack_int(-len(header) - len(data)), header, data))
        self.postfile.write(block)
        self.offset += len(block)
        return _TERM_INFO.pack(False, weight32, 1, length_byte, length_byte, heaviest, docnum, docnum,
                               self.offset - len(block), len(block))

    def _packed(self, block: tuple) -> tuple[bytes, int]:
        """A block's data pickled, and compressed when that makes it shorter; with the
        compression level its header records (0: none)."""
        data = dumps(block, BLOCK_PROTOCOL)
        if not self.compression or len(data) < COMPRESSED_FROM:
            return data, 0
        return deflate(data, self.compression), self.compression

    def _block(self, info: W3TermInfo, docnums: list, weights: list, values: list, fixed_size, lengths, last: bool) -> bytes:
        """A block's bytes; adds its statistics to the term's."""
        floats = array("f", weights)
        if floats.count(1.0) == len(floats):
            mini_weights = None
        elif floats.count(floats[0]) == len(floats):
            mini_weights = floats[0]
        else:
            mini_weights = tuple(floats)
        values = [v for v in values if v]
        if fixed_size is None or fixed_size < 0:
            mini_values = tuple(values)
        else:
            mini_values = None if fixed_size == 0 else b"".join(values)
        found = [n for n in map(lengths.__getitem__, docnums) if n] if lengths else ()
        shortest, longest = min(found, default=None), max(found, default=0)
        heaviest = max(weights)
        heaviest = float(heaviest) if heaviest > 0 else 0
        gaps = tuple(map(sub, docnums, chain((0,), docnums)))
        data, compression = self._packed((gaps, mini_weights, mini_values))
        header = dumps((len(docnums), docnums[-1], heaviest, compression, _LENGTH_BYTE(shortest),
                        _LENGTH_BYTE(longest)), 2)
        size = len(header) + len(data)
        info._weight += sum(floats)
        info._df += len(docnums)
        info._minlength = shortest if info._minlength is None else min(info._minlength, shortest)
        info._maxlength = max(info._maxlength, longest)
        info._maxweight = max(info._maxweight, heaviest)
        if info._minid is None:
            info._minid = docnums[0]
        info._maxid = docnums[-1]
        return pack_int(-size if last else size) + header + data


def _adder(table: OrderedHashWriter) -> Callable[[bytes, bytes], None]:
    """The terms table's add(key, value), for keys known to come in order: Whoosh's checks
    the order and asks the file where it is, a few calls a term. The table becomes a
    `_TermTable`, which keeps its hashes compactly and hashes with CRC32."""
    _TermTable.adopt(table)
    dbfile, index, buckets = table.dbfile, table.index, table.buckets
    position = dbfile.tell()

    def add(key: bytes, value: bytes) -> None:
        nonlocal position
        index.append(position)
        dbfile.write(_KEY_VALUE_LENGTHS.pack(len(key), len(value)) + key + value)
        hashed = crc32(key)  # the table's crc_hash, whose "& 0xFFFFFFFF" is a no-op
        bucket = buckets[hashed & 255]
        bucket.append(hashed)
        bucket.append(position)
        position += _KEY_VALUE_LENGTHS.size + len(key) + len(value)
        table.lastkey = key
    return add


class _TermTable(OrderedHashWriter):
    """Whoosh's terms table writer, its 256 buckets kept as arrays of (hash, position) pairs
    rather than lists of tuples: about 16 bytes a term instead of 120, and a segment's
    table stays in memory until the segment is written (a million terms and more in a
    large reindex). It writes the same hash tables, hashing keys with CRC32 rather than MD5,
    Whoosh's default: a table's header names its hash, which Whoosh's reader then uses, and
    CRC32 takes a tenth of the time (MD5 took 1.4% of a large reindex)."""

    @classmethod
    def adopt(cls, table: OrderedHashWriter) -> None:
        if type(table) is not cls:
            assert not any(table.buckets), "terms are added to the table only through _adder"
            table.__class__ = cls
            table.buckets = [array("Q") for _ in range(256)]
            table._hash_with(CRC32_HASH)

    def _hash_with(self, hashtype: int) -> None:
        """Sets the hash of a table still empty, in its header (after its four magic bytes)."""
        end = self.dbfile.tell()
        self.dbfile.seek(self.startoffset + 4)
        self.dbfile.write_byte(hashtype)
        self.dbfile.seek(end)
        self.hashtype, self.hashfn = hashtype, _hash_functions[hashtype]

    def _write_hashes(self) -> None:
        """Whoosh's HashWriter._write_hashes for pairs in arrays: an open-addressing table
        of twice as many slots as entries per bucket, written whole."""
        for bucket in self.buckets:
            self.directory.append((self.dbfile.tell(), len(bucket)))  # two slots an entry
            slots = len(bucket)
            hashes, positions = [0] * slots, [0] * slots  # a position is never 0: the header is there
            for hashed, position in zip(bucket[0::2], bucket[1::2]):
                slot = (hashed >> 8) % slots
                while positions[slot]:
                    slot = (slot + 1) % slots
                hashes[slot], positions[slot] = hashed, position
            self.dbfile.write(b"".join(map(_HASH_POINTER.pack, hashes, positions)))


class _ReadOnce:
    """A new segment's per-document reader, its field lengths read whole on first use."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list | None] = {}

    def field_lengths(self, fieldname: str) -> list | None:
        """Each article's length in the field (None for none), or None if the field keeps no lengths."""
        if fieldname not in self._lengths:
            self._lengths[fieldname] = self._read(fieldname)
        return self._lengths[fieldname]

    def _read(self, fieldname: str) -> list | None:
        column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return None
        lengths = [_LENGTH_OF[b] for b in column._dbfile.get(column._basepos, column._count)]
        return lengths + [None] * (self._reader.doc_count_all() - len(lengths))  # as Whoosh reads a missing byte

    def __getattr__(self, name: str):
        return getattr(self._reader, name)
