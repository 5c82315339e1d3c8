"""Highlighting escapes user text first and only then marks the matches."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from supportdesk.search import highlight
from supportdesk.search.highlight import START, STOP

pytestmark = pytest.mark.unit


def test_markup_escapes_the_text_and_marks_only_the_sentinels():
    html = highlight.to_markup(f"<b>a</b> {START}kerberos{STOP} & more")

    assert isinstance(html, Markup)
    assert str(html) == "&lt;b&gt;a&lt;/b&gt; <mark>kerberos</mark> &amp; more"


def test_sentinels_in_user_text_are_removed_before_marking():
    assert highlight.mark_terms(f"x{START}y{STOP} vpn", ["vpn"]) == f"xy {START}vpn{STOP}"


@pytest.mark.parametrize(
    "terms, expected",
    [
        pytest.param(["VPN"], f"My {START}vpn{STOP} is down", id="case-insensitive"),
        pytest.param([], "My vpn is down", id="no-terms"),
        pytest.param(["is", "is down"], f"My vpn {START}is down{STOP}", id="longest-first"),
    ],
)
def test_mark_terms(terms, expected):
    assert highlight.mark_terms("My vpn is down", terms) == expected


def test_excerpt_is_a_window_around_the_first_match():
    text = " ".join(f"word{i}" for i in range(100)) + " kerberos " + "tail " * 50

    snippet = highlight.excerpt(text, ["kerberos"], width=80)

    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert f"{START}kerberos{STOP}" in snippet
    assert len(snippet) < 100


def test_excerpt_of_short_text_without_a_match_is_the_text():
    assert highlight.excerpt("Short  text", ["nothing"]) == "Short text"
