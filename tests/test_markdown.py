"""supportdesk.markdown: Markdown → sanitized HTML, and → readable text, for a table of inputs."""

from __future__ import annotations

import pytest

from supportdesk.markdown import as_markup, to_html, to_text

HTML_CASES = [
    pytest.param(
        "**bold** and _it_", "<p><strong>bold</strong> and <em>it</em></p>", id="emphasis"
    ),
    pytest.param("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>", id="bullet-list"),
    pytest.param(
        "3. three\n4. four",
        '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>',
        id="ordered-list",
    ),
    pytest.param(
        "[docs](https://example.com/a?b=1)",
        '<p><a href="https://example.com/a?b=1" rel="noopener nofollow">docs</a></p>',
        id="link-gets-rel",
    ),
    pytest.param("`x < y`", "<p><code>x &lt; y</code></p>", id="inline-code-escaped"),
    pytest.param("```\n<b>\n```", "<pre><code>&lt;b&gt;\n</code></pre>", id="code-block-escaped"),
    pytest.param("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>", id="quote"),
    pytest.param("line one\nline two", "<p>line one<br>\nline two</p>", id="newline-is-a-break"),
]

XSS_CASES = [
    pytest.param(
        "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", id="script"
    ),
    pytest.param(
        '<img src=x onerror="alert(1)">',
        '<p>&lt;img src=x onerror="alert(1)"&gt;</p>',
        id="img-onerror",
    ),
    pytest.param("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>", id="javascript"),
    pytest.param("[x](JaVaScRiPt:alert(1))", "<p>[x](JaVaScRiPt:alert(1))</p>", id="mixed-case"),
    pytest.param(
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>",
        id="data-url",
    ),
    pytest.param("[x](vbscript:msgbox(1))", "<p>[x](vbscript:msgbox(1))</p>", id="vbscript"),
    pytest.param(
        '[x](https://a.example "t\\" onmouseover=\\"alert(1))',
        '<p>[x](https://a.example "t" onmouseover="alert(1))</p>',
        id="title-breakout",
    ),
    pytest.param(
        "[x](java&#x09;script:alert(1))",
        '<p><a href="java%09script:alert(1)" rel="noopener nofollow">x</a></p>',
        id="entity-in-scheme-is-a-harmless-relative-link",
    ),
    pytest.param("![pixel](https://tracker.example/p.gif)", "<p></p>", id="remote-image-dropped"),
    pytest.param(
        "<a href='https://a.example' onclick='x()'>a</a>",
        "<p>&lt;a href='https://a.example' onclick='x()'&gt;a&lt;/a&gt;</p>",
        id="raw-anchor",
    ),
    pytest.param("<!-- secret -->", "<p>&lt;!-- secret --&gt;</p>", id="comment"),
    pytest.param(
        "<iframe src=https://evil.example></iframe>",
        "<p>&lt;iframe src=https://evil.example&gt;&lt;/iframe&gt;</p>",
        id="iframe",
    ),
]


@pytest.mark.parametrize(("source", "html"), HTML_CASES)
def test_markdown_renders_to_the_allowed_html(source, html):
    assert to_html(source) == html


@pytest.mark.parametrize(("source", "html"), XSS_CASES)
def test_attacks_come_out_as_harmless_text(source, html):
    assert to_html(source) == html


def test_raw_html_in_the_source_is_shown_as_text():
    assert to_html("<b>raw</b>") == "<p>&lt;b&gt;raw&lt;/b&gt;</p>"


def test_stored_html_is_sanitized_again_when_shown():
    tampered = '<p onclick="x()">hi<script>alert(1)</script><a href="javascript:x">l</a></p>'
    assert str(as_markup(tampered)) == '<p>hi<a rel="noopener nofollow">l</a></p>'


TEXT_CASES = [
    pytest.param("**bold** and _it_", "bold and it", id="emphasis-marks-go"),
    pytest.param("- one\n- two", "- one\n- two", id="bullets-stay"),
    pytest.param("1. one\n2. two", "1. one\n2. two", id="numbers-stay"),
    pytest.param("- a\n  - b", "- a\n  - b", id="nested-list-indented"),
    pytest.param(
        "[docs](https://example.com)", "docs (https://example.com)", id="link-shows-address"
    ),
    pytest.param("<https://example.com>", "https://example.com", id="autolink-once"),
    pytest.param("[Lee](mailto:lee@example.com)", "Lee (lee@example.com)", id="mailto"),
    pytest.param("> a\n> b", "> a\n> b", id="quote-keeps-marker"),
    pytest.param("```\nx = 1\n```", "    x = 1", id="code-indented"),
    pytest.param("Hi\n\nBye", "Hi\n\nBye", id="paragraphs"),
    pytest.param("<b>raw</b>", "<b>raw</b>", id="raw-html-kept-as-text"),
]


@pytest.mark.parametrize(("source", "text"), TEXT_CASES)
def test_markdown_becomes_readable_text(source, text):
    assert to_text(source) == text
