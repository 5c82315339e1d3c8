"""Markdown written by people (agents' replies and notes, knowledge-base articles) → safe output.

One parser (markdown-it-py, CommonMark with strikethrough; raw HTML in the source is shown as
text, never passed through) and one sanitizer (nh3, an allow-list) serve everything that renders
Markdown, so the rules cannot differ between the console, the email and the knowledge base:

- `to_html`: sanitized HTML: paragraphs and line breaks, bold, italics, strikethrough, lists,
  links (http, https and mailto only; `rel="noopener nofollow"`), inline code and code blocks,
  quotes, headings and rules. Images are dropped (a remote image in an email tracks its reader).
- `to_text`: readable plain text for an email's text part: lists keep their markers, quotes
  their `>`, links show their address in brackets after the text, emphasis marks disappear.
"""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from markupsafe import Markup

TAGS = {
    "p", "br", "strong", "em", "del", "a", "ul", "ol", "li", "code", "pre", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


@functools.cache
def _parser() -> MarkdownIt:
    # `breaks`: a newline in a reply is a line break, as the agent sees it in the textarea.
    return MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("strikethrough")


def to_html(source: str) -> str:
    """The Markdown `source` as sanitized HTML (safe to show and to send as is)."""
    return clean(_parser().render(source or ""))


def as_markup(html: str) -> Markup:
    """Stored rendered HTML, sanitized again as it is shown (a row edited behind our back)."""
    return Markup(clean(html))  # noqa: S704  nh3's allow-list output


def clean(html: str) -> str:
    """`html` reduced to the allow-list: the tags, attributes and link schemes above."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    ).strip()


def to_text(source: str) -> str:
    """The Markdown `source` as readable plain text (an email's text part)."""
    tree = SyntaxTreeNode(_parser().parse(source or ""))
    return "\n\n".join(_block(node) for node in tree.children).strip("\n")


def _block(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind in ("paragraph", "heading"):
        return "".join(_inline(child) for child in node.children)
    if kind in ("fence", "code_block"):
        return _indent(node.content.rstrip("\n"), "    ")
    if kind == "blockquote":
        return _indent("\n\n".join(_block(child) for child in node.children), "> ")
    if kind == "hr":
        return "----"
    if kind in ("bullet_list", "ordered_list"):
        start = int(node.attrs.get("start", 1)) if kind == "ordered_list" else 1
        items = []
        for number, item in enumerate(node.children, start):
            marker = f"{number}. " if kind == "ordered_list" else "- "
            body = "\n".join(_block(child) for child in item.children)
            items.append(marker + _indent(body, " " * len(marker))[len(marker) :])
        return "\n".join(items)
    return "".join(_inline(child) for child in node.children) if node.children else node.content


def _inline(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind in ("text", "code_inline"):
        return node.content
    if kind in ("softbreak", "hardbreak"):
        return "\n"
    if kind == "inline":
        return "".join(_inline(child) for child in node.children)
    if kind == "link":
        text = "".join(_inline(child) for child in node.children)
        href = str(node.attrs.get("href", ""))
        shown = href.removeprefix("mailto:")
        return text if not href or text == shown else f"{text} ({shown})"
    if kind == "image":
        return "".join(_inline(child) for child in node.children)
    return "".join(_inline(child) for child in node.children)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(
        (prefix + line).rstrip() if line else prefix.rstrip() for line in text.split("\n")
    )
