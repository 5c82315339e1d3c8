"""How a query splits into terms, and each term's tsquery and regular expression."""

from __future__ import annotations

import re

import pytest

from supportdesk.search import terms
from supportdesk.search.terms import Term

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "query, expected",
    [
        pytest.param("refu", [Term("refu", ("refu",))], id="word"),
        pytest.param(
            "Aisha.Bianchi", [Term("aisha.bianchi", ("aisha", "bianchi"))], id="punctuation"
        ),
        pytest.param(
            '"duplicate  charge" card',
            [Term("duplicate charge", ("duplicate", "charge"), True), Term("card", ("card",))],
            id="phrase-and-word",
        ),
        pytest.param('"open ended', [Term("open ended", ("open", "ended"), True)], id="unclosed"),
        pytest.param('!!! "" -- ?', [], id="no-words"),
        pytest.param("a b c d e f g h i j", [Term(c, (c,)) for c in "abcdefgh"], id="at-most-8"),
    ],
)
def test_a_query_splits_into_terms(query, expected):
    assert terms.parse(query) == expected


@pytest.mark.parametrize(
    "query, tsquery",
    [
        pytest.param("refu", "('refu':*)", id="prefix"),
        pytest.param("ab", "('ab')", id="short-word-whole"),
        pytest.param("driftwood-travel", "('driftwood' <-> 'travel':*)", id="hyphenated"),
        pytest.param('"refund request" vip', "('refund' <-> 'request') & ('vip':*)", id="phrase"),
    ],
)
def test_terms_become_a_tsquery(query, tsquery):
    assert terms.tsquery(terms.parse(query)) == tsquery


@pytest.mark.parametrize(
    "query, text, matches",
    [
        pytest.param("refu", "We refunded it", True, id="prefix"),
        pytest.param("efu", "We refunded it", False, id="not-inside-a-word"),
        pytest.param('"refund"', "We refunded it", False, id="quoted-whole-word"),
        pytest.param("driftwood-travel", "at driftwood_travel.example", True, id="any-separator"),
        pytest.param("ab", "the a/b test", False, id="short-whole"),
        pytest.param("a.b", "the a/b test", True, id="short-words-in-a-row"),
    ],
)
def test_a_term_pattern_matches_where_its_tsquery_would(query, text, matches):
    (term,) = terms.parse(query)

    assert bool(re.search(term.pattern(), text)) is matches


@pytest.mark.parametrize(
    "query, like, tag",
    [
        pytest.param("50%_off", "%50\\%\\_off%", "50%_off", id="escaped"),
        pytest.param('"known issue"', "%known issue%", "known-issue", id="tag-dashes"),
    ],
)
def test_like_patterns_are_escaped_and_tags_use_dashes(query, like, tag):
    (term,) = terms.parse(query)

    assert (term.like(), term.tag) == (like, tag)


@pytest.mark.parametrize(
    "query, number",
    [("1042", 1042), ("#7", 7), ("#", None), ("12a", None), ("1234567890", None)],
)
def test_a_number_names_a_ticket(query, number):
    assert terms.number(query) == number
