"""Safe highlighting: escape the text first, then mark the matches — never render user text raw.

PostgreSQL's ts_headline (and the SQLite fallback) wrap matches in two private-use characters
that are first removed from the text itself, so after HTML-escaping the only markup that can
appear is the <mark> elements we put there.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

START, STOP = "\ue000", "\ue001"
_SENTINELS = re.compile(f"[{START}{STOP}]")


def strip_sentinels(text: str) -> str:
    """The text without our two marker characters (so user text can never forge a mark)."""
    return _SENTINELS.sub("", text)


def to_markup(marked: str) -> Markup:
    """Text with sentinel-delimited matches as HTML: escaped, matches in <mark>."""
    escaped = str(escape(marked))
    return Markup(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704


def mark_terms(text: str, terms: list[str]) -> str:
    """Wrap case-insensitive occurrences of `terms` in sentinels (the SQLite fallback)."""
    text = strip_sentinels(text)
    if not terms:
        return text
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    return pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", text)


def excerpt(text: str, terms: list[str], *, width: int = 160) -> str:
    """A window of `text` around the first match of any term, with the matches marked."""
    text = " ".join(strip_sentinels(text).split())
    lowered = text.lower()
    positions = [p for p in (lowered.find(t.lower()) for t in terms) if p >= 0]
    start = max(min(positions) - width // 3, 0) if positions else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(start + width, len(text))
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    window = text[start:end]
    return ("… " if start else "") + mark_terms(window, terms) + (" …" if end < len(text) else "")
