"""Why a hit ranked where it did: its score taken apart by query word and field, and the
decay by age that recency applied.

The parts are computed by the same matchers that scored the search, so they add up to the
hit's score: relevance (the sum of the parts) times the decay factor. A word's fields share
its score in proportion to what each added to the word's weighted count (BM25F saturates
the sum, so a field's share is its part of that sum, not a score of its own).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from whoosh import query as wq

from search.explain import explain as in_words
from search.ranking import Decay, Ranking, WordQuery


@dataclass(frozen=True, slots=True)
class Part:
    """What one word or phrase of the query added, and from which fields."""

    query: str
    score: float
    fields: dict[str, float]

    def as_dict(self) -> dict:
        return {"query": self.query, "score": round(self.score, 4), "fields": {f: round(s, 4) for f, s in self.fields.items()}}


@dataclass(frozen=True, slots=True)
class Explanation:
    """A hit's score: `relevance` (the sum of `parts`) times the decay's factor."""

    score: float
    relevance: float
    parts: tuple[Part, ...]
    recency: Decay | None = None

    def as_dict(self) -> dict:
        return {
            "score": round(self.score, 4),
            "relevance": round(self.relevance, 4),
            "parts": [part.as_dict() for part in self.parts],
            "recency": self.recency.as_dict() if self.recency else None,
        }


def explain_hit(searcher, q: wq.Query, docnum: int, text: str = "") -> Explanation:
    """The explanation of the article numbered `docnum` (index-wide, as `hit.docnum`) for
    the query `q` that was parsed from `text`, in a searcher of a `Ranking`."""
    sub, local = _segment(searcher, docnum)
    context = searcher.context()
    parts = _merge(_parts(q, sub, local, context, text))
    relevance = sum(part.score for part in parts)
    model = searcher.weighting
    decay = model.decay(searcher, docnum) if isinstance(model, Ranking) and model.half_life else None
    return Explanation(relevance * (decay.factor if decay else 1.0), relevance, tuple(parts), decay)


def _segment(searcher, docnum: int):
    """The leaf searcher holding the article, and its number there."""
    for sub, offset in searcher.leaf_searchers():
        if offset <= docnum < offset + sub.doc_count_all():
            return sub, docnum - offset
    raise ValueError(f"No article numbered {docnum} in this index")


def _parts(q: wq.Query, searcher, docnum: int, context, text: str) -> Iterator[Part]:
    """The scoring parts of q that match the article: words, and other leaves (phrases,
    single-field terms, ranges). And, Or and AndMaybe add their parts' scores; a NOT adds none."""
    if isinstance(q, wq.Not) or q is wq.NullQuery:
        return
    if isinstance(q, wq.AndNot):
        yield from _parts(q.a, searcher, docnum, context, text)
    elif isinstance(q, WordQuery):
        matcher = q.matcher(searcher, context)
        if _at(matcher, docnum):
            counts, score = matcher.counts(), matcher.score()
            total = sum(counts.values()) or 1.0
            yield Part(_label(q.subqueries[0], text), score, {field: score * count / total for field, count in counts.items()})
    elif not q.is_leaf() and isinstance(q, (wq.CompoundQuery, wq.BinaryQuery)):
        for child in q.children():
            yield from _parts(child, searcher, docnum, context, text)
    else:
        matcher = q.matcher(searcher, context)
        if _at(matcher, docnum):
            field = q.field() if hasattr(q, "field") else None
            yield Part(_label(q, text), matcher.score(), {field: matcher.score()} if field else {})


def _at(matcher, docnum: int) -> bool:
    if matcher.is_active():
        matcher.skip_to(docnum)
    return matcher.is_active() and matcher.id() == docnum


def _label(q: wq.Query, text: str) -> str:
    """What the user typed for q; the analysed word for a part of a typed word ("shock" of
    "shock-induced"), which has no place of its own in the text."""
    start, end = getattr(q, "startchar", None), getattr(q, "endchar", None)
    if start is None and getattr(q, "char_ranges", None):  # a phrase: from its first word to its last
        start, end = q.char_ranges[0][0], q.char_ranges[-1][1]
        return f'"{text[start:end]}"' if text else str(q)
    if text and start is not None and end is not None:
        return text[start:end].strip()
    if isinstance(q, wq.Term):
        return q.text
    return in_words(q, text) if text else str(q)


def _merge(parts: Iterator[Part]) -> list[Part]:
    """One part per word or phrase (a phrase is searched in each field apart), best first."""
    merged: dict[str, Part] = {}
    for part in parts:
        old = merged.get(part.query)
        if old is None:
            merged[part.query] = part
            continue
        fields = dict(old.fields)
        for field, score in part.fields.items():
            fields[field] = fields.get(field, 0.0) + score
        merged[part.query] = Part(part.query, old.score + part.score, fields)
    return sorted(merged.values(), key=lambda part: -part.score)
