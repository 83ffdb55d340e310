"""Snippets: a few passages of an article around the query's words, found fast.

Whoosh's highlighter runs the whole analyzer chain over every hit's text, which costs more
than the search itself. Here a search of the first SCAN_CHARS characters finds the words
that may be the query's (they start as one of its terms starts), and only those are
analysed by analysis.index_term, the analyzer's memoized twin, so a snippet marks
exactly the words the query matched.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from html import escape as _escape

from whoosh import query as wq
from whoosh.support.charset import accent_map

from search.analysis import WORD_PATTERN, index_term

MARKED_FIELDS = ("title", "body", "people")  # query fields whose words are marked in the text
SCAN_CHARS = 20_000  # work per article is capped: a snippet comes from its first pages
FRAGMENTS = 3
WIDTH = 240  # characters in one passage
LEAD = 60  # characters shown before a passage's first match
WORD = re.compile(WORD_PATTERN)


def query_terms(parsed: wq.Query, schema) -> frozenset[str]:
    """The query's words as body terms, leaving out words under NOT: those are not wanted."""
    body = schema["body"].analyzer
    terms = set()
    for field, term in _wanted_terms(parsed):
        if field in ("title", "body"):
            terms.add(term)
        else:  # names are indexed unstemmed: analyse them like body text
            terms.update(t.text for t in body(term))
    return frozenset(terms)


def _wanted_terms(q) -> Iterator[tuple[str, str]]:
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from _wanted_terms(q.a)
        return
    if q.is_leaf():
        for field, term in q.terms(phrases=True):
            if field in MARKED_FIELDS:  # other fields' terms may be encoded numbers, not words
                yield field, term if isinstance(term, str) else term.decode("utf-8")
        return
    for child in q.children():
        yield from _wanted_terms(child)


def escape(text: str) -> str:
    """Escaped for HTML text (quotes need no escaping outside attributes)."""
    return _escape(text, quote=False)


def term_of(word: str) -> str:
    """A word as the text analyzer indexes it (stop words come back empty)."""
    return index_term(word.lower())


# Accented letters folded to one plain letter, so that a copy of the text keeps its offsets.
SAME_LENGTH_FOLDS = {code: plain for code, plain in accent_map.items() if len(plain) == 1}
# Snowball stems that do not start as their word does ("dying" -> "die").
IRREGULAR = {"die": "dy", "lie": "ly", "tie": "ty"}


BOUNDARY = re.compile(r"(?<!\w)(?<!\w['’])")  # a word starts here: not inside one, nor after its apostrophe
REST = re.compile(r"\w*(?:['’]\w+)*")  # the rest of a word, from where its beginning was found


@lru_cache(maxsize=1024)
def heads(terms: frozenset[str]) -> tuple[str, ...]:
    """The beginnings of words that may analyse to one of terms (lowercase): as a term
    starts, but for its last two letters (a stem ends differently: "happi" from "happy",
    "possibl" from "possibility"), or as an irregular stem's word starts ("dying")."""
    found = {term[: max(2, len(term) - 2)] for term in terms} | {IRREGULAR[t] for t in terms if t in IRREGULAR}
    return tuple(sorted(found))


def _starts(lowered: str, terms: frozenset[str], end: int) -> list[int]:
    """Where, in lowercase text, a beginning of the terms' words starts; an apostrophe may
    follow its first letter (O'Brien -> obrien). Found by str.find: compiling a pattern
    for each query cost more than the search."""
    apostrophes = [mark for mark in "'’" if mark in lowered]
    found = set()
    for head in heads(terms):
        for form in [head] + [head[0] + mark + head[1:] for mark in apostrophes]:
            at = lowered.find(form, 0, end)
            while at >= 0:
                found.add(at)
                at = lowered.find(form, at + 1, end)
    return sorted(found)


@lru_cache(maxsize=64)
def candidates(terms: frozenset[str]) -> re.Pattern:
    """The beginnings of the terms' words as a pattern that ignores case, for the rare
    text that lowercasing lengthens (where offsets in a lowercase copy would shift)."""
    starts = sorted((re.escape(head[0]) + "['’]?" + re.escape(head[1:]) for head in heads(terms)), key=len, reverse=True)
    return re.compile("|".join(starts), re.IGNORECASE)


def find_matches(text: str, terms: frozenset[str], limit: int | None = SCAN_CHARS) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word in text that analyses to one of terms."""
    end = len(text) if limit is None else min(len(text), limit)
    folded = text if text.isascii() else text[:end].translate(SAME_LENGTH_FOLDS)  # "Zürich" found as "zur..."
    lowered = folded[:end].lower()  # searched three times faster than with re.IGNORECASE
    same = len(lowered) == end  # else lower() lengthened a letter ("İ"), and offsets would shift
    if same:
        starts = _starts(lowered, terms, end)
    else:
        starts = [match.start() for match in candidates(terms).finditer(folded, 0, end)]
    found, stop = [], 0
    for start in starts:
        if start >= stop and BOUNDARY.match(folded, start):  # else it is found inside a word
            stop = REST.match(folded, start + 1, end).end()  # the word's end, from inside it
            term = term_of(text[start:stop])
            if term in terms:
                found.append((start, stop, term))
    return found


def snippet(text: str, terms: frozenset[str], fragments: int = FRAGMENTS) -> str:
    """Up to `fragments` passages around the matches, best first by distinct words then
    number of matches, shown in text order; HTML-escaped but for the <mark>s."""
    matches = find_matches(text, terms) if terms else []
    if not matches:
        return escape(_clip(text, 0, WIDTH))
    chosen = []
    for start, end, _ in sorted(_passages(text, matches), key=lambda p: p[2], reverse=True):
        if len(chosen) < fragments and all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
    return " … ".join(render(text, matches, s, e) for s, e in sorted(chosen))


def _passages(text: str, matches: list[tuple[int, int, str]]):
    """A passage starting a little before each match, with its score."""
    ends = [stop for _, stop, _ in matches]  # in order: matches do not overlap
    for i, (start, _, _) in enumerate(matches):
        begin = max(0, text.rfind(" ", 0, max(0, start - LEAD)) + 1) if start > LEAD else 0
        finish = begin + WIDTH
        inside = matches[i : bisect_right(ends, finish, i)]
        yield begin, min(finish, len(text)), (len({m[2] for m in inside}), len(inside), -begin)


def render(text: str, matches, begin: int, end: int) -> str:
    """text[begin:end] escaped, with the matches inside it in <mark>."""
    parts, at = [], begin
    for start, stop, _ in matches:
        if start >= begin and stop <= end:
            parts += [escape(text[at:start]), f"<mark>{escape(text[start:stop])}</mark>"]
            at = stop
    parts.append(escape(_clip(text, at, end)))
    return "".join(parts)


def _clip(text: str, begin: int, end: int) -> str:
    """text[begin:end], cut back to a word boundary and ending in … when text goes on."""
    if end >= len(text):
        return text[begin:]
    cut = text.rfind(" ", begin, end)
    return text[begin : cut if cut > begin else end] + "…"


def mark_all(text: str, terms: frozenset[str]) -> str:
    """The whole text, escaped, with every word of terms in <mark> (for an article page)."""
    matches = find_matches(text, terms, limit=None) if terms else []
    return render(text, matches, 0, len(text)) if matches else escape(text)
