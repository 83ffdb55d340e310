"""A parsed query in the user's own words, for "searched for ...".

Whoosh's string of a query names every field, stem and boost ("title:bridg^2.0 OR
body:bridg OR ..."): exact, and unreadable to a reporter. This keeps the structure
(OR, AND, NOT, fields, phrases, ranges) and shows the words as they were typed.
"""
from __future__ import annotations

from whoosh import query as wq
from whoosh.util.times import long_to_datetime as datetime_from_long

from search.schema import FIELD_ALIASES

JOINTS = {wq.Or: " OR ", wq.And: " AND "}
RANGES = (wq.DateRange, wq.NumericRange)
LABELS = {field: alias for alias, field in FIELD_ALIASES.items()}  # "people" -> "person"


def explain(q: wq.Query, text: str) -> str:
    """`q`, parsed from `text`, as a reader would say it."""
    if isinstance(q, wq.Every):
        return "everything"
    if isinstance(q, wq.AndNot):
        return f"{_part(q.a, text)} NOT {_part(q.b, text)}"
    if isinstance(q, wq.Not):
        return f"NOT {_part(q.query, text)}"
    if isinstance(q, RANGES) and q.field() == "published":
        return _published(q)
    if isinstance(q, wq.CompoundQuery):
        joint = next((j for kind, j in JOINTS.items() if isinstance(q, kind)), " ")
        return joint.join(_words(q.subqueries, text))
    said = _typed([q], text)
    if said is not None:
        return said
    field = q.field() if hasattr(q, "field") else None
    return str(q).replace(f"{field}:", _label(field), 1) if field else str(q)  # "dates:[a TO b]" -> "date:..."


def _words(children: list[wq.Query], text: str) -> list[str]:
    """The parts of a group: a word searched in several fields is one word, said once;
    terms an analyser split off a word ("varga's" -> varga, s) have no place in the typed
    text and are left out."""
    spans: dict[tuple[int, int], list[wq.Query]] = {}
    parts: list[tuple[int, int] | wq.Query] = []
    for child in children:
        span = _span(child) if child.is_leaf() else None
        if span is not None:
            if span not in spans:
                parts.append(span)
            spans.setdefault(span, []).append(child)
        elif _has_span(child) if not child.is_leaf() else not isinstance(child, wq.Term):
            parts.append(child)  # a sub-group, or a range (ranges carry no span)
    said = [_typed(spans[p], text) if isinstance(p, tuple) else _part(p, text) for p in parts]
    return [s for s in said if s] or ["everything"]


def _part(q: wq.Query, text: str) -> str:
    """A sub-query, in parentheses when it joins several parts."""
    said = explain(q, text)
    joined = isinstance(q, (wq.CompoundQuery, wq.AndNot)) and any(j in said for j in (" OR ", " AND ", " NOT "))
    return f"({said})" if joined else said


def _typed(leaves: list[wq.Query], text: str) -> str | None:
    """What the user typed for one word or phrase: bare when searched in several fields,
    with its field ("title:harbour") when in one."""
    span = _span(leaves[0])
    if span is None:
        return None
    words = text[span[0] : span[1]]
    if isinstance(leaves[0], (wq.Prefix, wq.Wildcard)):  # the parser's span covers only the "*"
        words = leaves[0].text + ("*" if isinstance(leaves[0], wq.Prefix) else "")
    elif isinstance(leaves[0], wq.Phrase) and not words.startswith('"'):
        words = f'"{words}"'
    elif " " in words.strip() and not words.startswith('"'):
        words = f'"{words.strip()}"'
    fields = {leaf.field() for leaf in leaves}
    return words if len(fields) > 1 else _label(fields.pop()) + words


def _span(q: wq.Query) -> tuple[int, int] | None:
    """Where in the typed text a word or phrase came from, when the parser said so."""
    start, end = getattr(q, "startchar", None), getattr(q, "endchar", None)
    if start is None and getattr(q, "char_ranges", None):
        start, end = q.char_ranges[0][0], q.char_ranges[-1][1]
    return None if start is None or end is None else (start, end)


def _has_span(q: wq.Query) -> bool:
    return _span(q) is not None or any(_has_span(c) for c in q.children())


def _published(q) -> str:
    """ "published:2024-03-01 to 2024-05-31" from a range of datetimes or their numbers."""
    start, end = getattr(q, "startdate", None), getattr(q, "enddate", None)
    if start is None and end is None and isinstance(q, wq.NumericRange):
        start, end = (datetime_from_long(v) if v is not None else None for v in (q.start, q.end))
    days = [d.date().isoformat() if d else "…" for d in (start, end)]
    return f"published:{days[0]}" if days[0] == days[1] else f"published:{days[0]} to {days[1]}"


def _label(field: str | None) -> str:
    return "" if field is None else f"{LABELS.get(field, field)}:"
