"""Did-you-mean: the user's query with its unknown words respelled from the index.

Whoosh's own `correct_query` corrects every field of a multifield query separately and
answers in index terms, which here are stems ("elect" for "elections"). This corrects a
word once, from whichever field knows the likeliest respelling, and shows it as a word
the archive actually uses.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path

from whoosh import query as wq
from whoosh.spelling import ListCorrector
from whoosh.support.levenshtein import damerau_levenshtein as distance

from search.analysis import STOP

WORD_FIELDS = ("title", "body", "people")  # fields whose terms come from words a user types
CANDIDATES = 10  # index terms looked at per unknown word and field
MIN_LENGTH = 4  # shorter words have too many neighbours to guess from
MAX_LENGTH = 30  # longer "words" are pasted codes or junk, and slow to compare
MAX_DISTANCE = 2  # edits between the typed word and a respelling worth offering
DICTIONARY = Path(__file__).parent / "data" / "words" / "en"


def did_you_mean(searcher, parsed, text: str) -> str | None:
    """`text` with each word that matches nothing respelled, or None when all words are known."""
    spans = _unknown_words(searcher, parsed)
    if not spans:
        return None
    corrected = text
    changed = False
    for (start, end), fields in sorted(spans.items(), reverse=True):  # right to left: offsets hold
        word = _respell(searcher, fields, text[start:end])
        if word:
            corrected = corrected[:start] + _same_case(word, text[start:end]) + corrected[end:]
            changed = True
    return corrected if changed and corrected != text else None


def _unknown_words(searcher, parsed) -> dict[tuple[int, int], dict[str, str]]:
    """(start, end) in the query text -> {field: term} for words no field of the index holds."""
    from search.vectorized import holds

    spans: dict[tuple[int, int], dict[str, str]] = {}
    known: set[tuple[int, int]] = set()
    for token in _word_tokens(parsed):
        start, end = getattr(token, "startchar", None), getattr(token, "endchar", None)
        if start is None or end is None or token.fieldname not in WORD_FIELDS:
            continue
        if token.text in STOP or holds(searcher, token.fieldname, token.text):  # a stop word is no typo
            known.add((start, end))
        else:
            spans.setdefault((start, end), {})[token.fieldname] = token.text
    return {span: fields for span, fields in spans.items() if span not in known}


def _word_tokens(q):
    """The tokens of the query's terms and phrases (ranges and wildcards have no words to fix)."""
    if not q.is_leaf():
        for child in q.children():
            yield from _word_tokens(child)
    elif isinstance(q, (wq.Term, wq.Phrase)):
        yield from q.tokens()


def _respell(searcher, fields: dict[str, str], typed: str) -> str | None:
    """The closest word, as written in the archive, to the one typed; ties go to the commoner.

    Candidates come from the index terms near the word's own term, but are ranked by how
    far their written form is from what was typed: stems mislead ("brige" is one letter
    from the stem "bribe" but two from "bridg", the stem of "bridge").
    """
    typed = typed.lower()
    ranked: dict[str, tuple[int, int]] = {}

    def consider(word: str | None, field: str, term: str) -> None:
        frequency = searcher.doc_frequency(field, term)
        if word and word != typed and frequency:
            rank = (distance(typed, word), -frequency)
            ranked[word] = min(rank, ranked.get(word, rank))

    words = None
    for field, term in fields.items():
        if not MIN_LENGTH <= len(term) <= MAX_LENGTH:
            continue
        for suggestion in searcher.reader().corrector(field).suggest(term, limit=CANDIDATES, maxdist=2, prefix=1):
            consider(_surface(searcher, field, suggestion), field, suggestion)
        if searcher.schema[field].stored:  # stemmed text: also the dictionary's words ("elecions")
            if words is None:
                words = _dictionary().suggest(typed, limit=CANDIDATES, maxdist=2, prefix=1)
            analyzer = searcher.schema[field].analyzer
            for word in words:
                consider(word, field, next((t.text for t in analyzer(word)), ""))
    best = min(ranked, key=ranked.get, default=None)
    return best if best and ranked[best][0] <= MAX_DISTANCE else None


@lru_cache(maxsize=1)
def _dictionary() -> ListCorrector:
    """English words (search/data/words/en), for typos whose stem is far from the right
    word's stem: "elecions" stems to "elecion", three edits from "elect"."""
    try:
        lines = DICTIONARY.read_text(encoding="utf-8").split()
    except OSError:
        lines = []
    return ListCorrector(sorted({word.lower() for word in lines}))


def _surface(searcher, field: str, term: str) -> str | None:
    """A word as written in an article that analyses to `term` ("elect" -> "elections")."""
    if not searcher.schema[field].stored:
        return term  # names are indexed unstemmed: the term is the word
    postings = searcher.reader().postings(field, term)
    if not postings.is_active():
        return None
    text = searcher.stored_fields(postings.id()).get(field, "")
    analyzer = searcher.schema[field].analyzer
    forms = Counter(
        text[t.startchar : t.endchar].lower()
        for t in analyzer(text, chars=True, mode="index")
        if t.text == term
    )
    return forms.most_common(1)[0][0] if forms else None


def _same_case(word: str, typed: str) -> str:
    """ "Harbour" for a typed "Harbr", "harbour" for "harbr"."""
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word
