"""What each kind of row export holds: one table of kind → columns and the keyset query.

Every source is a SELECT of export rows ordered by one integer key (the last column of each row,
not written), so the job reads it in batches `key > last ORDER BY key LIMIT n` with flat memory
(see supportdesk.exports.service). Every query is scoped to the export's organization on each
table it reads; tickets, messages and history take the queue filter of the console (the query
string of the queue the export was asked from), or a search (`q` and the search page's filters:
the tickets supportdesk.search finds, all of them), which the job computes once (Rows.search).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from werkzeug.datastructures import MultiDict

from supportdesk.accounts.models import Organization, Team, User
from supportdesk.attachments.models import Attachment
from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.tickets.models import Message, Ticket, TicketEvent, TicketTag


@dataclass(frozen=True)
class Rows:
    """The rows of one export: `statement` ordered by `key` (its last column), and `keys`, the
    SELECT of the keys alone under the same conditions (unordered: counted, or read once).
    `search`: `keys` holds a search (too costly to compute again for every batch), which
    `statement` leaves out: the job reads the keys once, then the rows of those keys."""

    statement: sa.Select
    key: sa.ColumnElement
    keys: sa.Select
    search: bool = False


@dataclass(frozen=True)
class Source:
    """A kind of row export: its columns, and `query(org, user, params)` → its Rows. `action`:
    the permission asking needs (None: every agent, like reading tickets)."""

    columns: tuple[str, ...]
    query: Callable[[int, User, dict], Rows]
    action: str | None = None


def _joined(column, separator: str = " "):
    """The values of `column` in one cell (the aggregate each database has)."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.string_agg(column, sa.literal(separator))
    return sa.func.group_concat(column, separator)


def ticket_conditions(org: int, user: User, params: dict) -> list:
    """The WHERE of the console queue filter `params` (its query string; a repeated name has a
    list), or of the search page's `q` and filters, for `user`."""
    from supportdesk.console.filters import parse_queue_filter, parse_search_filter
    from supportdesk.fields.queries import field_specs
    from supportdesk.tickets.queries import queue_conditions

    zone = db.session.scalar(sa.select(Organization.time_zone).where(Organization.id == org))
    if params.get("q"):
        f = parse_search_filter(MultiDict(params), zone)
    else:
        f = parse_queue_filter(MultiDict(params), field_specs(org), zone)
    return queue_conditions(org, user.id, f)


def search_conditions(org: int, params: dict) -> list:
    """The search's condition (the tickets supportdesk.search finds for `q`), if any."""
    from supportdesk.search import search_match

    return [search_match(org, params["q"])] if params.get("q") else []


TICKET_COLUMNS = (
    "number", "subject", "status", "priority", "channel", "customer_email", "customer_name",
    "customer_tier", "assignee", "team", "tags", "created_at", "first_response_at",
    "resolved_at", "closed_at", "updated_at",
)  # fmt: skip


def _tickets(org: int, user: User, params: dict):
    conditions = ticket_conditions(org, user, params)
    assignee = aliased(User)
    tags = (
        sa.select(_joined(TicketTag.name))
        .where(TicketTag.ticket_id == Ticket.id, TicketTag.organization_id == org)
        .scalar_subquery()
    )
    statement = (
        sa.select(
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.channel,
            Customer.email,
            Customer.name,
            Customer.tier,
            assignee.name,
            Team.name,
            tags,
            Ticket.created_at,
            Ticket.first_response_at,
            Ticket.resolved_at,
            Ticket.closed_at,
            Ticket.updated_at,
            Ticket.id,
        )  # fmt: skip
        .join(Customer, Customer.id == Ticket.customer_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .outerjoin(Team, Team.id == Ticket.team_id)
        .where(*conditions)
        .order_by(Ticket.id)
    )
    search = search_conditions(org, params)
    keys = sa.select(Ticket.id).where(*conditions, *search)
    return Rows(statement, Ticket.id, keys, bool(search))


MESSAGE_COLUMNS = (
    "ticket_number", "message_id", "visibility", "author_kind", "author_name", "author_email",
    "created_at", "body_text", "attachments",
)  # fmt: skip


def _author_kind(user_column) -> sa.ColumnElement:
    return sa.case((user_column.is_(None), sa.literal("customer")), else_=sa.literal("agent"))


def _messages(org: int, user: User, params: dict):
    conditions = ticket_conditions(org, user, params)
    agent, customer = aliased(User), aliased(Customer)
    files = (
        sa.select(_joined(Attachment.filename, "; "))
        .where(Attachment.message_id == Message.id, Attachment.organization_id == org)
        .scalar_subquery()
    )
    rows = (
        sa.select(Message.id)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(Message.organization_id == org, *conditions)
    )
    statement = (
        sa.select(
            Ticket.number,
            Message.id,
            Message.kind,
            _author_kind(Message.author_user_id),
            sa.func.coalesce(agent.name, customer.name),
            sa.func.coalesce(agent.email, customer.email),
            Message.created_at,
            Message.body_text,
            files,
            Message.id,
        )  # fmt: skip
        .join(Ticket, Ticket.id == Message.ticket_id)
        .outerjoin(agent, agent.id == Message.author_user_id)
        .outerjoin(customer, customer.id == Message.author_customer_id)
        .where(Message.organization_id == org, *conditions)
        .order_by(Message.id)
    )
    search = search_conditions(org, params)
    return Rows(statement, Message.id, rows.where(*search), bool(search))


HISTORY_COLUMNS = (
    "ticket_number", "event_id", "event", "actor_kind", "actor", "created_at", "before", "after",
    "details",
)  # fmt: skip


def _history(org: int, user: User, params: dict):
    conditions = ticket_conditions(org, user, params)
    agent, customer = aliased(User), aliased(Customer)
    actor_kind = sa.case(
        (TicketEvent.actor_user_id.is_not(None), sa.literal("agent")),
        (TicketEvent.actor_customer_id.is_not(None), sa.literal("customer")),
        else_=sa.literal("system"),
    )
    rows = (
        sa.select(TicketEvent.id)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.organization_id == org, *conditions)
    )
    statement = (
        sa.select(
            Ticket.number,
            TicketEvent.id,
            TicketEvent.kind,
            actor_kind,
            sa.func.coalesce(agent.name, customer.email),
            TicketEvent.created_at,
            TicketEvent.old_value,
            TicketEvent.new_value,
            TicketEvent.data,
            TicketEvent.id,
        )  # fmt: skip
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .outerjoin(agent, agent.id == TicketEvent.actor_user_id)
        .outerjoin(customer, customer.id == TicketEvent.actor_customer_id)
        .where(TicketEvent.organization_id == org, *conditions)
        .order_by(TicketEvent.id)
    )
    search = search_conditions(org, params)
    return Rows(statement, TicketEvent.id, rows.where(*search), bool(search))


CUSTOMER_COLUMNS = (
    "customer_id", "email", "name", "company", "tier", "language", "tickets", "crm_id",
    "external_ids", "created_at",
)  # fmt: skip


def _customers(org: int, user: User, params: dict):
    # One probe of ix_tickets_org_customer per customer.
    tickets = (
        sa.select(sa.func.count())
        .where(Ticket.organization_id == org, Ticket.customer_id == Customer.id)
        .scalar_subquery()
    )
    statement = (
        sa.select(
            Customer.id,
            Customer.email,
            Customer.name,
            Customer.company,
            Customer.tier,
            Customer.language,
            tickets,
            Customer.crm_id,
            Customer.external_ids,
            Customer.created_at,
            Customer.id,
        )  # fmt: skip
        .where(Customer.organization_id == org)
        .order_by(Customer.id)
    )
    return Rows(
        statement, Customer.id, sa.select(Customer.id).where(Customer.organization_id == org)
    )


# The row exports; "report" (a report's table, a few rows) is written whole by the service.
SOURCES: dict[str, Source] = {
    "tickets": Source(TICKET_COLUMNS, _tickets),
    "messages": Source(MESSAGE_COLUMNS, _messages),
    "history": Source(HISTORY_COLUMNS, _history),
    "customers": Source(CUSTOMER_COLUMNS, _customers, "export.customers"),
}
