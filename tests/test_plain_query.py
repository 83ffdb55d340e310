"""Plain word queries are built without Whoosh's parser: the query built must be the
parser's, node for node, offsets and boosts included."""
from __future__ import annotations

import random
import re

import pytest
from whoosh import query as wq

from search.query import parse_query, parser, plain_query, tidy, tighten_or_groups
from search.ranking import rank_query
from search.schema import BOOSTS, build_schema

SCHEMA = build_schema()
WORDS = [
    "harbour", "Harbour", "dredging", "police", "Police", "the", "The", "of", "a", "x", "I", "us", "may",
    "March", "2024", "1999", "covid19", "B52", "running", "runs", "ran", "elections", "Obama", "obama",
    "and", "or", "not", "And", "Or", "Not", "to", "TO", "be", "fire", "fires", "u", "s", "won", "don", "ab",
    "cd", "xyz", "7", "42", "Okafor", "derby", "flood", "gales", "strike", "strikes", "striking", "bridge",
    "closure", "dying", "lies",
]


def by_parser(text: str, boosts: dict[str, float] = BOOSTS) -> wq.Query:
    return tighten_or_groups(rank_query(parser(SCHEMA, boosts).parse(tidy(text), normalize=False)))


def same_tree(a, b) -> bool:
    """Same classes and the same attributes all the way down (offsets too, which == ignores)."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_tree(x, y) for x, y in zip(a, b))
    if not isinstance(a, wq.Query):
        return a == b
    if type(a) is not type(b) or vars(a).keys() != vars(b).keys():
        return False
    return all(same_tree(vars(a)[name], vars(b)[name]) for name in vars(a))


def queries(count: int) -> list[str]:
    rng = random.Random(7)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))) for _ in range(count)]


@pytest.mark.parametrize("text", WORDS + queries(400) + ["police police", "  fire  police ", "fire fire fire"])
def test_plain_words_are_built_as_the_parser_builds_them(text):
    built = plain_query(text, SCHEMA, BOOSTS)
    if built is None:  # operators are left to the parser
        assert set(text.split()) & {"AND", "OR", "NOT", "TO"}
        return
    expected = by_parser(text)
    assert repr(built) == repr(expected)
    assert same_tree(built, expected)


def test_the_same_holds_with_other_boosts():
    boosts = {"title": 3.0, "body": 1.0, "people": 1.0}
    for text in queries(50):
        built = plain_query(text, SCHEMA, boosts)
        assert built is None or same_tree(built, by_parser(text, boosts))


@pytest.mark.parametrize("text", [
    '"harbour dredging"', "harbour AND fire", "NOT fire", "title:bridge", "harb*", "wom?n", "drough~",
    "bridge^3", "shock-induced", "O'Brien", "café", "(fire)", "fire\tpolice", "fire,", "",
])
def test_anything_else_goes_to_the_parser(text):
    assert plain_query(text, SCHEMA, BOOSTS) is None


def test_parse_query_uses_it_for_plain_words():
    assert same_tree(parse_query("Police fire police", SCHEMA), by_parser("Police fire police"))
    assert re.search(r"boost=2\.0", repr(parse_query("Police fire police", SCHEMA)))
