"""Read-only rows for the console's lists: a ticket of a queue or of search results, a message,
a history entry. Plain values read as tuples, no ORM objects: a page of 25 tickets would otherwise
build about a hundred of them (tickets, customers, agents, teams, tags), which costs more than
the queries. Names follow the models' own rules (the properties are the models').
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import sqlalchemy as sa

from supportdesk.accounts.models import Team, User
from supportdesk.customers.models import Customer
from supportdesk.db import PREPARED
from supportdesk.extensions import select_rows
from supportdesk.sla.models import TicketSla
from supportdesk.tickets.models import Message, Priority, Status, Ticket, TicketEvent, TicketTag


class Person:
    """An agent, team or customer as a list names them: the name (and a customer's email)."""

    __slots__ = ("name", "email")

    def __init__(self, name: str | None, email: str | None = None):
        self.name, self.email = name, email

    display_name = Customer.display_name  # the one rule: the name, else the email


def _person(present, name, email=None) -> Person | None:
    return Person(name, email) if present is not None else None


@dataclass(slots=True)
class QueueRow:
    """A ticket in a queue or search results, with the names of its people and its SLA clock."""

    id: int
    number: int
    subject: str
    status: Status
    priority: Priority
    created_at: dt.datetime
    updated_at: dt.datetime
    customer: Person
    assignee: Person | None
    team: Person | None
    sla: TicketSla | None  # transient: only the due, warning and pause times the badge reads
    tags: list[str] = field(default_factory=list)
    custom_fields: dict = field(default_factory=dict)  # read only when the queue shows some


_SLA_TIMES = (
    TicketSla.paused_since,
    TicketSla.first_response_due_at,
    TicketSla.first_response_warn_at,
    TicketSla.resolution_due_at,
    TicketSla.resolution_warn_at,
)


def queue_row_select(*extra) -> sa.Select:
    """SELECT of the QueueRow columns (then `extra`), joined to customer, agent, team and SLA."""
    return (
        sa.select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.created_at,
            Ticket.updated_at,
            Customer.name,
            Customer.email,
            Ticket.assignee_id,
            User.name,
            Ticket.team_id,
            Team.name,
            TicketSla.ticket_id,
            *_SLA_TIMES,
            *extra,
        )
        .join(Customer, Customer.id == Ticket.customer_id)
        .outerjoin(User, User.id == Ticket.assignee_id)
        .outerjoin(Team, Team.id == Ticket.team_id)
        .outerjoin(TicketSla, TicketSla.ticket_id == Ticket.id)
    )


def queue_row(r, *, with_fields: bool = False) -> QueueRow:
    """The QueueRow of a row of queue_row_select() (`with_fields`: of
    queue_row_select(Ticket.custom_fields), the values following the SLA times)."""
    sla = None
    if r[13] is not None:
        sla = TicketSla(**{c.key: value for c, value in zip(_SLA_TIMES, r[14:19], strict=True)})
    return QueueRow(
        *r[:7],
        customer=Person(r[7], r[8]),
        assignee=_person(r[9], r[10]),
        team=_person(r[11], r[12]),
        sla=sla,
        custom_fields=(r[19] or {}) if with_fields else {},
    )


def attach_tags(organization_id: int, rows: list[QueueRow]) -> None:
    """Fill each row's tags, by name, in one query."""
    if not rows:
        return
    by_id = {row.id: row for row in rows}
    params = {"organization_id": organization_id, "ids": list(by_id)}
    for ticket_id, name in select_rows(_tags_statement(), params):
        by_id[ticket_id].tags.append(name)


@functools.cache
def _tags_statement() -> sa.Select:
    # Built once: building a statement costs more than running this one.
    return (
        sa.select(TicketTag.ticket_id, TicketTag.name)
        .where(
            TicketTag.organization_id == sa.bindparam("organization_id"),
            TicketTag.ticket_id.in_(sa.bindparam("ids", expanding=True)),
        )
        .order_by(TicketTag.ticket_id, TicketTag.name)
        .execution_options(**PREPARED)
    )


class MessageRow:
    """A message as the ticket page shows it, with Message's own rules for kind and author."""

    __slots__ = ("id", "kind", "body_text", "created_at", "author_user", "author_customer")
    __slots__ += ("body_html", "body_format", "cc", "time_spent_minutes")

    def __init__(self, id, kind, body_text, created_at, author_user, author_customer, *extras):
        self.id, self.kind, self.body_text, self.created_at = id, kind, body_text, created_at
        self.author_user, self.author_customer = author_user, author_customer
        # The composer's columns: Markdown rendering, Cc, minutes spent.
        self.body_html, self.body_format, self.cc, self.time_spent_minutes = extras or (
            "",
            "text",
            "",
            None,
        )

    is_internal = Message.is_internal
    author_name = Message.author_name


MESSAGE_COLUMNS = (
    Message.id,
    Message.kind,
    Message.body_text,
    Message.created_at,
    Message.author_user_id,
    User.name,
    Message.author_customer_id,
    Customer.name,
    Customer.email,
    Message.body_html,
    Message.body_format,
    Message.cc,
    Message.time_spent_minutes,
)


def message_row(r) -> MessageRow:
    """The MessageRow of a row of MESSAGE_COLUMNS."""
    return MessageRow(*r[:4], _person(r[4], r[5]), _person(r[6], r[7], r[8]), *r[9:13])


class EventRow:
    """A history entry as the ticket page shows it, with TicketEvent's rule for the actor."""

    __slots__ = ("id", "kind", "old_value", "new_value", "data", "created_at")
    __slots__ += ("actor_user", "actor_customer")

    def __init__(self, id, kind, old_value, new_value, data, created_at, user, customer):
        self.id, self.kind, self.old_value, self.new_value = id, kind, old_value, new_value
        self.data, self.created_at = data, created_at
        self.actor_user, self.actor_customer = user, customer

    actor_name = TicketEvent.actor_name


EVENT_COLUMNS = (
    TicketEvent.id,
    TicketEvent.kind,
    TicketEvent.old_value,
    TicketEvent.new_value,
    TicketEvent.data,
    TicketEvent.created_at,
    TicketEvent.actor_user_id,
    User.name,
    TicketEvent.actor_customer_id,
    Customer.name,
    Customer.email,
)


def event_row(r) -> EventRow:
    """The EventRow of a row of EVENT_COLUMNS."""
    return EventRow(*r[:6], _person(r[6], r[7]), _person(r[8], r[9], r[10]))
