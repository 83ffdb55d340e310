"""The Whoosh schema, the field boosts and the index format version, in one place."""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from functools import lru_cache
from itertools import chain
from operator import sub
from pickle import dumps

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import pack_byte, pack_uint
from whoosh.util.numeric import to_sortable
from whoosh.util.times import datetime_to_long

from search.analysis import (
    DATE_WORD_PATTERN, WORD_PATTERN, date_analyzer, index_terms, name_analyzer, text_analyzer, word_positions,
)

# Bump when the schema or the analyzers change: older indexes then ask for a rebuild.
FORMAT_VERSION = 2  # 2: the larger stop list of analysis.py

# Query-time boosts (no reindex needed to change them), for the fields a plain query searches.
BOOSTS = {"title": 2.0, "body": 1.0, "people": 1.5, "dates": 1.5}

# BM25F (search/ranking.py). The boosts above weigh a word's occurrences by field; K1
# saturates their weighted sum (higher than BM25's usual 1.2 because that sum adds up
# fields: a headline word counts twice); each field's B says how much its length discounts
# the count. Chosen on CISI, checked on CRAN: bench/eval_ranking.py, docs in its header.
K1 = 3.0
FIELD_B = {"title": 0.75, "body": 0.75, "people": 0.75, "dates": 0.75}

# What a user may type before a colon, and the field it searches.
FIELD_ALIASES = {"person": "people", "date": "dates"}

POSITIONS_KEPT = 30_000  # encoded positions memoized while indexing (about 12 MB)
ONE_POSITION_KEPT = 4096  # encoded single positions kept from the start (about 250 kB)


# Indexes name the field classes below in their pickled schema: keep each importable here.


class _QuickText(TEXT):
    """TEXT indexing a text through a quick twin of its analyzer, `terms()` (term ->
    positions), without the analyzer's chain of token objects."""

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str) or type(self.format) is not Positions:
            return super().index(value, **kwargs)
        one, boost = _ONE_POSITION, self.format.field_boost
        items = [(term.encode("utf-8"), len(positions), len(positions),
                  one[positions[0]] if len(positions) == 1 and positions[0] < ONE_POSITION_KEPT
                  else _positions_value(tuple(positions)))
                 for term, positions in self.terms(value).items()]  # a list: quicker to go through than a generator
        if boost != 1:  # else the weights are the counts: small ints are shared objects, a pooled float takes 24 bytes
            items = [(term, count, count * boost, encoded) for term, count, _, encoded in items]
        return items

    def terms(self, value: str) -> dict[str, list[int]]:
        raise NotImplementedError


class TextField(_QuickText):
    """TEXT with text_analyzer(), under its own name (which indexes already built name in
    their schema): headline and body."""

    def terms(self, value: str) -> dict[str, list[int]]:
        return index_terms(value)


class NameField(_QuickText):
    """TEXT with name_analyzer(): the people's names."""

    def terms(self, value: str) -> dict[str, list[int]]:
        return word_positions(value, WORD_PATTERN, folding=True)


class DateWordsField(_QuickText):
    """TEXT with date_analyzer(): the words of the dates mentioned."""

    def terms(self, value: str) -> dict[str, list[int]]:
        return word_positions(value, DATE_WORD_PATTERN, folding=False)


def _encoded_positions(positions: tuple[int, ...]) -> bytes:
    """Whoosh's Positions.encode (a count, then the gaps pickled), in fewer steps."""
    return pack_uint(len(positions)) + dumps(list(map(sub, positions, chain((0,), positions))), 2)


# Memoized: most terms stand once in an article, at one of a few thousand places; a term's
# several places recur less, but often enough.
_positions_value = lru_cache(maxsize=POSITIONS_KEPT)(_encoded_positions)
_ONE_POSITION = [_encoded_positions((place,)) for place in range(ONE_POSITION_KEPT)]


class DateField(DATETIME):
    """DATETIME, under its own name, giving a date's terms (one per precision, for range
    queries) in one pass: Whoosh converts the date again for each of its eight terms."""

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, datetime):
            return super().index(value, **kwargs)
        number = to_sortable(int, self.bits, True, self.prepare_number(datetime_to_long(value)))
        pack = self._struct.pack
        return [(pack_byte(shift) + pack(number >> shift), 1, 1.0, b"") for shift in range(0, self.bits, self.shift_step)]


class IdField(ID):
    """ID, giving its one term directly: Whoosh runs the value through a tokenizer."""

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        return [(value.encode("utf-8"), 1, self.format.field_boost, b"")]


_KEYWORD = re.compile(r"[^,]+")  # Whoosh's CommaSeparatedTokenizer


class KeywordsField(KEYWORD):
    """KEYWORD with commas and lowercase, giving its terms directly: Whoosh runs the value
    through a tokenizer and two filters."""

    def __init__(self, **kwargs):
        super().__init__(commas=True, lowercase=True, **kwargs)

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        counts = Counter(word.strip().lower() for word in _KEYWORD.findall(value))
        return [(word.encode("utf-8"), count, count * boost, pack_uint(count)) for word, count in counts.items()]


def build_schema() -> Schema:
    """The fields of an indexed article.

    `people` and `dates` hold words for matching and ranking; `person` holds the canonical
    names whole, for filters and facets; `mentioned` the ISO dates for display. `file` and
    `content_hash` are columns that let a reindex skip what has not changed.
    """
    return Schema(
        id=IdField(stored=True, unique=True, sortable=True),
        file=IdField(stored=True, sortable=True),
        content_hash=IdField(sortable=True),
        title=TextField(analyzer=text_analyzer(), stored=True),
        body=TextField(analyzer=text_analyzer(), stored=True),
        people=NameField(analyzer=name_analyzer()),
        person=KeywordsField(stored=True),
        dates=DateWordsField(analyzer=date_analyzer()),
        mentioned=STORED,
        source=KeywordsField(stored=True),
        published=DateField(stored=True, sortable=True),
        published_from=STORED,
        published_guess=STORED,
        url=STORED,
        path=STORED,
    )
