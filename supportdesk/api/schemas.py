"""Request and response schemas of API v1 (pydantic v2). They validate, serialize and document.

Inputs refuse unknown fields. Limits the database imposes (text without NUL characters, 32-bit
ids, sizes) are checked here so that no input reaches PostgreSQL that it would refuse; business
rules (valid tags, assignable agents, transitions) stay in the services.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

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
from supportdesk.tickets.models import Channel, EventKind, MessageKind, Priority, Status
from supportdesk.webhooks.models import EVENT_TYPES

MAX_ID = INT4_MAX  # ids and numbers are PostgreSQL integers


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


def Text(max_length: int, min_length: int = 0) -> Any:  # noqa: N802  (a type factory)
    """A string type with length bounds that the database can store."""
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_storable)
    ]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
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
    custom_fields: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    version: int = Field(description="Send it back as `If-Match` or `version` when updating.")


class TicketPage(Output):
    """A page of tickets; pass `next_cursor` as `cursor` for the next one (null: last page)."""

    data: list[Ticket]
    next_cursor: str | None


class TicketCreate(Input):
    """A new ticket on behalf of a customer (found by email, or created)."""

    subject: Text(300, 1)
    body: Text(100_000, 1) = Field(description="The customer's request: the first message.")
    customer_email: Text(254, 1)
    customer_name: Text(200) = ""
    priority: Priority = Priority.MEDIUM
    assignee_id: Id | None = None
    team_id: Id | None = None
    tags: list[Text(60)] = Field(default_factory=list, max_length=20)


class TicketUpdate(Input):
    """Fields to change; those left out stay as they are. `null` clears assignee or team."""

    version: Id | None = Field(
        default=None, description="The version you read; a stale one is refused with 409."
    )
    subject: Text(300, 1) | None = None
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: Id | None = None
    team_id: Id | None = None
    tags: list[Text(60)] | None = Field(default=None, max_length=20)


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
        "`Billing Issue` finds `billing-issue`.",
    )
    customer: Id | None = Field(default=None, description="A customer id.")
    updated_since: Timestamp | None = Field(
        default=None, description="Only tickets updated at or after this time (with a zone)."
    )
    sort: Literal["updated", "created", "priority", "number"] = "updated"
    order: Literal["asc", "desc"] = "desc"
    limit: int = Field(default=25, ge=1, le=100)
    cursor: Text(200, 1) | None = Field(
        default=None, description="`next_cursor` of the previous page (same filters and sort)."
    )


# -- messages and history -------------------------------------------------------------------


class TicketMessage(Output):
    """One entry of the conversation: a public reply or an internal note."""

    id: int
    kind: MessageKind
    author: Author
    body_text: str
    body_html: str
    created_at: dt.datetime


class MessagePage(Output):
    """A page of the conversation, oldest first."""

    data: list[TicketMessage]
    next_cursor: str | None


class MessageCreate(Input):
    """A public reply (sent to the customer) or an internal note (agents only)."""

    body: Text(100_000, 1)
    kind: MessageKind = MessageKind.PUBLIC


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
    """A new customer; the email must be new to the organization."""

    email: Text(254, 1)
    name: Text(200) = ""
    tier: Tier = Tier.FREE
    company: Text(200) = ""


class CustomerUpdate(Input):
    """Fields to change; those left out stay as they are."""

    email: Text(254, 1) | None = None
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
# http(s) only, no spaces: the service's address guard still resolves and judges the host.
WebhookUrl = Annotated[
    str,
    Field(min_length=8, max_length=2000, pattern=r"^https?://[^\s/?#@]+([/?#]\S*)?$"),
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
