"""API v1 schemas of canned replies and macros (see supportdesk.api.schemas for the rules).

Canned text is checked by the document itself: its pattern is the placeholder grammar of
supportdesk.macros.placeholders, so a text the schema accepts is a text the service stores.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

from supportdesk.api.schemas import (
    AgentRef,
    Id,
    IdPageQuery,
    Input,
    Output,
    Tag,
    TeamRef,
    Text,
    _storable,
)
from supportdesk.macros.placeholders import EXAMPLES, PATTERN
from supportdesk.tickets.models import MessageKind, Priority, Status

_PLACEHOLDERS = "Placeholders: " + ", ".join(EXAMPLES) + "; no other Jinja syntax."
# The grammar, and (for a reply's text) at least one character that is not white space.
_NOT_BLANK_TEXT = r"^(?=[\s\S]*\S)" + PATTERN.removeprefix("^")


def _canned(pattern: str, min_length: int) -> object:
    return Annotated[
        str,
        Field(
            min_length=min_length, max_length=100_000, pattern=pattern, description=_PLACEHOLDERS
        ),
        AfterValidator(_storable),
    ]


class TextInput(Input):
    """An input holding canned text: Python's regex engine reads the grammar's look-aheads."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


ReplyText = _canned(_NOT_BLANK_TEXT, 1)
MacroText = _canned(PATTERN, 0)


class CannedReply(Output):
    """A canned reply: shared with the organization (`shared`), or personal to its owner."""

    id: int
    title: str
    body: str = Field(description="The text with its placeholders, as stored.")
    shared: bool
    owner_id: int | None = Field(description="The agent whose personal reply it is; null: shared.")
    rendered: str | None = Field(
        default=None,
        description="The text with placeholders filled in for the `ticket` the list was asked "
        "for; null otherwise.",
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class CannedReplyPage(Output):
    """A page of canned replies, oldest first; pass `next_cursor` back as `cursor`."""

    data: list[CannedReply]
    next_cursor: str | None


class CannedReplyListQuery(IdPageQuery):
    """Search and paging for canned replies."""

    q: Text(200) | None = Field(
        default=None, description="Words that must all appear in the title or text."
    )
    ticket: Id | None = Field(
        default=None, description="A ticket number: fill in `rendered` for that ticket."
    )
    limit: int = Field(default=50, ge=1, le=100)


class CannedReplyCreate(TextInput):
    """A new canned reply; `shared` ones need a senior agent or an admin."""

    title: Text(200, 1, blank=False)
    body: ReplyText
    shared: bool = False


class CannedReplyUpdate(TextInput):
    """Fields to change; those left out stay as they are."""

    title: Text(200, 1, blank=False) | None = None
    body: ReplyText | None = None
    shared: bool | None = None


class Macro(Output):
    """A macro: a name and the actions applying it takes (null or empty: not touched)."""

    id: int
    name: str
    reply_body: str = Field(description="Text added to the ticket (empty: none).")
    reply_kind: MessageKind = Field(description="The text goes out as a public reply or a note.")
    status: Status | None
    priority: Priority | None
    assignee: AgentRef | None
    team: TeamRef | None
    add_tags: list[str]
    remove_tags: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class MacroPage(Output):
    """A page of macros, oldest first; pass `next_cursor` back as `cursor`."""

    data: list[Macro]
    next_cursor: str | None


class MacroListQuery(IdPageQuery):
    """Paging for macros."""

    limit: int = Field(default=50, ge=1, le=100)


_AGENT = "An active agent (404 if unknown, 409 if they cannot take tickets)."


class MacroCreate(TextInput):
    """A new macro (senior agents and admins). Actions left out are not applied."""

    name: Text(120, 1, blank=False)
    reply_body: MacroText = ""
    reply_kind: MessageKind = MessageKind.INTERNAL
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: Id | None = Field(default=None, description=_AGENT)
    team_id: Id | None = Field(default=None, description="A team (404 if unknown).")
    add_tags: list[Tag] = Field(default_factory=list, max_length=20)
    remove_tags: list[Tag] = Field(default_factory=list, max_length=20)


class MacroUpdate(TextInput):
    """Fields to change; those left out stay as they are; `null` clears an action."""

    name: Text(120, 1, blank=False) | None = None
    reply_body: MacroText | None = None
    reply_kind: MessageKind | None = None
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: Id | None = Field(default=None, description=_AGENT)
    team_id: Id | None = Field(default=None, description="A team (404 if unknown).")
    add_tags: list[Tag] | None = Field(default=None, max_length=20)
    remove_tags: list[Tag] | None = Field(default=None, max_length=20)


class MacroApply(Input):
    """Apply a macro against the ticket version you read (or send `If-Match`)."""

    version: Id | None = Field(
        default=None, description="The version you read; a stale one is refused with 409."
    )
