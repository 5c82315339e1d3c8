"""The tag rule, the only place it lives: how text becomes a tag, for writes and for filters.

A tag is lower case, with one dash for each run of spaces ("Billing Issue" is `billing-issue`),
starts with a letter or digit and uses letters, digits, '-', '_', '.', ':' (at most 50). Ticket
writes (console, API, inbound), the console's queue filter and the API's `tag` filter all go
through `normalize_tag`, so a tag typed the way it was written always finds its tickets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from supportdesk.errors import ValidationFailed

MAX_TAGS = 20
_TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,49}$")


def normalize_tag(text: str) -> str:
    """Lower case, surrounding space dropped, inner runs of space turned into one dash."""
    return "-".join(text.strip().lower().split())


def is_valid_tag(tag: str) -> bool:
    """Whether a normalized tag obeys the rule."""
    return bool(_TAG_RE.match(tag))


def filter_tag(text: str | None) -> str | None:
    """The tag a filter asks for, normalized; None when the text can be no tag at all."""
    tag = normalize_tag(text or "")
    return tag if is_valid_tag(tag) else None


def parse_tags(tags: str | Iterable[str]) -> list[str]:
    """Normalise tags (comma or line separated text, or a list), refuse malformed ones, drop
    duplicates."""
    raw = re.split(r"[,\n]", tags) if isinstance(tags, str) else list(tags)
    result: list[str] = []
    for text in raw:
        tag = normalize_tag(text)
        if not tag:
            continue
        if not is_valid_tag(tag):
            raise ValidationFailed(
                f"{tag!r} is not a valid tag.",
                {"tags": "Tags use letters, digits, '-', '_', '.', ':' and at most 50 characters."},
            )
        if tag not in result:
            result.append(tag)
    if len(result) > MAX_TAGS:
        raise ValidationFailed("Too many tags.", {"tags": f"Use at most {MAX_TAGS} tags."})
    return result
