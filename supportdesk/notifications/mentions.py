"""`@handle` mentions in internal notes: the syntax, who a handle names, and its highlight.

An agent's handle is the local part of their email (`@maria` for maria@acme.example), lower-cased.
When two agents of the organization share a local part, neither has it: each is mentioned by the
whole address (`@maria@acme.example`), which always works too. A handle names only an active agent
of the note's own organization; anything else (an unknown name, an email address written in the
text, a handle inside a code span or block) is plain text and notifies nobody.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup

from supportdesk import markdown
from supportdesk.accounts.models import User
from supportdesk.extensions import db

# `@` not glued to a word or an address before it (so bob@example.com is no mention), then a local
# part, then optionally a whole address's domain.
MENTION = re.compile(
    r"(?<![\w@.+\-/])@([a-z0-9](?:[a-z0-9._+\-]*[a-z0-9_])?(?:@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+)?)",
    re.IGNORECASE,
)
# Fenced code blocks, then inline code spans (Markdown): mentions inside them are examples.
CODE = re.compile(r"(^|\n)(```|~~~).*?(\n\2[^\n]*(?=\n|$)|$)|`[^`\n]+`", re.DOTALL)


@dataclass(frozen=True)
class Mentionable:
    """An agent who can be mentioned, with the handle the autocomplete inserts."""

    user_id: int
    name: str
    email: str
    handle: str


def _segments(text: str) -> list[tuple[str, bool]]:
    """The text cut into (piece, is_code) pieces, in order."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in CODE.finditer(text):
        start = match.start() + len(match.group(1) or "")
        pieces.append((text[at:start], False))
        pieces.append((text[start : match.end()], True))
        at = match.end()
    pieces.append((text[at:], False))
    return [p for p in pieces if p[0]]


def parse(text: str) -> list[str]:
    """The handles mentioned in `text`, lower-cased, each once, in order of first appearance."""
    found: list[str] = []
    for piece, code in _segments(text or ""):
        if code:
            continue
        for match in MENTION.finditer(piece):
            handle = match.group(1).lower()
            if handle not in found:
                found.append(handle)
    return found


def mentionable(organization_id: int) -> list[Mentionable]:
    """The organization's active agents with their handles, by name (one query)."""
    rows = db.session.execute(
        sa.select(User.id, User.name, User.email)
        .where(User.organization_id == organization_id, User.active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    locals_ = Counter(email.split("@", 1)[0].lower() for _, _, email in rows)
    people = []
    for user_id, name, email in rows:
        local = email.split("@", 1)[0].lower()
        handle = local if locals_[local] == 1 else email.lower()
        people.append(Mentionable(user_id, name, email, handle))
    return people


def handles(people: list[Mentionable]) -> dict[str, int]:
    """Every handle that names one of `people` (their own, and their whole address) → user id."""
    names: dict[str, int] = {}
    for person in people:
        names[person.email.lower()] = person.user_id
        names[person.handle] = person.user_id
    return names


def mentioned_ids(organization_id: int, text: str) -> list[int]:
    """The ids of the organization's active agents `text` mentions, each once, in order."""
    wanted = parse(text)
    if not wanted:
        return []
    names = handles(mentionable(organization_id))
    ids: list[int] = []
    for handle in wanted:
        user_id = names.get(handle)
        if user_id is not None and user_id not in ids:
            ids.append(user_id)
    return ids


def highlight(text: str, names: dict[str, int] | frozenset[str] | set[str]) -> Markup:
    """`text` escaped, with each mention of a known handle wrapped in `<span class="mention">`."""
    out = Markup("")
    for piece, code in _segments(text or ""):
        if code:
            out += piece  # Markup + str escapes the str
            continue
        at = 0
        for match in MENTION.finditer(piece):
            if match.group(1).lower() not in names:
                continue
            out += piece[at : match.start()]
            out += Markup('<span class="mention">{}</span>').format(match.group(0))
            at = match.end()
        out += piece[at:]
    return out


# A tag of sanitized HTML, and the elements whose text is never a mention (code, links).
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")
_NOT_MENTIONS = frozenset({"code", "pre", "a"})


def highlight_html(html: str, names: dict[str, int] | frozenset[str] | set[str]) -> Markup:
    """A note's sanitized HTML (its Markdown rendering) with each mention of a known handle in
    its text — outside code and links — wrapped in `<span class="mention">`. The HTML is put
    through the Markdown module's allow-list first; a handle's characters need no escaping."""
    out: list[str] = []
    inside = 0
    for part in _TAG.split(markdown.clean(str(html or ""))):
        if part.startswith("<"):
            name = _TAG_NAME.match(part)
            if name and name.group(1).lower() in _NOT_MENTIONS and not part.endswith("/>"):
                inside = max(0, inside + (-1 if part.startswith("</") else 1))
            out.append(part)
        elif inside:
            out.append(part)
        else:
            out.append(
                MENTION.sub(
                    lambda m: (
                        f'<span class="mention">{m.group(0)}</span>'
                        if m.group(1).lower() in names
                        else m.group(0)
                    ),
                    part,
                )
            )
    return Markup("".join(out))  # noqa: S704  allow-listed HTML, spans around handle text
