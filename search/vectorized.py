"""Ranked search over whole posting lists at once, with numpy.

Whoosh scores a query one matching article at a time, in Python, and skips articles only
with an upper bound per block that BM25F words (ranking.WordQuery) cannot give: on
news50k a query scored thousands of articles one by one. Here each word's postings are
read once into arrays, kept while their segment lives, and every match is scored by a
few array operations with ranking.py's formulas. Query parts not handled here
(wildcards, fuzzy words, spans...) are scored by their own Whoosh matcher, one article at
a time, so every query ranks as Whoosh would rank it (tests/test_vectorized.py compares).
"""
from __future__ import annotations

import threading
import time
import weakref
import zlib
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from io import BytesIO
from itertools import accumulate
from pickle import load, loads
from struct import Struct

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec, _lenfield
from whoosh.formats import Positions
from whoosh.reading import TermNotFound
from whoosh.scoring import bm25
from whoosh.util.numeric import byte_to_length

from search.ranking import MICROSECONDS_A_DAY, Ranking, WordQuery, idf, length_norm, newest_published, saturate

POSTINGS_KEPT = 4_000_000  # postings cached per segment (about 16 bytes each)
JOINED_KEPT = 2_000_000  # and for all segments joined, when an index has several
PLACES_KEPT = 64 << 20  # bytes of positions kept for phrases, for every segment of the process together
TERMS_KEPT = 200_000  # term lookups cached per segment
VOCABULARY_KEPT = 50_000  # a field with at most this many terms in a segment has them in a set (about 4 MB)
LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
DENSE_UNION = 64  # a union adds up values in an array as long as its highest article number when that is
# under 32,768 plus this many per posting; else it sorts the articles
BLOCK_LENGTH = Struct("!i")  # how Whoosh writes a block's length
CUT_OFF = "The search took longer than {:g} s and was cut off: these are the hits found by then."


@dataclass(frozen=True, slots=True)
class Matches:
    """Articles of one segment (sorted numbers) and a value for each: a score or a weight."""

    ids: np.ndarray
    values: np.ndarray

    @classmethod
    def none(cls) -> Matches:
        return cls(np.empty(0, np.int64), np.empty(0, np.float64))

    def times(self, factor: float) -> Matches:
        return self if factor == 1.0 else Matches(self.ids, self.values * factor)


@dataclass(frozen=True, slots=True)
class Ranked:
    """What a search found: the first `limit` (number, score) pairs in order, all matches."""

    top: list[tuple[int, float]]
    total: int
    docs: np.ndarray
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class _PlacesBlock:
    """A block of postings' article numbers and their positions, still encoded, packed
    (about 35 bytes a posting on news, against 95 as Python objects): the value of the
    i-th posting is values[starts[i]:starts[i + 1]]."""

    ids: array
    values: bytes
    starts: array

    @classmethod
    def read(cls, data: Callable[[], bytes]) -> _PlacesBlock:
        gaps, _, values = loads(data())
        return cls(array("q", accumulate(gaps)), b"".join(values), array("q", accumulate(map(len, values), initial=0)))

    def nbytes(self) -> int:
        return len(self.values) + 16 * len(self.ids) + 200  # values, ids and offsets, the objects

    def chosen(self, wanted: set[int]) -> tuple[list[int], list[bytes]]:
        """The wanted article numbers the block holds, and their values."""
        found = [(doc, i) for i, doc in enumerate(self.ids) if doc in wanted]
        values, starts = self.values, self.starts
        return [doc for doc, _ in found], [values[starts[i] : starts[i + 1]] for _, i in found]


class KeptPostings:
    """Postings (or blocks of positions) by term, read on first use; past `limit` in all
    (postings, or what `measure` gives), the terms used least recently are dropped."""

    def __init__(self, limit: int, measure: Callable[[object], int] = lambda found: len(found.ids)):
        self.limit, self.size, self.measure = limit, 0, measure
        self._terms: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, read: Callable[[], Matches]) -> Matches:
        with self._lock:
            if key in self._terms:
                self._terms.move_to_end(key)
                return self._terms[key]
        found = read()
        self.put(key, found)
        return found

    def put(self, key, found) -> None:
        with self._lock:
            if key not in self._terms:
                self._terms[key] = found
                self.size += self.measure(found)
            while self.size > self.limit and len(self._terms) > 1:
                self.size -= self.measure(self._terms.popitem(last=False)[1])

    def items(self) -> list[tuple]:
        """(key, what was read), the least recently used first."""
        with self._lock:
            return list(self._terms.items())

    def __len__(self) -> int:
        return len(self._terms)


KEPT_PLACES = KeptPostings(PLACES_KEPT, _PlacesBlock.nbytes)  # (segment, field, term, block) -> _PlacesBlock


class Segment:
    """One segment's postings, field lengths and columns as arrays, read on first use and
    shared by every reader of the segment (a server has one per thread). The reader that
    asks does the reading: a thread's reader may close while others go on."""

    def __init__(self, reader, earlier: Segment | None = None):
        self.key = segment_key(reader)
        self.size = reader.doc_count_all()
        self.deleted = np.array(sorted(reader.deleted_docs_set), dtype=np.int64)
        self.dead = np.zeros(self.size, dtype=bool)  # looked up by article number: np.isin costs ~90 µs a call
        self.dead[self.deleted] = True
        self._lock = threading.Lock()
        self.kept = KeptPostings(POSTINGS_KEPT)
        self._infos: dict = {}
        self._vocabulary: dict[str, frozenset[bytes]] = {}  # field -> every term it has here, once known
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray | None] = {}
        if earlier is not None and earlier.size == self.size and not len(np.setdiff1d(earlier.deleted, self.deleted)):
            self._inherit(earlier)

    def _inherit(self, earlier: Segment) -> None:
        """Takes what the arrays of the same segment with fewer deletions read, the newly
        deleted articles left out: a daily update deletes an article or two in a large
        segment, which would otherwise be read again from the start."""
        self._infos, self._vocabulary = dict(earlier._infos), dict(earlier._vocabulary)
        self._lengths, self._columns = dict(earlier._lengths), dict(earlier._columns)
        for key, found in earlier.kept.items():
            keep = ~self.dead[found.ids]
            self.kept.put(key, found if keep.all() else Matches(found.ids[keep], found.values[keep]))

    def postings(self, reader, field: str, text: bytes) -> Matches:
        """The term's articles and weights (how often it occurs), deleted articles left out."""
        return self.kept.get((field, text), partial(self._read, reader, field, text))

    def info(self, reader, field: str, text: bytes):
        """The term's statistics and place in this segment (None if absent), looked up once:
        Whoosh's term dictionary is searched in Python."""
        key = (field, text)
        if key not in self._infos:
            known = self._vocabulary.get(field)
            if known is not None and text not in known:
                return None
            try:
                found = reader._terms.term_info(field, text)
            except TermNotFound:
                found = None
            with self._lock:
                if len(self._infos) >= TERMS_KEPT:
                    self._infos.clear()
                self._infos[key] = found
            return found
        return self._infos[key]

    def positions(self, reader, field: str, text: bytes, docs: list[int]) -> dict[int, list[int]]:
        """Where the term stands in each of docs (sorted article numbers that hold it):
        only the blocks that can hold them are read, and the blocks read are kept a while
        in KEPT_PLACES (phrases of common words recur: 2 of 3 blocks a phrase needed on
        news50k had been read before)."""
        info = self.info(reader, field, text)
        if info is None or not docs:
            return {}
        decode, terms = reader.schema[field].format.decoder("positions"), reader._terms
        if not isinstance(terms._codec, W3Codec) or info.is_inlined():
            matcher, found = terms._codec.postings_reader(terms._postfile, info, reader.schema[field].format), {}
            while matcher.is_active():
                found[matcher.id()] = list(matcher.value_as("positions"))
                matcher.next()
            return {doc: found[doc] for doc in docs if doc in found}
        wanted, found, after = set(docs), {}, -1
        decode_all = _positions_of if type(reader.schema[field].format) is Positions else partial(map, decode)
        for number, (_, highest, data) in enumerate(_blocks(terms._postfile, info)):
            first = bisect_right(docs, after)  # the first article wanted after the blocks before
            if first == len(docs):
                break
            if docs[first] <= highest:  # else the block holds none of them
                block = KEPT_PLACES.get((self.key[0], field, text, number), partial(_PlacesBlock.read, data))
                held, values = block.chosen(wanted)
                found.update(zip(held, decode_all(values)))
            after = highest
        return found

    def know(self, field: str, terms: frozenset[bytes]) -> None:
        """Every term of the field in this segment: a term not among them is not looked up.
        (Query words are looked up in every field, and most are absent from names and dates.)"""
        self._vocabulary[field] = terms

    def doc_frequency(self, reader, field: str, text: bytes) -> int:
        info = self.info(reader, field, text)
        return info.doc_frequency() if info else 0

    def _read(self, reader, field: str, text: bytes) -> Matches:
        info = self.info(reader, field, text)
        if info is None:
            return Matches.none()
        terms = reader._terms
        if isinstance(terms._codec, W3Codec) and not info.is_inlined():
            ids, weights = _extent(terms._postfile, info)
        else:  # a term in one article keeps its postings in its term info
            ids, weights = _one_by_one(terms._codec.postings_reader(terms._postfile, info, reader.schema[field].format))
        if len(self.deleted):
            keep = ~self.dead[ids]
            ids, weights = ids[keep], weights[keep]
        return Matches(ids, weights)

    def lengths(self, reader, field: str) -> np.ndarray:
        """Every article's length in the field, as Whoosh stores it (one byte, approximate)."""
        if field not in self._lengths:
            column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            raw = np.zeros(self.size, np.uint8)
            if column is not None:
                data = np.frombuffer(column._dbfile.get(column._basepos, column._count), np.uint8)
                raw[: len(data)] = data[: len(raw)]
            self._lengths[field] = LENGTHS[raw]
        return self._lengths[field]

    def column(self, reader, field: str) -> np.ndarray | None:
        """A numeric column (publication dates) as int64, or None if the field has none."""
        if field not in self._columns:
            values = None
            if reader.has_column(field):
                values = np.array(list(reader.column_reader(field, translate=False)), dtype=np.int64)
            self._columns[field] = values
        return self._columns[field]

    def live(self) -> np.ndarray:
        """Every article not deleted."""
        return np.flatnonzero(~self.dead).astype(np.int64)


_SHARED: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # segment key -> its arrays
_LATEST: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # segment id -> its arrays made last
_HELD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # reader -> the arrays it keeps alive
_REGISTRY = threading.Lock()


def segment_key(reader) -> tuple:
    """A segment is known by its id (random, and a segment never changes but for
    deletions) and its deleted articles."""
    return reader.segment().segment_id(), reader.doc_count_all(), reader.deleted_docs_set


class Joined:
    """Every segment of an index seen as one, its articles numbered as the index numbers
    them: a query is scored in one pass instead of one per segment (a pass costs about
    the same however few articles a segment holds, and a reindex writes a segment per
    worker). The segments' arrays are joined as asked and kept: lengths and columns, and
    the postings of the terms used most recently (up to JOINED_KEPT). As with a Segment,
    the reader that asks (the top reader of the caller's searcher) does the reading."""

    def __init__(self, leaves):
        self.parts = [(segment(leaf.reader()), offset) for leaf, offset in leaves]
        self.key = tuple((arrays.key, offset) for arrays, offset in self.parts)
        self.size = sum(arrays.size for arrays, _ in self.parts)
        self.dead = np.concatenate([arrays.dead for arrays, _ in self.parts])
        self._lock = threading.Lock()
        self.kept = KeptPostings(JOINED_KEPT)
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray | None] = {}

    def _with(self, reader) -> Iterator[tuple[Segment, object, int]]:
        """Each segment's arrays, its reader among the top reader's, and its offset."""
        return ((arrays, leaf, offset) for (arrays, offset), (leaf, _) in zip(self.parts, reader.leaf_readers()))

    def postings(self, reader, field: str, text: bytes) -> Matches:
        return self.kept.get((field, text), partial(self._join, reader, field, text))

    def _join(self, reader, field: str, text: bytes) -> Matches:
        found = [(arrays.postings(leaf, field, text), offset) for arrays, leaf, offset in self._with(reader)]
        found = [(matches, offset) for matches, offset in found if len(matches.ids)]
        if len(found) < 2:
            return Matches(found[0][0].ids + found[0][1], found[0][0].values) if found else Matches.none()
        return Matches(np.concatenate([matches.ids + offset for matches, offset in found]),
                       np.concatenate([matches.values for matches, _ in found]))

    def lengths(self, reader, field: str) -> np.ndarray:
        if field not in self._lengths:
            joined = np.concatenate([arrays.lengths(leaf, field) for arrays, leaf, _ in self._with(reader)])
            with self._lock:
                self._lengths[field] = joined
        return self._lengths[field]

    def column(self, reader, field: str) -> np.ndarray | None:
        if field not in self._columns:
            columns = [(arrays.column(leaf, field), arrays.size) for arrays, leaf, _ in self._with(reader)]
            joined = None
            if any(values is not None for values, _ in columns):  # a segment without it has zeros: no value
                joined = np.concatenate([np.zeros(size, np.int64) if values is None else values
                                         for values, size in columns])
            with self._lock:
                self._columns[field] = joined
        return self._columns[field]

    def live(self) -> np.ndarray:
        return np.flatnonzero(~self.dead).astype(np.int64)

    def positions(self, reader, field: str, text: bytes, docs: list[int]) -> dict[int, list[int]]:
        found = {}
        for arrays, leaf, offset in self._with(reader):
            mine = [doc - offset for doc in docs if offset <= doc < offset + arrays.size]
            if mine:
                places = arrays.positions(leaf, field, text, mine)
                found.update((doc + offset, where) for doc, where in places.items())
        return found


def joined(searcher) -> Joined:
    """The joined arrays of the searcher's segments, shared by the searchers of the same
    segments (a server has one per thread)."""
    reader = searcher.reader()
    found = _HELD.get(reader)
    if found is None:
        leaves = searcher.leaf_searchers()
        key = tuple((segment_key(leaf.reader()), offset) for leaf, offset in leaves)
        found = _SHARED.get(key) or Joined(leaves)  # made outside the lock: segment() takes it
        with _REGISTRY:
            found = _SHARED.setdefault(found.key, found)
            _HELD[reader] = found
    return found


def segment(reader) -> Segment:
    """The arrays of a segment, shared by its readers."""
    found = _HELD.get(reader)
    if found is None:
        key = segment_key(reader)
        with _REGISTRY:
            found = _SHARED.get(key)
            if found is None:
                found = _SHARED[key] = _LATEST[key[0]] = Segment(reader, _LATEST.get(key[0]))
            _HELD[reader] = found
    return found


def stored_fields(searcher, docnum: int) -> dict:
    """An article's stored fields, read from its segment: Whoosh's reader would also check
    each one against the schema (a third of the time), and a format change rebuilds the
    index rather than dropping fields."""
    reader = searcher.reader()
    if not reader.is_atomic():
        number, docnum = reader._segment_and_docnum(docnum)
        reader = reader.readers[number]
    return reader._perdoc.stored_fields(docnum)


def holds(searcher, field: str, text: str) -> bool:
    """Whether any segment has the term (deleted articles count, as in Whoosh), from the
    term lookups the segments remember: scoring the query has made them already."""
    if field not in searcher.schema:
        return False
    encoded = searcher.schema[field].to_bytes(text)
    return any(segment(leaf.reader()).info(leaf.reader(), field, encoded) is not None
               for leaf, _ in searcher.leaf_searchers())


def warm(searcher, fields, postings: int, seconds: float, pause=lambda: None) -> list[Segment | Joined]:
    """Reads the postings of the commonest terms of `fields` into their segments' arrays,
    commonest first, until about `postings` are read (shared among the segments by their
    size) or `seconds` pass: those cost the most to read during a query, and queries use
    them most. An index of several segments then joins the commonest terms of its largest
    (up to JOINED_KEPT postings). `pause()` is called before each term (a server waits
    there while it answers requests). Returns the arrays: they stay warm while the caller
    keeps them."""
    deadline = time.monotonic() + seconds
    readers = sorted((leaf.reader() for leaf, _ in searcher.leaf_searchers()), key=lambda r: -r.doc_count_all())
    articles = sum(reader.doc_count_all() for reader in readers) or 1
    kept, largest = [], []
    for reader in readers:
        if time.monotonic() > deadline:
            break
        arrays = segment(reader)
        kept.append(arrays)
        commonest = _commonest(reader, fields)
        largest = largest or commonest
        for field in fields:
            terms = frozenset(text for name, text in commonest if name == field)
            if len(terms) <= VOCABULARY_KEPT:
                arrays.know(field, terms)
        _read_first(arrays, reader, commonest, postings * reader.doc_count_all() // articles, deadline, pause)
    if len(readers) > 1 and time.monotonic() < deadline:
        kept.append(joined(searcher))
        _read_first(kept[-1], searcher.reader(), largest, min(postings, JOINED_KEPT), deadline, pause)
    return kept


def _read_first(arrays: Segment | Joined, reader, terms: list[tuple[str, bytes]], postings: int, deadline: float,
                pause) -> None:
    """The terms' postings, in order, until about `postings` are read or the deadline passes."""
    for field, text in terms:
        pause()
        if postings <= 0 or time.monotonic() > deadline:
            break
        postings -= len(arrays.postings(reader, field, text).ids)


def _commonest(reader, fields) -> list[tuple[str, bytes]]:
    """The segment's terms in `fields`, by how many articles hold them, most first."""
    found = []
    for field in fields:
        for (name, text), info in reader._terms.items_from(field, b""):
            if name != field:
                break
            found.append((info.doc_frequency(), field, text))
    found.sort(reverse=True)
    return [(field, text) for _, field, text in found]


def _extent(postfile, info) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings: ids are stored as gaps from the block's first, weights as floats."""
    ids, weights = [], []
    for count, _, data in _blocks(postfile, info):
        gaps, stored = _ids_and_weights(data(), count)
        ids.append(np.cumsum(np.asarray(gaps, dtype=np.int64)))
        if stored is None or isinstance(stored, float):
            weights.append(np.full(count, 1.0 if stored is None else stored))
        else:
            weights.append(np.asarray(stored, dtype=np.float64))
    if not ids:
        return Matches.none().ids, Matches.none().values
    return np.concatenate(ids), np.concatenate(weights)


def _blocks(postfile, info) -> Iterator[tuple[int, int, Callable[[], bytes]]]:
    """A term's blocks of postings, read from the postings file in one go (Whoosh's
    W3LeafMatcher reads each block in several small reads): a header, then blocks of a
    length (negative for the last), the block's pickled info, and its data. Yields each
    block's number of postings, highest article number, and a function that unpacks its
    data."""
    offset, length = info.extent()
    length = length[0] if isinstance(length, tuple) else length  # Whoosh unpacks it as a 1-tuple
    raw = postfile.get(offset, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"no postings at offset {offset} of the postings file")
    stream, at = BytesIO(raw), 4
    while at < len(raw):
        size = BLOCK_LENGTH.unpack_from(raw, at)[0]
        stream.seek(at + BLOCK_LENGTH.size)
        count, highest, _, compression = load(stream)[:4]
        end = at + BLOCK_LENGTH.size + abs(size)
        data = raw[stream.tell() : end]
        yield count, highest, partial(zlib.decompress, data) if compression else partial(bytes, data)
        at = end
        if size < 0:
            break


# Where a block's positions start in its pickle: Whoosh pickles (ids, weights, values) with
# protocol 2, which writes each posting's positions as a call to _codecs.encode.
PROTOCOL_2 = b"\x80\x02"
VALUES_START = b"(c_codecs\nencode\n"
WITHOUT_VALUES = b"N\x87."  # None for the values, then the (ids, weights, None) tuple, and stop


def _ids_and_weights(data: bytes, count: int) -> tuple:
    """A block's ids and weights. The blocks this package writes (pickle protocol 3) unpickle
    quickly whole. In a block Whoosh wrote (protocol 2), unpickling the positions (a string
    and a call for each posting) takes three quarters of the time, and scoring needs none:
    they are left out, or, if the block does not read that way, it is unpickled whole."""
    if not data.startswith(PROTOCOL_2):
        return loads(data)[:2]
    cut = data.find(VALUES_START)
    found = _unpickled(data[:cut] + WITHOUT_VALUES) if cut > 0 else None
    if _complete(found, count):
        return found[0], found[1]
    return loads(data)[:2]


def _complete(found, size: int) -> bool:
    """Whether a block read without its positions came out whole: an id for each posting,
    and a weight for each (or one for all, or none when all are 1)."""
    if not (isinstance(found, tuple) and len(found) == 3 and isinstance(found[0], tuple) and len(found[0]) == size):
        return False
    weights = found[1]
    return weights is None or isinstance(weights, float) or (isinstance(weights, tuple) and len(weights) == size)


def _unpickled(data: bytes):
    try:
        return loads(data)
    except Exception:  # noqa: BLE001 - not the layout expected: the caller unpickles it whole
        return None


POSITIONS_PICKLE = b"\x80\x02]"  # how a posting's positions start after their count: a list, pickled


def _positions_of(values: list[bytes]) -> list[list[int]]:
    """Whoosh's Positions.decode_positions of each value, in one unpickling: each value is
    a count and a pickled list of gaps, whose list-building middles, joined, pickle a list
    of those lists. Values that do not read that way are decoded one by one."""
    middles = [value[6:-1] if value.endswith(b".") else value[6:] for value in values]
    lists = None
    if all(value[4:7] == POSITIONS_PICKLE for value in values):
        lists = _unpickled(b"(" + b"".join(middles) + b"l.")
    if not isinstance(lists, list) or len(lists) != len(values):
        return [Positions().decode_positions(value) for value in values]
    return [list(accumulate(gaps)) for gaps in lists]


def _one_by_one(matcher) -> tuple[np.ndarray, np.ndarray]:
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


class _Frequencies:
    """Articles holding a term in the whole index, summed over the segments once per
    search (a word's terms are asked for again by each part of the query that holds it)."""

    def __init__(self, leaves):
        self.segments = [(segment(leaf.reader()), leaf.reader()) for leaf, _ in leaves]
        self.counted: dict[tuple[str, bytes], int] = {}

    def doc_frequency(self, field: str, text: bytes) -> int:
        key = (field, text)
        if key not in self.counted:
            self.counted[key] = sum(arrays.doc_frequency(reader, field, text) for arrays, reader in self.segments)
        return self.counted[key]


class Scorer:
    """Scores a query in one segment, or in all of them joined (`arrays`, with the top
    searcher as `leaf`): the top searcher gives the statistics (IDF, average lengths over
    the whole index), the leaf searcher the postings."""

    def __init__(self, top, leaf, everywhere: _Frequencies, deadline: float | None,
                 arrays: Segment | Joined | None = None):
        self.top, self.leaf, self.deadline = top, leaf, deadline
        self.model = top.weighting if isinstance(top.weighting, Ranking) else Ranking()
        self.context = top.context(weighting=self.model)
        self.reader = leaf.reader()
        self.segment = arrays or segment(self.reader)
        self.everywhere = everywhere  # index-wide statistics
        self.cut = False

    def doc_frequency(self, field: str, text: bytes) -> int:
        """Articles holding the term in the whole index (deleted ones too, as Whoosh counts)."""
        return self.everywhere.doc_frequency(field, text)

    def score(self, q: wq.Query) -> Matches:
        kind = type(q)
        if kind is WordQuery:
            return self.word(q)
        if kind is wq.Term and self.top.schema[q.fieldname].scorable:
            return self.term(q.fieldname, q.text).times(q.boost)
        if kind is wq.Or and not q.minmatch and not q.scale:
            return union([self.score(child) for child in q.subqueries]).times(_own_boost(q))
        if kind is wq.And:
            return intersection([self.score(child) for child in q.subqueries]).times(_own_boost(q))
        if kind is wq.AndNot:
            kept, dropped = self.score(q.a), self.score(q.b)
            return kept if not len(dropped.ids) else _subset(kept, ~np.isin(kept.ids, dropped.ids, assume_unique=True))
        if kind is wq.Phrase and q.slop == 1:
            return self.phrase(q)
        if kind is wq.Not:  # inside an And: every article without the part, scoring 1
            live = np.setdiff1d(self.segment.live(), self.score(q.query).ids, assume_unique=True)
            return Matches(live, np.ones(len(live)))
        if kind is wq.Every and q.fieldname in (None, "", "*"):
            live = self.segment.live()
            return Matches(live, np.full(len(live), float(q.boost)))
        if kind is wq.DateRange and q.constantscore and self.segment.column(self.reader, q.fieldname) is not None:
            return self.date_range(q)
        return self.one_by_one(q)

    def word(self, q: WordQuery) -> Matches:
        """ranking.WordMatcher's BM25F: the word's weighted, length-normalised counts in
        each field added up, saturated once, times the word's IDF."""
        parent, k1 = self.top, self.model.k1
        terms = [(t, self.top.schema[t.fieldname].to_bytes(t.text)) for t in q.subqueries if isinstance(t, wq.Term)]
        frequency = max((self.doc_frequency(t.fieldname, text) for t, text in terms), default=0)
        weight = idf(parent.doc_count_all(), frequency) * q.boost
        counts = []
        for term, text in terms:
            found = self.segment.postings(self.reader, term.fieldname, text)
            if len(found.ids):
                lengths = self.segment.lengths(self.reader, term.fieldname)[found.ids]
                norm = length_norm(lengths, parent.avg_field_length(term.fieldname), self.model.b(term.fieldname))
                counts.append(Matches(found.ids, term.boost * found.values / norm))
        total = union(counts)
        return Matches(total.ids, weight * saturate(total.values, k1))

    def term(self, field: str, text) -> Matches:
        """ranking.FieldScorer's BM25 of one term in one field."""
        text = self.top.schema[field].to_bytes(text)
        found = self.segment.postings(self.reader, field, text)
        if not len(found.ids):
            return found
        weight = idf(self.top.doc_count_all(), self.doc_frequency(field, text))
        length = self.segment.lengths(self.reader, field)[found.ids]
        average = self.top.avg_field_length(field) or 1
        return Matches(found.ids, bm25(weight, found.values, length, average, self.model.b(field), self.model.k1))

    def phrase(self, q: wq.Phrase) -> Matches:
        """Whoosh finds the articles with the words in a row; their score is the sum of the
        words' BM25, as Whoosh's phrase matcher gives it."""
        if not q.words or not self.top.schema[q.fieldname].scorable:
            return self.one_by_one(q)
        words = intersection([self.term(q.fieldname, word) for word in q.words])
        if not len(words.ids):
            return words
        return _subset(words, self.in_a_row(q.fieldname, q.words, words.ids)).times(q.boost)

    def in_a_row(self, field: str, words: list[str], candidates: np.ndarray) -> np.ndarray:
        """Which candidates hold the words one after another: each word's positions there,
        shifted back by its place in the phrase, must meet."""
        schema, docs = self.top.schema[field], candidates.tolist()
        places = [self.segment.positions(self.reader, field, schema.to_bytes(word), docs) for word in words]
        keep = np.zeros(len(candidates), dtype=bool)
        for n, doc in enumerate(docs):
            starts = None
            for place, positions in enumerate(places):
                shifted = {position - place for position in positions.get(doc, ())}
                starts = shifted if starts is None else starts & shifted
                if not starts:
                    break
            keep[n] = bool(starts)
            if self.deadline and n % 256 == 255 and time.monotonic() > self.deadline:
                self.cut = True
                break
        return keep

    def date_range(self, q: wq.DateRange) -> Matches:
        """Publication dates compared in their column; a range scores its boost, as in Whoosh."""
        dates = self.segment.column(self.reader, q.fieldname)
        keep = (dates > 0) & ~self.segment.dead
        if q.start is not None:
            keep &= dates > q.start if q.startexcl else dates >= q.start
        if q.end is not None:
            keep &= dates < q.end if q.endexcl else dates <= q.end
        ids = np.flatnonzero(keep).astype(np.int64)
        return Matches(ids, np.full(len(ids), float(q.boost)))

    def one_by_one(self, q: wq.Query) -> Matches:
        """Any other query part, scored by its Whoosh matcher (stopping at the deadline)."""
        matcher = q.matcher(self.leaf, self.context)
        ids, scores = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            scores.append(matcher.score())
            matcher.next()
            if self.deadline and len(ids) % 256 == 0 and time.monotonic() > self.deadline:
                self.cut = True
                break
        return Matches(np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64))


def _own_boost(q: wq.CompoundQuery) -> float:
    """Whoosh applies a group's boost only when it has more than one part."""
    return q.boost if len(q.subqueries) > 1 else 1.0


def _subset(matches: Matches, keep: np.ndarray) -> Matches:
    return Matches(matches.ids[keep], matches.values[keep])


def union(parts: list[Matches]) -> Matches:
    """Articles in any part; each one's values added up, in the parts' order."""
    parts = [p for p in parts if len(p.ids)]
    if len(parts) < 2:
        return parts[0] if parts else Matches.none()
    every = np.concatenate([p.ids for p in parts])
    values = np.concatenate([p.values for p in parts])
    size = int(every.max()) + 1
    if size > DENSE_UNION * len(every) + 32_768:  # few articles far apart: sorting them is cheaper
        ids, where = np.unique(every, return_inverse=True)
        return Matches(ids, np.bincount(where, weights=values, minlength=len(ids)))
    seen = np.zeros(size, dtype=bool)
    seen[every] = True
    ids = np.flatnonzero(seen)
    return Matches(ids, np.bincount(every, weights=values, minlength=size)[ids])


def intersection(parts: list[Matches]) -> Matches:
    """Articles in every part; each one's values added up."""
    if not parts:
        return Matches.none()
    found = parts[0]
    for part in parts[1:]:
        ids, mine, theirs = np.intersect1d(found.ids, part.ids, assume_unique=True, return_indices=True)
        found = Matches(ids, found.values[mine] + part.values[theirs])
    return found


def search(searcher, q: wq.Query, limit: int | None, filter_q: wq.Query | None = None, sortedby: str | None = None,
           reverse: bool = False, time_limit: float | None = None) -> Ranked:
    """The first `limit` (None: all) matches of q that pass filter_q, best first (or by a
    date column), with the total; recency from the searcher's Ranking. Past `time_limit` seconds it
    returns what it found by then, with a notice."""
    deadline = time.monotonic() + time_limit if time_limit else None
    leaves = searcher.leaf_searchers()  # one at least: an empty index has an empty one
    if deadline and time.monotonic() > deadline:
        return Ranked([], 0, Matches.none().ids, CUT_OFF.format(time_limit))
    if len(leaves) > 1:  # the segments joined, in one pass; Whoosh's matchers over the whole index
        scorer = Scorer(searcher, searcher, _Frequencies(leaves), deadline, joined(searcher))
    else:
        scorer = Scorer(searcher, leaves[0][0], _Frequencies(leaves), deadline)
    found = scorer.score(q)
    if filter_q is not None and len(found.ids):
        allowed = scorer.score(filter_q)
        found = _subset(found, np.isin(found.ids, allowed.ids, assume_unique=True))
    ids, scores = found.ids, _decayed(searcher, scorer, found)
    limit = len(ids) if limit is None else limit
    if sortedby:
        column = scorer.segment.column(scorer.reader, sortedby)
        keys = column[ids] if column is not None else np.zeros(len(ids), np.int64)
        order = np.lexsort((ids, keys))[::-1 if reverse else 1][:limit]
    else:
        order = _best(ids, scores, limit)
    top = [(int(ids[i]), float(scores[i])) for i in order]
    return Ranked(top, len(ids), ids, CUT_OFF.format(time_limit) if scorer.cut else None)


def _best(ids: np.ndarray, scores: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` best scores, ties to the lower article number (as Whoosh)."""
    if len(scores) > limit * 4:
        floor = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        candidates = np.flatnonzero(scores >= floor)
    else:
        candidates = np.arange(len(scores))
    order = np.lexsort((ids[candidates], -scores[candidates]))
    return candidates[order[:limit]]


def _decayed(searcher, scorer: Scorer, found: Matches) -> np.ndarray:
    """Ranking.final over arrays: scores halve with each half-life of age."""
    model = scorer.model
    dates = scorer.segment.column(scorer.reader, "published") if model.half_life else None
    if dates is None or not len(found.ids):
        return found.values
    published = dates[found.ids]
    reference = newest_published(searcher.get_parent().reader())
    age = np.maximum(0.0, (reference - published) / MICROSECONDS_A_DAY)
    return np.where(published > 0, found.values * 0.5 ** (age / model.half_life), found.values)
