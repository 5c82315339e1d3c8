"""Slugs of articles and categories: the readable last part of a help center address."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 140
PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG = re.compile(PATTERN)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str) -> str:
    """`text` as a slug: ASCII letters and digits joined by dashes ("Über uns" → "uber-uns")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_WORD.sub("-", ascii_text.lower()).strip("-")[: MAX_SLUG - 4].strip("-")
    return slug or fallback


def is_valid(slug: str) -> bool:
    """Whether `slug` is one `slugify` could make (lower-case words joined by single dashes)."""
    return len(slug) <= MAX_SLUG and bool(_SLUG.match(slug))


def free(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`… whichever is not taken."""
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"
