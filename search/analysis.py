"""The Whoosh analyzers, built by composition.

One analyzer serves both indexing and query parsing, so a query is analysed like the
text it matches. Whoosh pickles analyzers into the index: keep every name here
importable at this path, or old indexes stop opening.
"""
from __future__ import annotations

from functools import lru_cache

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis import STOP_WORDS
from whoosh.support.charset import accent_map

# Words joined by apostrophes stay one token ("Afghanistan's", "Taliban’s", "don't");
# hyphens and other punctuation split words ("Soviet-Afghan" -> soviet, afghan).
WORD_PATTERN = r"\w+(?:['’]\w+)*"

# Whoosh's English stop words, and single letters ("U.S." -> u, s); numbers of any length stay.
STOP = frozenset(STOP_WORDS) | frozenset("abcdefghijklmnopqrstuvwxyz")



@lru_cache(maxsize=1)
def _snowball():
    """Loaded on first use: importing NLTK takes most of a second that a no-op reindex need not pay."""
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


@lru_cache(maxsize=500_000)
def stem(word: str) -> str:
    """NLTK's Snowball stemmer, memoized: per call it is slow, and news repeats its words."""
    return _snowball().stem(word)


@lru_cache(maxsize=500_000)
def fold(word: str) -> str:
    """ "Afghanistan’s" -> "afghanistan", "don't" -> "dont", "José" -> "jose" (already lowercase)."""
    if not word.isascii():
        word = word.replace("’", "'").translate(accent_map)
    if word.endswith("'s"):
        word = word[:-2]
    return word.replace("'", "")


class FoldFilter(Filter):
    """Folds apostrophes, possessives and accents, so every spelling meets the same term."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            if token.text:
                yield token


def text_analyzer():
    """Headline and body text: words, lowercased, accents folded, stop words out, stemmed."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=STOP, minsize=1)
        | StemFilter(stemfn=stem, cachesize=None)
    )


def name_analyzer():
    """Names of people and sources: words without stemming, so "Putin" matches only Putin."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | FoldFilter()
    )


def date_analyzer():
    """Dates as index words: ISO values ("2024-07") stay whole, month names are words."""
    return RegexTokenizer(r"[\w-]+") | LowercaseFilter()
