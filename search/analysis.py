"""The Whoosh analyzers, built by composition.

One analyzer serves both indexing and query parsing, so a query is analysed like the
text it matches. Whoosh pickles analyzers into the index: keep every name here
importable at this path, or old indexes stop opening.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

# Words joined by apostrophes stay one token ("Afghanistan's", "Taliban’s", "don't");
# hyphens and other punctuation split words ("Soviet-Afghan" -> soviet, afghan).
WORD_PATTERN = r"\w+(?:['’]\w+)*"
_WORD = re.compile(WORD_PATTERN)
# In ASCII text, what is not a word character or an apostrophe separates words.
_ASCII_SPACES = str.maketrans({code: " " for code in range(128) if not (chr(code).isalnum() or chr(code) in "_'")})
DATE_WORD_PATTERN = r"[\w-]+"  # ISO dates ("2024-07") stay whole

# English function words (NLTK's list, 179 words, as FoldFilter leaves them: "don't" ->
# "dont"), and single letters ("U.S." -> u, s); numbers of any length stay. Not stopped,
# though Whoosh's list has them: "us" (the US), "may" (the month). Nor "won" and "don"
# (NLTK has them for "won't" and "don't"). A larger list than Whoosh's: long questions
# ("what is known about...") otherwise match on their question words; CISI MAP .229 -> .236.
FUNCTION_WORDS = """
a about above after again against ain all am an and any are aren arent as at be because been before being
below between both but by can couldn couldnt d did didn didnt do does doesn doesnt doing dont down during
each few for from further had hadn hadnt has hasn hasnt have haven havent having he her here hers herself
him himself his how i if in into is isn isnt it its itself just ll m ma me mightn mightnt more most mustn
mustnt my myself needn neednt no nor not now o of off on once only or other our ours ourselves out over own
re s same shan shant she should shouldve shouldn shouldnt so some such t than that thatll the their theirs
them themselves then there these they this those through to too under until up ve very was wasn wasnt we
were weren werent what when where which while who whom why will with wont wouldn wouldnt y you youd youll
youre youve your yours yourself yourselves
"""
STOP = frozenset(FUNCTION_WORDS.split()) | frozenset("abcdefghijklmnopqrstuvwxyz")



@lru_cache(maxsize=1)
def _snowball():
    """Loaded on first use, and alone: NLTK's package imports most of NLTK as it loads
    (0.4 s of a one-file reindex; SciPy too when installed, another second), and the
    stemmer needs five small modules of it. If NLTK changes so that they do not load
    alone, the whole package is imported instead."""
    if "nltk" not in sys.modules:
        try:
            return _stemmer_alone()
        except Exception:  # noqa: BLE001 - any NLTK that will not load in parts loads whole
            pass
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


def _stemmer_alone():
    """NLTK's English Snowball stemmer, imported with stand-ins for the packages around
    it (nltk, nltk.stem, nltk.corpus), so that their __init__ modules do not run. The
    stand-ins are removed after: a later "import nltk" loads the real package."""
    found = importlib.util.find_spec("nltk")
    if found is None or not found.submodule_search_locations:
        raise ImportError("NLTK is not installed")
    root = Path(found.submodule_search_locations[0])
    standins = {name: ModuleType(name) for name in ("nltk", "nltk.stem", "nltk.corpus")}
    for name, module in standins.items():
        module.__path__ = [str(root.joinpath(*name.split(".")[1:]))]
    standins["nltk.corpus"].stopwords = None  # used only with ignore_stopwords=True
    sys.modules.update(standins)
    try:
        from nltk.stem.snowball import SnowballStemmer

        return SnowballStemmer("english")
    finally:
        for name, module in standins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


WORDS_KEPT = 100_000  # words memoized by stem(): news repeats most of its words, and a rare
# word is rare; every process of a reindex keeps its own memo


@lru_cache(maxsize=WORDS_KEPT)
def stem(word: str) -> str:
    """NLTK's Snowball stemmer, memoized: per call it is slow, and news repeats its words."""
    return _snowball().stem(word)


def fold(word: str) -> str:
    """ "Afghanistan’s" -> "afghanistan", "don't" -> "dont", "José" -> "jose" (already lowercase).
    Not memoized: a memo costs as much time as it saves here, and memory."""
    if not word.isascii():
        word = word.replace("’", "'").translate(accent_map)
    if word.endswith("'s"):
        word = word[:-2]
    return word.replace("'", "")


def index_terms(text: str) -> dict[str, list[int]]:
    """What text_analyzer() gives when it indexes text (term -> positions), without its
    chain of token objects, which took a third of the time Whoosh spent writing an article.
    As its StopFilter numbers them, positions run on from the first word kept."""
    words = _ascii_words(text.lower()) if text.isascii() else [w.lower() for w in _WORD.findall(text)]
    terms = list(map(index_term, words))  # "" for a stop word
    kept = list(filter(None, terms))
    positions: dict[str, list[int]] = {}
    for place, term in enumerate(kept, terms.index(kept[0]) if kept else 0):
        if term in positions:
            positions[term].append(place)
        else:
            positions[term] = [place]
    return positions


def _ascii_words(text: str) -> list[str]:
    """WORD_PATTERN's words in ASCII text, found by string methods in half the time: the
    apostrophes that do not join two words ("'quoted'", "rock''n") become spaces too."""
    spaced = text.translate(_ASCII_SPACES)
    if "'" in spaced:
        spaced = f" {spaced} ".replace("''", " ").replace(" '", " ").replace("' ", " ")
    return spaced.split()


def word_positions(text: str, pattern: str, folding: bool) -> dict[str, list[int]]:
    """What name_analyzer() (folding) or date_analyzer() gives when it indexes text (term
    -> positions), without the token objects. Positions count every word the pattern
    finds, as the tokenizer numbers them."""
    positions: dict[str, list[int]] = {}
    for place, word in enumerate(re.findall(pattern, text)):
        term = fold(word.lower()) if folding else word.lower()
        if term:
            positions.setdefault(term, []).append(place)
    return positions


# Words that Snowball leaves as they are: ASCII without a vowel ("1994", "bbc", "dvds"),
# a fifth of the words a reindex stems, and words that end in a digit ("a320", "mi5").
# Every rule of its English stemmer ends in a vowel or looks for one before the suffix,
# and every suffix it removes or changes ends in a letter.
_UNSTEMMED = re.compile(r"[0-9_b-df-hj-np-tv-xz]+|.*[0-9_]")


@lru_cache(maxsize=WORDS_KEPT)
def index_term(word: str) -> str:
    """A lowercase word as the text analyzer indexes it: folded and stemmed ("" for a stop
    word). Memoized itself, it calls the stemmer without stem()'s memo."""
    folded = fold(word)
    if not folded or folded in STOP:
        return ""
    return folded if _UNSTEMMED.fullmatch(folded) else _snowball().stem(folded)


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
    return RegexTokenizer(DATE_WORD_PATTERN) | LowercaseFilter()
