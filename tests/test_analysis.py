"""The stemmer is NLTK's, loaded without the rest of NLTK; the indexing's quick analysis is the analyzer's,
and its quick date terms are Whoosh's."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from whoosh.fields import DATETIME, ID, KEYWORD, TEXT

from conftest import shared_path
from search.indexer import _read_one
from search.schema import build_schema

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

CHECK = """
import re, sys
from pathlib import Path
from search.analysis import stem
words = sorted({w.lower() for f in Path(sys.argv[1]).rglob("*") if f.is_file()
                for w in re.findall(r"[A-Za-z]+", f.read_text(errors="ignore"))})
light = [stem(w) for w in words]
loaded = sorted(name for name in sys.modules if name.startswith("nltk"))
import nltk
from nltk.stem.snowball import SnowballStemmer
whole = SnowballStemmer("english")
assert light == [whole.stem(w) for w in words]
assert "nltk.corpus.reader" not in loaded and "nltk.stem.snowball" in loaded, loaded
assert type(nltk.corpus.stopwords).__name__ == "LazyCorpusLoader"  # the real package after
print(len(words))
"""


def test_the_stemmer_loads_alone_and_stems_as_nltk_does():
    done = subprocess.run([sys.executable, "-c", CHECK, str(CORPUS)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 1000  # words of the sample corpus compared


def test_snowball_leaves_ascii_words_without_a_vowel_or_ending_in_a_digit_as_they_are():
    """What lets index_term skip the stemmer for them."""
    from itertools import product

    from search.analysis import _UNSTEMMED, _snowball

    letters = "bcdfghjklmnpqrstvwxz019_"
    words = ["".join(w) for n in range(1, 4) for w in product(letters, repeat=n)]
    words += [w + end for w in words[: len(letters) ** 2] for end in ("s", "ss", "sss", "lls", "ll", "ed", "ly")]
    suffixes = ("ies", "sses", "ational", "ization", "fulness", "ement", "ing", "edly", "y", "e", "é", "ye")
    words += [f"{stem}{suffix}{end}" for stem in ("gener", "run", "happ", "news", "sky", "a", "ö")
              for suffix in suffixes for end in ("1", "9", "0", "_", "1s", "3rd")]
    skipped = [w for w in words if _UNSTEMMED.fullmatch(w)]
    assert len(skipped) > 15_000 and not _UNSTEMMED.fullmatch("cds's") and not _UNSTEMMED.fullmatch("sky")
    assert _UNSTEMMED.fullmatch("happies9") and not _UNSTEMMED.fullmatch("a320s")
    stemmer = _snowball()
    assert [w for w in skipped if stemmer.stem(w) != w] == []


def indexed_both_ways(texts: list[str]) -> None:
    """The body field's quick index() gives what Whoosh's, running the analyzer, gives."""
    body = build_schema()["body"]
    for text in texts:
        assert sorted(body.index(text)) == sorted(TEXT.index(body, text)), text[:80]


def test_quick_indexing_analyses_as_the_analyzer():
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in sorted(CORPUS.rglob("*")) if f.is_file()]
    texts += ["The the THE", "Afghanistan’s Taliban's don't O'Brien", "İstanbul and Zürich, José's café",
              "U.S. 2024-25 co-operation ½ ２０２４ naïve", "", "   ", "a an the",
              "BBC's DVDs: 1990s, 3rd, 4th mph html nth TVs' xxl SSS 8mm",
              " ".join(f"w{n}" for n in range(5000)) + " w4999 tide"]  # places past those kept encoded
    indexed_both_ways(texts)


def test_quick_indexing_splits_words_at_apostrophes_as_the_analyzer():
    """ASCII text is split into words without the word pattern: quotes, runs of apostrophes."""
    import random

    rng = random.Random(20261129)
    texts = ["'quoted' rock''n'roll ''' a'b'c '' x' 'y don't", "'", "''a", "b''", "O'Brien's 'ere"]
    texts += ["".join(rng.choice("ab1_' .,-'\nA\"") for _ in range(rng.randrange(1, 16))) for _ in range(3000)]
    indexed_both_ways(texts)


def test_quick_indexing_on_real_news():
    files = sorted(shared_path("corpora", "bbc").rglob("*.txt"))
    indexed_both_ways([f.read_text(encoding="utf-8", errors="replace") for f in files[::5]])


def test_a_date_is_indexed_as_whoosh_indexes_it():
    published = build_schema()["published"]
    dates = [datetime(2024, 7, 11, 9, 30), datetime(1987, 3, 26, 10, 41, 1, 250), datetime(1901, 1, 1),
             datetime(2024, 7, 11, 9, 30, tzinfo=timezone.utc), datetime(1969, 12, 31, 23, 59, 59, 999999), datetime.max]
    for value in dates:
        assert published.index(value) == list(DATETIME.index(published, value)), value
    assert list(published.index("2024-07-11")) == list(DATETIME.index(published, "2024-07-11"))  # not a datetime: Whoosh's way


def test_names_and_date_words_are_indexed_as_their_analyzers_index_them():
    schema = build_schema()
    documents = [d for p in sorted(CORPUS.rglob("*")) if p.is_file() for d in _read_one((p, str(p), "", None, None, None, True))[3]]
    names = ["Vladimir Putin\nMr O'Brien", "José Ortega y Gasset\nAfghanistan’s Hamid Karzai", "İlkay Gündoğan\nDonald Trump Jr.",
             "Kim In-so\n\nX", "", "Ñ ñ ß", "a a a b"]
    dates = ["2024-07 2024 july", "2024-07-11 2024-07 2024 july 1987", "1990s -- 2024-25", "", "MAY may"]
    for name, values in (("people", names), ("dates", dates)):
        field = schema[name]
        for value in values + [d[name] for d in documents]:
            assert sorted(field.index(value)) == sorted(TEXT.index(field, value)), value
    assert sum(1 for d in documents if d["people"]) > 20 and sum(1 for d in documents if d["dates"]) > 20


def test_ids_and_keywords_are_indexed_as_whoosh_indexes_them():
    schema = build_schema()
    values = ["", " ", "reuters", "Reuters, AP", "  Vladimir Putin , Donald Trump,,Vladimir Putin ", ",", "a,A, a ",
              "İstanbul Wire", "bbc/business/001.txt", "9c1f0e2a7b", "with\nnewline, and\ttab"]
    for name in ("id", "file", "content_hash", "person", "source"):
        field = schema[name]
        generic = KEYWORD.index if isinstance(field, KEYWORD) else ID.index
        for value in values:
            assert sorted(field.index(value)) == sorted(generic(field, value)), (name, value)
