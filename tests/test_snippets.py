"""Snippets: passages around the words the query matched, escaped but for the marks."""
from __future__ import annotations

from conftest import CORPUS

from search.query import parse_query
from search.schema import build_schema
from search.snippets import (
    SCAN_CHARS,
    WORD,
    find_matches,
    mark_all,
    query_terms,
    snippet,
    term_of,
)

SCHEMA = build_schema()


def terms(text: str) -> frozenset[str]:
    return query_terms(parse_query(text, SCHEMA), SCHEMA)


def test_marks_every_form_of_a_query_word():
    text = "The harbours were dredged. Harbour fees rose. Afghanistan’s harbour, and the harbour's cranes."
    marked = mark_all(text, terms("harbour Afghanistan"))
    assert marked.count("<mark>") == 5
    assert "<mark>Afghanistan’s</mark>" in marked and "<mark>harbour's</mark>" in marked


def test_words_under_not_and_stop_words_are_not_marked():
    marked = mark_all("The flood reached the harbour.", terms("flood NOT harbour"))
    assert marked == "The <mark>flood</mark> reached the harbour."
    assert "<mark>" not in mark_all("The end of the day.", terms("the"))


def test_passages_prefer_more_distinct_words_and_keep_text_order():
    filler = "Nothing happened here at all today. " * 20
    text = f"A bridge. {filler}A bridge and a flood barrier. {filler}The flood. {filler}"
    result = snippet(text, terms("bridge flood"), fragments=2)
    passages = result.split(" … ")
    assert len(passages) == 2 and "<mark>bridge</mark> and a <mark>flood</mark>" in passages[1]
    assert passages[0].startswith("A <mark>bridge</mark>.")


def test_text_is_escaped_and_unmatched_articles_show_their_start():
    assert snippet('x <script>alert("harbour")</script> & more', terms("harbour")) == (
        'x &lt;script&gt;alert("<mark>harbour</mark>")&lt;/script&gt; &amp; more'
    )
    assert snippet("<b>Plain</b> text " * 50, terms("harbour")).startswith("&lt;b&gt;Plain&lt;/b&gt; text")


def test_work_per_article_is_capped():
    text = "word " * (SCAN_CHARS // 5) + "harbour"
    assert "<mark>" not in snippet(text, terms("harbour"))


def test_words_are_found_however_the_analyzer_folds_them():
    """Only words that start as a query term does are stemmed: folded accents, an apostrophe
    after the first letter and Snowball's irregular stems must still be found."""
    text = "O’Brien met O'Brien. Müller, in Zürich: dying and lying. Afghanistan’s possibility."
    found = [text[start:end] for start, end, _ in find_matches(text, terms("obrien muller zurich die lie afghanistan possible"))]
    assert found == ["O’Brien", "O'Brien", "Müller", "Zürich", "dying", "lying", "Afghanistan’s", "possibility"]


def test_the_quick_finder_agrees_with_stemming_every_word():
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in sorted(CORPUS.rglob("*")) if path.is_file()]
    assert len(texts) > 20
    for text in texts:
        words = [(m.start(), m.end(), term_of(m.group())) for m in WORD.finditer(text)]
        for step in (3, 7):
            wanted = frozenset(term for _, _, term in words[::step] if term)
            assert find_matches(text, wanted, limit=None) == [word for word in words if word[2] in wanted]


def test_a_term_found_inside_a_word_is_not_marked():
    text = "Portharbour, d'harbour and harbour-side harbours."
    found = [text[start:end] for start, end, _ in find_matches(text, terms("harbour"))]
    assert found == ["harbour", "harbours"]


def test_words_are_found_where_lowercase_letters_are_longer():
    text = "İstanbul harbour, İSTANBUL HARBOURS"
    found = [text[start:end] for start, end, _ in find_matches(text, terms("harbour istanbul"))]
    assert found == ["harbour", "HARBOURS"]  # "İ" lowercases to "i" and a dot: not the term istanbul
