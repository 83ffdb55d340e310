"""How well an article answers a query: BM25F over the fields, query words counted as
typed, and an optional decay by age (why.py takes a score apart for the user).

Whoosh scores each field of a word apart, each with its own saturation and IDF, so a word
in the headline and again in the body counts twice over; it drops a word the user typed
twice; and its IDF (log(N/(n+1)) + 1) leaves common words almost as strong as rare ones.
Here each typed word is one `WordQuery` over its fields, scored as in Robertson, Zaragoza
and Taylor's "Simple BM25 extension to multiple weighted fields" (2004): the word's
occurrences in every field, weighted by field and normalised by that field's length, are
added up before one saturation and one IDF.

Measured with bench/eval_ranking.py (MAP / nDCG@10, CISI and CRAN): Whoosh as morgue used
it .156/.280 and .296/.363; with these changes, the stop list of analysis.py and questions
read as questions (query.tidy) .241/.421 and .329/.390; bm25s, the best reference engine,
.222/.396 and .310/.373.
"""
from __future__ import annotations

import copy
import math
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from whoosh import matching, query as wq
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.util.times import datetime_to_long, long_to_datetime

from search.schema import FIELD_B, K1


def idf(doc_count: int, doc_frequency: int) -> float:
    """BM25's IDF as Lucene computes it: near 0 for a word in every article, never negative."""
    return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


def saturate(tf: float, k1: float = K1) -> float:
    """BM25's term-frequency saturation of a (weighted, length-normalised) count."""
    return tf * (k1 + 1) / (tf + k1)


def length_norm(length: float, average: float, b: float) -> float:
    """BM25's document-length normalisation: 1 for an average length, more for longer."""
    return 1 - b + b * length / (average or 1)


@dataclass(frozen=True, slots=True)
class FieldPart:
    """How one field adds to a word's weighted count: its weight, b and average length."""

    field: str
    weight: float
    b: float
    average: float


class WordQuery(wq.CompoundQuery):
    """One word the user typed, searched in several fields and scored as one BM25F term.

    Its children are the word's single-field Terms, their boosts the field weights (from
    the parser's `fieldboosts`); its own boost counts how often the word was typed. The IDF
    is the word's, from the field where it is most frequent (an article holds the word if
    any field does). Not an `Or`, so that `normalize()` neither flattens it into the query
    around it nor drops a second one as a duplicate.
    """

    JOINT = " | "
    intersect_merge = False

    def _matcher(self, subs, searcher, context):
        model = context.weighting if context else searcher.weighting
        model = model if isinstance(model, Ranking) else Ranking()
        parent = searcher.get_parent()
        terms = [t for t in subs if isinstance(t, wq.Term)]
        frequency = max((parent.doc_frequency(t.fieldname, t.text) for t in terms), default=0)
        weight = idf(parent.doc_count_all(), frequency) * self.boost
        parts, leaves = [], []
        for term in terms:
            text = searcher.schema[term.fieldname].to_bytes(term.text)
            if (term.fieldname, text) in searcher.reader():
                average = parent.avg_field_length(term.fieldname) or 1
                parts.append(FieldPart(term.fieldname, term.boost, model.b(term.fieldname), average))
                leaves.append(searcher.postings(term.fieldname, text))
        if not leaves:
            return matching.NullMatcher()
        return WordMatcher(searcher, parts, leaves, weight, model.k1)

    def matcher(self, searcher, context=None):
        """Always BM25F: CompoundQuery's would hand a lone child to the plain scorer."""
        return self._matcher(self.subqueries, searcher, context)


class WordMatcher(matching.WrappingMatcher):
    """The union of a word's postings in its fields, scored as one BM25F term."""

    def __init__(self, searcher, parts: list[FieldPart], leaves: list, weight: float, k1: float):
        super().__init__(reduce(matching.UnionMatcher, leaves))
        self.searcher, self.parts, self.leaves, self.word_weight, self.k1 = searcher, parts, leaves, weight, k1

    def _replacement(self, newchild):
        replaced = copy.copy(self)
        replaced.child = newchild
        return replaced

    def copy(self):
        return WordMatcher(self.searcher, self.parts, [leaf.copy() for leaf in self.leaves], self.word_weight, self.k1)

    def supports_block_quality(self) -> bool:
        return False  # scores are not Whoosh's: its per-block maxima would prune wrongly

    def counts(self) -> dict[str, float]:
        """Field -> the word's weighted, length-normalised count in the current article."""
        docnum = self.child.id()
        counts = {}
        for part, leaf in zip(self.parts, self.leaves):
            if leaf.is_active() and leaf.id() == docnum:
                length = self.searcher.doc_field_length(docnum, part.field, 1)
                counts[part.field] = part.weight * leaf.weight() / length_norm(length, part.average, part.b)
        return counts

    def score(self) -> float:
        return self.word_weight * saturate(sum(self.counts().values()), self.k1)

    def weight(self) -> float:
        return sum(self.counts().values())


class Ranking(BM25F):
    """The weighting of one search: K1 and each field's B from schema.py, Lucene's IDF for
    the terms and phrases that are not WordQuery, and, with a half-life, the decay by age.

    The decay multiplies a score by 0.5 ** (age / half-life). Age counts from the newest
    publication date in the index (or from now, should that date be in the future), so an
    archive of 1963 favours its December issues as a live index favours this week's: the
    order is the same from any reference, and scores stay away from zero.
    """

    def __init__(self, k1: float = K1, field_b: dict[str, float] | None = None, half_life: float | None = None):
        self.k1 = k1
        self.field_b = dict(FIELD_B if field_b is None else field_b)
        self.half_life = half_life
        self.use_final = half_life is not None
        super().__init__(B=self.b("body"), K1=k1, **{f"{name}_B": b for name, b in self.field_b.items()})

    def b(self, field: str) -> float:
        return self.field_b.get(field, self.field_b.get("body", 0.75))

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf)
        return FieldScorer(searcher, fieldname, text, self.b(fieldname), self.k1)

    def final(self, searcher, docnum, score):
        return score * self.decay(searcher, docnum).factor

    def decay(self, searcher, docnum: int) -> Decay:
        """The decay of one article (by its index-wide number) under this half-life."""
        reader = searcher.get_parent().reader()
        published = reader.column_reader("published", translate=False)[docnum]
        reference = newest_published(reader)
        if not self.half_life or not published:
            return Decay(self.half_life, None, reference, 0.0, 1.0)
        age = max(0.0, (reference - published) / MICROSECONDS_A_DAY)
        return Decay(self.half_life, published, reference, age, 0.5 ** (age / self.half_life))


class FieldScorer(BM25FScorer):
    """Whoosh's BM25 scorer with the IDF above."""

    def __init__(self, searcher, fieldname, text, b, k1):
        parent = searcher.get_parent()
        self.idf = idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))
        self.avgfl = parent.avg_field_length(fieldname) or 1
        self.B, self.K1, self.qf = b, k1, 1
        self.setup(searcher, fieldname, text)


@dataclass(frozen=True, slots=True)
class Decay:
    """What recency did to one article: its age in days from the reference, and the factor."""

    half_life: float | None
    published: int | None  # Whoosh's datetime number
    reference: int
    age_days: float
    factor: float

    def as_dict(self) -> dict:
        day = lambda value: long_to_datetime(value).date().isoformat() if value else None  # noqa: E731
        return {"half_life_days": self.half_life, "published": day(self.published), "reference": day(self.reference),
                "age_days": round(self.age_days, 2), "factor": round(self.factor, 6)}


MICROSECONDS_A_DAY = 86_400 * 1_000_000
_NEWEST: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
HALF_LIFE_UNITS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30.44, "y": 365.25}


def newest_published(reader) -> int:
    """The reference for ages: the newest publication date in the index, or now if earlier;
    read once per reader (a reindex brings a new reader)."""
    if reader not in _NEWEST:
        dates = [value for value in reader.column_reader("published", translate=False) if value]
        now = datetime_to_long(datetime.now())
        _NEWEST[reader] = min(max(dates, default=now), now)
    return _NEWEST[reader]


def half_life_days(value: str | float | None) -> float | None:
    """A recency setting in days: "30d", "2w", "6m", "1y", "12h" or a number of days; None,
    "", "off" and 0 turn recency off. Raises ValueError with the accepted forms."""
    text = "" if value is None else str(value).strip().lower()
    if text in ("", "off", "none", "0", "0.0"):
        return None
    number, unit = (text[:-1], text[-1]) if text[-1:] in HALF_LIFE_UNITS else (text, "d")
    try:
        days = float(number) * HALF_LIFE_UNITS[unit]
    except ValueError:
        days = -1.0
    if not 0 < days < float("inf"):
        raise ValueError(f"Cannot read the recency {value!r}: give a half-life such as 7d, 2w, 6m or 1y (or off).")
    return days


def rank_query(q: wq.Query) -> wq.Query:
    """The parser's query (parsed with normalize=False) made ready for ranking: each word
    searched in several fields becomes one WordQuery, and a word typed twice weighs twice."""
    return merge_repeats(group_words(q)).normalize()


def group_words(q: wq.Query) -> wq.Query:
    """Turns the parser's per-word groups (an Or of one typed word's Terms in different
    fields) into WordQuery; a word the analyser splits ("shock-induced") into one
    WordQuery per part."""
    if q.is_leaf():
        return q
    if type(q) is wq.Or:
        words = _words_of(q.subqueries)
        if words is not None:
            return words
    if isinstance(q, wq.CompoundQuery):
        grouped = copy.copy(q)
        grouped.subqueries = [group_words(child) for child in q.subqueries]
        return grouped
    return q.apply(group_words)


def _words_of(children: list[wq.Query]) -> wq.Query | None:
    """The WordQuery (or an Or of them) for one typed word's per-field children, or None
    when the children are not that: the parser gives each field a Term, or an Or of the
    Terms of the word's parts, without a place in the typed text."""
    tokens: dict[str, list[wq.Term]] = {}
    for child in children:
        terms = [child] if isinstance(child, wq.Term) else child.subqueries if type(child) is wq.Or else []
        fields = {t.fieldname for t in terms if isinstance(t, wq.Term)}
        if not terms or len(fields) != 1 or len(fields & tokens.keys()) or not all(isinstance(t, wq.Term) for t in terms):
            return None
        tokens[fields.pop()] = terms
    spans = {(t.startchar, t.endchar) for t in children if isinstance(t, wq.Term)}
    if len(tokens) < 2 or len(spans) > 1:
        return None
    parts = max(len(terms) for terms in tokens.values())
    whole = [field for field, terms in tokens.items() if len(terms) == parts]
    words = [WordQuery([tokens[field][i] for field in whole]) for i in range(parts)]
    others = [child for child, field in zip(children, tokens) if field not in whole]
    return words[0] if len(words) == 1 and not others else wq.Or(words + others)


def merge_repeats(q: wq.Query) -> wq.Query:
    """In every Or (nested Ors flattened, as normalize() would), equal parts become one
    whose boost is the sum of theirs: Whoosh would keep one and drop the others."""
    if q.is_leaf():
        return q
    if not isinstance(q, wq.CompoundQuery):
        return q.apply(merge_repeats)
    merged = copy.copy(q)
    children = list(_flatten_or(q)) if type(q) is wq.Or else q.subqueries
    if type(q) is not wq.Or:
        merged.subqueries = [merge_repeats(child) for child in children]
        return merged
    parts: dict = {}
    for child in (merge_repeats(c) for c in children):
        key = _unboosted(child)
        parts[key] = parts[key].with_boost(parts[key].boost + child.boost) if key in parts else child
    merged.subqueries = list(parts.values())
    return merged


def _flatten_or(q: wq.Or, boost: float = 1.0) -> Iterator[wq.Query]:
    for child in q.subqueries:
        if type(child) is wq.Or:
            yield from _flatten_or(child, boost * child.boost)
        else:
            yield child.with_boost(child.boost * boost) if boost != 1.0 else child


def _unboosted(q: wq.Query):
    """A key under which equal queries of any boost meet."""
    try:
        key = q.with_boost(1.0)
        hash(key)
        return key
    except TypeError:
        return id(q)



def one_per_word(q: wq.Query) -> wq.Query:
    """q with each WordQuery cut to its first field, for counting what the user typed: a
    word searched in four fields is one word (serving.check_expensive's MAX_TERMS)."""
    if isinstance(q, WordQuery):
        return q.subqueries[0]
    if q.is_leaf() or not isinstance(q, wq.CompoundQuery):
        return q if q.is_leaf() else q.apply(one_per_word)
    counted = copy.copy(q)
    counted.subqueries = [one_per_word(child) for child in q.subqueries]
    return counted
