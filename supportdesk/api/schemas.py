"""Request and response schemas of API v1 (pydantic v2). They validate, serialize and document.

Inputs refuse unknown fields. Limits the database imposes (text without NUL characters, 32-bit
ids, sizes) are checked here so that no input reaches PostgreSQL that it would refuse; business
rules (assignable agents, transitions) stay in the services.

The document promises no input the server refuses (schemathesis's positive-data check holds
it to that): every rule a syntactically valid value can break is either written into the schema
as a pattern the validator shares (NUL, blank text, tags, email domains, URLs, cursors), or is a
fact about stored rows answered 404/409 (an unknown agent, a taken email), never a 422.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from supportdesk.accounts.models import AssignmentStrategy, Role
from supportdesk.customers.models import Tier
from supportdesk.params import INT4_MAX
from supportdesk.tickets.cursors import CURSOR_PATTERN
from supportdesk.tickets.models import Channel, EventKind, MessageKind, Priority, Status
from supportdesk.webhooks.models import EVENT_TYPES

MAX_ID = INT4_MAX  # ids and numbers are PostgreSQL integers


# JSON Schema (ECMA 262) patterns of the document; the validators below check the same rules.
NO_NUL = r"^[^\u0000]*$"
NOT_BLANK = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"  # services strip text: a space alone is empty
TAG = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,49}$"  # supportdesk.tickets.tags, upper case allowed


_NOT_BLANK = re.compile(NOT_BLANK)


def _not_blank(value: str) -> str:
    # The document's pattern, read by Python's `re` as schemathesis reads it (same \s).
    if not _NOT_BLANK.search(value):
        raise ValueError("must contain more than white space")
    return value


def _special_use_domains() -> str:
    # Written case by case: ECMA patterns have no inline (?i).
    names = "|".join(
        "".join(f"[{c.upper()}{c}]" if c.isalpha() else c for c in name)
        for name in SPECIAL_USE_DOMAIN_NAMES
    )
    return rf"^(?![^@]*@([^@]*\.)?({names})$)[^\u0000]*$"


def _integral(value: Any) -> Any:
    # JSON Schema counts 724.0 as an integer; strict pydantic would not.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _storable(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and lone surrogates cannot be encoded as UTF-8.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text(value: Any) -> Any:
    # pydantic would also read "0.5" as a Unix time; the document promises ISO 8601 text.
    if isinstance(value, str) and not _ISO_DATETIME.match(value):
        raise ValueError("must be an ISO 8601 date-time with a zone, e.g. 2026-11-25T09:00:00Z")
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is out of range") from None


def Text(max_length: int, min_length: int = 0, *, blank: bool = True) -> Any:  # noqa: N802
    """A string type with length bounds that the database can store; `blank=False` also
    refuses text that is only white space (the services strip it to nothing)."""
    bounds = Field(
        min_length=min_length,
        max_length=max_length,
        json_schema_extra={"pattern": NO_NUL if blank else NOT_BLANK},
    )
    if blank:
        return Annotated[str, bounds, AfterValidator(_storable)]
    return Annotated[str, bounds, AfterValidator(_storable), AfterValidator(_not_blank)]


Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_integral)]
# An address the customers service accepts: email syntax, and no special-use domain (`.test`,
# `.local`, …), which email_validator refuses as undeliverable.
Email = Annotated[
    str,
    Field(
        min_length=1,
        max_length=254,
        json_schema_extra={"format": "email", "pattern": _special_use_domains()},
    ),
    AfterValidator(_storable),
]
Tag = Annotated[
    str,
    Field(min_length=1, max_length=50, pattern=TAG),
    AfterValidator(_storable),
]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_utc)]


class Input(BaseModel):
    """Base of request schemas: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """Base of response schemas: built from model objects' attributes."""

    model_config = ConfigDict(from_attributes=True)


# -- errors ---------------------------------------------------------------------------------


class ErrorDetail(Output):
    """What went wrong: a stable code, a sentence, and the offending fields (path → problem)."""

    code: str = Field(examples=["validation_failed"])
    message: str
    fields: dict[str, str] = Field(
        description="Offending inputs by path (`subject`, `tags.0`, `If-Match`); may be empty."
    )


class Error(Output):
    """Every error answer of the API has this shape."""

    error: ErrorDetail


# -- references -----------------------------------------------------------------------------


class CustomerRef(Output):
    """A customer, in brief."""

    id: int
    email: str
    name: str


class AgentRef(Output):
    """An agent, in brief."""

    id: int
    name: str
    email: str


class TeamRef(Output):
    """A team, in brief."""

    id: int
    name: str


class Author(Output):
    """Who wrote a message or made a change: an agent, a customer, or the system."""

    type: Literal["agent", "customer", "system"]
    id: int | None
    name: str


# -- tickets --------------------------------------------------------------------------------


class Ticket(Output):
    """A ticket. `number` is its address in the API (`/tickets/{number}`); `version` its edit lock."""

    id: int
    number: int
    subject: str
    status: Status
    priority: Priority
    channel: Channel
    customer: CustomerRef
    assignee: AgentRef | None
    team: TeamRef | None
    tags: list[str]
    custom_fields: dict[str, Any] = Field(
        description="Custom field values by key; a field without a value is absent."
    )
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    version: int = Field(description="Send it back as `If-Match` or `version` when updating.")
    merged_into: int | None = Field(
        default=None,
        validation_alias="merged_into_number",
        description="The number of the ticket this one was merged into (it is closed and its "
        "conversation is there); null for a ticket that was not merged.",
    )


class TicketPage(Output):
    """A page of tickets; pass `next_cursor` as `cursor` for the next one (null: last page)."""

    data: list[Ticket]
    next_cursor: str | None


# -- files ---------------------------------------------------------------------------------


# Standard base64 with padding (RFC 4648 section 4): exactly what b64decode accepts.
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class AttachmentIn(Input):
    """A file sent with a message, its bytes in base64 (the size limits apply to the bytes)."""

    filename: Text(255, 1, blank=False)
    content_type: Text(100) = Field(
        default="",
        description="The file's media type; empty: guessed from the name. An image type "
        "whose bytes are not that image is stored as application/octet-stream.",
    )
    content_base64: Annotated[str, Field(min_length=4, pattern=BASE64)] = Field(
        description="The file's bytes, standard base64 with padding."
    )
    inline: bool = Field(
        default=False,
        description="Show it in the message: the email's HTML part shows it by cid:. Only "
        "PNG, JPEG, GIF and WebP images are shown; any other file is attached as usual.",
    )


ATTACHMENTS_FIELD = Field(
    default_factory=list,
    max_length=20,
    description="Files, base64 in the JSON body (limits per file and per message: "
    "`SUPPORTDESK_ATTACHMENT_MAX_FILE_BYTES`, `SUPPORTDESK_ATTACHMENT_MAX_MESSAGE_BYTES`).",
)


class TicketCreate(Input):
    """A new ticket on behalf of a customer (found by email, or created)."""

    subject: Text(300, 1, blank=False)
    body: Text(100_000, 1, blank=False) = Field(
        description="The customer's request: the first message."
    )
    customer_email: Email
    customer_name: Text(200) = ""
    priority: Priority = Priority.MEDIUM
    assignee_id: Id | None = Field(
        default=None, description="An active agent (404 if unknown, 409 if they cannot take it)."
    )
    team_id: Id | None = Field(default=None, description="A team (404 if unknown).")
    tags: list[Tag] = Field(
        default_factory=list, max_length=20, description="Tags; upper case is stored lower case."
    )
    attachments: list[AttachmentIn] = ATTACHMENTS_FIELD
    custom_fields: dict[str, Any] = Field(
        default_factory=dict,
        max_length=100,
        description="Custom field values by key (see `/custom-fields`); an invalid value is "
        "refused with 422 and a key with no field with 404, naming `custom_fields.<key>`.",
    )


class TicketUpdate(Input):
    """Fields to change; those left out stay as they are. `null` clears assignee or team."""

    version: Id | None = Field(
        default=None,
        description="The version you read; a stale one is refused with 409, and so is one "
        "that differs from `If-Match` when both are sent.",
    )
    subject: Text(300, 1, blank=False) | None = None
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: Id | None = Field(
        default=None, description="An active agent (404 if unknown, 409 if they cannot take it)."
    )
    team_id: Id | None = Field(default=None, description="A team (404 if unknown).")
    tags: list[Tag] | None = Field(
        default=None, max_length=20, description="The new tags (replacing all); lower-cased."
    )
    custom_fields: dict[str, Any] | None = Field(
        default=None,
        max_length=100,
        description="Custom field values to set by key (`null` clears one; keys left out stay). "
        "An invalid value is refused with 422 and a key with no field with 404, naming "
        "`custom_fields.<key>`.",
    )


class TicketMerge(Input):
    """Merge this ticket into another; this one closes and points at the survivor."""

    into: Id = Field(
        description="The number of the ticket to merge into. One that was itself merged is "
        "followed to the ticket its conversation moved to."
    )
    version: Id | None = Field(
        default=None,
        description="The version of this ticket you read; a stale one is refused with 409, and "
        "so is one that differs from `If-Match` when both are sent.",
    )
    into_version: Id | None = Field(
        default=None, description="The version of the ticket to merge into that you read."
    )


class TicketSplit(Input):
    """Move one public message of this ticket into a new ticket."""

    message_id: Id = Field(description="The message to split off (not an internal note).")
    subject: Text(300, 1, blank=False) | None = Field(
        default=None, description="The new ticket's subject; by default the message's first line."
    )
    version: Id | None = Field(
        default=None, description="The version of this ticket you read (409 when stale)."
    )


class TicketListQuery(Input):
    """Filters, order and paging for the ticket list."""

    status: list[Status] = Field(default_factory=list, description="Any of these statuses.")
    priority: list[Priority] = Field(default_factory=list, description="Any of these priorities.")
    assignee: Id | Literal["none"] | None = Field(
        default=None, description="An agent id, or `none` for unassigned tickets."
    )
    team: Id | None = Field(default=None, description="A team id.")
    tag: Text(60, 1) | None = Field(
        default=None,
        description="Tickets carrying this tag, written as tags are written: "
        "`Billing Issue` finds `billing-issue` (text that can be no tag finds nothing).",
    )
    customer: Id | None = Field(default=None, description="A customer id.")
    updated_since: Timestamp | None = Field(
        default=None, description="Only tickets updated at or after this time (with a zone)."
    )
    sort: Literal["updated", "created", "priority", "number"] = "updated"
    order: Literal["asc", "desc"] = "desc"
    limit: int = Field(default=25, ge=1, le=100)
    cursor: Annotated[str, Field(pattern=CURSOR_PATTERN)] | None = Field(
        default=None,
        description="`next_cursor` of the previous page (same filters and sort). It reads "
        "`<sort value>.<id>`; values past either end of a range sort past every ticket.",
    )


# -- messages and history -------------------------------------------------------------------


class Attachment(Output):
    """A file on a message; `url` downloads it (files over a limit of inbound mail are listed
    with `stored: false` and the reason, and cannot be downloaded)."""

    id: int
    filename: str
    content_type: str
    size: int
    inline: bool
    content_id: str | None
    stored: bool
    skipped_reason: str | None
    url: str


class TicketMessage(Output):
    """One entry of the conversation: a public reply or an internal note."""

    id: int
    kind: MessageKind
    author: Author
    body_text: str = Field(
        description="As written: Markdown source when `body_format` is markdown."
    )
    body_html: str = Field(
        description="Sanitized HTML: the Markdown's rendering, or an email's own HTML part."
    )
    body_format: Literal["markdown", "text"] = "text"
    cc: list[str] = Field(default_factory=list, description="Addresses copied on the reply.")
    time_spent_minutes: int | None = Field(
        default=None, description="Minutes the author recorded (organizations tracking time)."
    )
    created_at: dt.datetime
    attachments: list[Attachment] = Field(default_factory=list)


class MessagePage(Output):
    """A page of the conversation, oldest first."""

    data: list[TicketMessage]
    next_cursor: str | None


class MessageCreate(Input):
    """A public reply (sent to the customer) or an internal note (agents only)."""

    # An internal note is never emailed: it takes no Cc (the document says so, as the service).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {"properties": {"kind": {"const": "internal"}}, "required": ["kind"]},
            "then": {"properties": {"cc": {"maxItems": 0}}},
        },
    )

    body: Text(100_000, 1, blank=False)
    kind: MessageKind = MessageKind.PUBLIC
    attachments: list[AttachmentIn] = ATTACHMENTS_FIELD
    body_format: Literal["markdown", "text"] = Field(
        default="text",
        description="`markdown`: `body` is Markdown, rendered to sanitized HTML for the console "
        "and the email's HTML part, and to readable text for its text part.",
    )
    cc: list[Email] = Field(
        default_factory=list,
        max_length=10,
        description="Replies only: addresses copied on the email (not our own, not the customer).",
    )
    time_spent_minutes: Annotated[int, Field(ge=0, le=1440), BeforeValidator(_integral)] | None = (
        Field(
            default=None,
            description="Minutes spent; only when the organization tracks time (else 422).",
        )
    )
    last_seen_message_id: (
        Annotated[int, Field(ge=0, le=MAX_ID), BeforeValidator(_integral)] | None
    ) = Field(
        default=None,
        description="Public replies only, optional: the id of the newest public message you "
        "have seen. When a newer one exists the reply is not sent: 409 `newer_messages`, with "
        "those messages in `error.messages`; send again with the newest id to confirm.",
    )


class AgentMinutes(Output):
    """One agent's recorded minutes on a ticket."""

    agent: AgentRef
    minutes: int


class TimeSpent(Output):
    """Minutes recorded on a ticket's replies and notes: the total, and per agent (most first)."""

    total_minutes: int
    by_agent: list[AgentMinutes]


class IdPageQuery(Input):
    """Paging by id, oldest first: the cursor is the last id of the previous page."""

    cursor: Annotated[str, Field(pattern=r"^[0-9]{1,10}$")] | None = Field(
        default=None, description="`next_cursor` of the previous page."
    )

    @property
    def after_id(self) -> int:
        # Ids are 32-bit: a larger cursor is past every row (an empty page, not a DB error).
        return min(int(self.cursor or 0), MAX_ID)


class PageQuery(IdPageQuery):
    """Paging for a ticket's conversation or history (oldest first)."""

    limit: int = Field(default=100, ge=1, le=500)


class Event(Output):
    """One history entry: who changed what, old → new, and the ticket version it was made on."""

    id: int
    kind: EventKind
    actor: Author
    old_value: str | None
    new_value: str | None
    data: dict[str, Any]
    ticket_version: int
    created_at: dt.datetime


class EventPage(Output):
    """A page of a ticket's history, oldest first."""

    data: list[Event]
    next_cursor: str | None


# -- customers ------------------------------------------------------------------------------


class Customer(Output):
    """A person who writes to support."""

    id: int
    email: str
    name: str
    tier: Tier
    company: str
    external_ids: dict[str, Any]
    created_at: dt.datetime


class CustomerPage(Output):
    """A page of customers by name; `next_page` is null on the last page."""

    data: list[Customer]
    next_page: int | None


class CustomerCreate(Input):
    """A new customer; an email the organization already has is refused with 409."""

    email: Email
    name: Text(200) = ""
    tier: Tier = Tier.FREE
    company: Text(200) = ""


class CustomerUpdate(Input):
    """Fields to change; those left out stay as they are."""

    email: Email | None = Field(
        default=None, description="Another customer's address is refused with 409."
    )
    name: Text(200) | None = None
    tier: Tier | None = None
    company: Text(200) | None = None


class CustomerListQuery(Input):
    """Search and paging for the customer list."""

    q: Text(200) = Field(default="", description="Part of the name, email or company.")
    page: int = Field(default=1, ge=1, le=100_000)
    limit: int = Field(default=50, ge=1, le=100)


# -- agents and teams -----------------------------------------------------------------------


class Agent(Output):
    """An agent of the organization."""

    id: int
    name: str
    email: str
    role: Role
    active: bool
    away: bool = Field(description="Marked away: team assignment gives them no new tickets.")
    two_factor: bool = Field(
        default=False,
        description="Signs in to the console with a second factor (an authenticator app). "
        "Read only: agents set it up themselves; admins reset it in the console.",
    )
    teams: list[TeamRef]


class AgentList(Output):
    """Every agent, active first, by name."""

    data: list[Agent]


class Team(Output):
    """A team and its members."""

    id: int
    name: str
    description: str
    assignment_strategy: AssignmentStrategy = Field(
        description="How new tickets of the team find an agent (see the README's SLAs section)."
    )
    members: list[AgentRef]


class TeamList(Output):
    """Every team, by name."""

    data: list[Team]


# -- webhook endpoints ----------------------------------------------------------------------

EventType = Literal[tuple(EVENT_TYPES)]
_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
# http(s), a host name or IPv4 address, a port in range, then printable ASCII (percent-encode
# the rest). The address guard still resolves the host: one that does not resolve, or resolves
# to a private address, is refused by policy with 403.
WebhookUrl = Annotated[
    str,
    Field(
        min_length=8,
        max_length=2000,
        pattern=rf"^https?://[A-Za-z0-9.-]+(:{_PORT})?([/?#][!-~]*)?$",
    ),
    AfterValidator(_storable),
]


class WebhookEndpoint(Output):
    """A receiver of webhook events (its signing secret is shown only when created or rotated)."""

    id: int
    url: str
    description: str
    event_types: list[EventType]
    enabled: bool
    disabled_reason: str = Field(description="Why it was switched off (by hand or automatically).")
    disabled_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookEndpointWithSecret(WebhookEndpoint):
    """The endpoint and its signing secret: store the secret now, it is never shown again."""

    secret: str


class WebhookEndpointPage(Output):
    """A page of webhook endpoints, oldest first; pass `next_cursor` back as `cursor`."""

    data: list[WebhookEndpoint]
    next_cursor: str | None


class WebhookEndpointListQuery(IdPageQuery):
    """Paging for the webhook endpoint list."""

    limit: int = Field(default=50, ge=1, le=100)


class WebhookEndpointCreate(Input):
    """A new endpoint: a public http(s) URL and the event types to send it."""

    url: WebhookUrl
    description: Text(500) = ""
    event_types: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES))
    enabled: bool = True


class WebhookEndpointUpdate(Input):
    """Fields to change; those left out stay as they are (the secret never changes here)."""

    url: WebhookUrl | None = None
    description: Text(500) | None = None
    event_types: list[EventType] | None = Field(
        default=None, min_length=1, max_length=len(EVENT_TYPES)
    )
    enabled: bool | None = None
