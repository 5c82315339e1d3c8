"""Tickets built in memory through the lifecycle rules, then inserted in batches (the loaders).

`seed-demo` and `load-workload` write many thousands of tickets: one service call per change
would take hours. A `TicketDraft` plays a ticket's life through the same rules as the service
(supportdesk.tickets.lifecycle) and the same validation, so its rows are the rows the service
would have written for the same calls at the same times; `insert` then writes a batch of drafts
by COPY (PostgreSQL) or executemany. Each draft method stands for one request to the service
(property changes: `update_ticket` with that one change) and ends with its flush, where a
changed ticket row takes the next version, as the ORM does. tests/tickets/test_bulk.py plays
the same scripts both ways and compares the rows column by column.

What drafts leave out on purpose: permissions and the look-ups that the agents and teams named
exist (the loaders act as the operator, on rows they just made), outbound mail
and webhooks (nobody is told about demo data), and the SLA clocks, which `flask sla-recompute`
derives from the history afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.tickets import lifecycle
from supportdesk.tickets.lifecycle import SYSTEM, Actor, Entry
from supportdesk.tickets.models import (
    Channel,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketTag,
)

# The service's own validation: a draft refuses and cleans input exactly as a request would.
from supportdesk.tickets.service import _clean_body, _clean_subject
from supportdesk.tickets.tags import parse_tags

T, M, E, TT = Ticket.__table__, Message.__table__, TicketEvent.__table__, TicketTag.__table__
# The ticket columns a flush compares: any change among them is an UPDATE and a new version.
_COLUMNS = (
    "subject", "status", "priority", "assignee_id", "team_id", "updated_at",
    "first_response_at", "resolved_at", "closed_at",
)  # fmt: skip


class Person(NamedTuple):
    """An agent or a team as a draft names it in history (the service reads the row)."""

    id: int
    name: str


class TicketDraft:
    """One ticket's rows, built by replaying its life through the lifecycle rules."""

    # Set by lifecycle.opened, then read and written by the rules as on a Ticket.
    subject: str
    status: Status
    priority: Priority
    channel: Channel
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None

    def __init__(
        self,
        organization_id: int,
        number: int,
        *,
        customer_id: int,
        subject: str,
        body: str,
        at: dt.datetime,
        actor: Actor | None = None,
        priority: Priority = Priority.MEDIUM,
        channel: Channel = Channel.WEB,
        assignee: Person | None = None,
        team: Person | None = None,
        tags: str | Iterable[str] = (),
        custom_fields: dict[str, Any] | None = None,
    ) -> None:
        """Open the ticket, as `service.open_ticket` does (`actor` None: the customer wrote in)."""
        self.organization_id, self.number, self.id = organization_id, number, None
        self.customer = Actor(customer_id=customer_id)
        self.assignee, self.team = assignee, team
        self.assignee_id = assignee.id if assignee else None
        self.team_id = team.id if team else None
        self.custom_fields = custom_fields or {}
        self.tags = sorted(parse_tags(tags))
        self.messages: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.version, self._saved = 0, None
        columns, first, created = lifecycle.opened(
            subject=_clean_subject(subject), body=_clean_body(body), customer=self.customer,
            priority=priority, channel=channel, actor=actor, at=at,
        )  # fmt: skip
        self.__dict__.update(columns)
        self._write(first, [created])

    # -- the service's calls, one request each ---------------------------------------------

    def reply(self, author: Actor, body: str, at: dt.datetime) -> None:
        """`service.reply`: an agent's public reply."""
        self._write(*lifecycle.replied(self, author, _clean_body(body), at))

    def note(self, author: Actor, body: str, at: dt.datetime) -> None:
        """`service.add_note`: an internal note."""
        self._write(*lifecycle.noted(self, author, _clean_body(body), at))

    def customer_reply(self, body: str, at: dt.datetime, **headers: str | None) -> None:
        """`service.customer_reply`: the customer writes again (a resolved ticket reopens)."""
        written, entries = lifecycle.customer_replied(
            self, self.customer, _clean_body(body), at,
            message_id=headers.get("message_id"), in_reply_to=headers.get("in_reply_to"),
        )  # fmt: skip
        self._write(written, entries)

    def change_status(self, target: Status, actor: Actor, at: dt.datetime) -> None:
        """`update_ticket(status=…)`: along the transition table; staying put writes nothing."""
        self._write(None, lifecycle.status_changed(self, target, actor, at))

    def auto_close(self, at: dt.datetime) -> None:
        """`service.close_resolved_tickets` for this (resolved) ticket: closed by the system."""
        self._write(None, lifecycle.status_set(self, Status.CLOSED, SYSTEM, at))

    def change_priority(self, priority: Priority, actor: Actor, at: dt.datetime) -> None:
        """`update_ticket(priority=…)`."""
        self._write(None, lifecycle.priority_changed(self, priority, actor, at))

    def assign(
        self, actor: Actor, at: dt.datetime, *, assignee: Person | None, team: Person | None
    ) -> None:
        """`update_ticket(assignee_id=…, team_id=…)`: a new agent and/or team (None clears)."""
        entries = []
        if (assignee.id if assignee else None) != self.assignee_id:
            entries.append(lifecycle.assignee_changed(self, self.assignee, assignee, actor, at))
            self.assignee, self.assignee_id = assignee, assignee.id if assignee else None
        if (team.id if team else None) != self.team_id:
            entries.append(lifecycle.team_changed(self, self.team, team, actor, at))
            self.team, self.team_id = team, team.id if team else None
        self._write(None, entries)

    def edit(
        self, actor: Actor, at: dt.datetime, *, subject: str | None = None,
        tags: str | Iterable[str] | None = None,
    ) -> None:  # fmt: skip
        """`update_ticket(subject=…, tags=…)`: a new subject and/or tags (None leaves it)."""
        entries = []
        if subject is not None:
            entries += lifecycle.subject_changed(self, _clean_subject(subject), actor, at)
        if tags is not None:
            wanted = sorted(parse_tags(tags))
            entries += lifecycle.tags_changed(self, self.tags, wanted, actor, at)
            self.tags = wanted
        self._write(None, entries)

    # -- rows --------------------------------------------------------------------------------

    def _write(self, message: dict[str, Any] | None, entries: list[Entry]) -> None:
        """Keep what one request wrote, then flush: a changed ticket row takes the next version."""
        if message is not None:
            self.messages.append(message)
        self.events += [{**entry.columns(), "ticket_version": self.version} for entry in entries]
        saved = tuple(getattr(self, name) for name in _COLUMNS)
        if saved != self._saved:
            self.version, self._saved = self.version + 1, saved

    def row(self) -> dict[str, Any]:
        """The ticket's row (its id too once `insert` reserved one)."""
        row = {name: getattr(self, name) for name in _COLUMNS}
        row.update(
            organization_id=self.organization_id, number=self.number,
            channel=self.channel, customer_id=self.customer.customer_id,
            custom_fields=self.custom_fields, created_at=self.created_at, version=self.version,
        )  # fmt: skip
        return row if self.id is None else {**row, "id": self.id}


def insert(drafts: Sequence[TicketDraft]) -> dict[str, int]:
    """Insert the drafts with their messages, history and tags; flush only, callers commit.

    PostgreSQL: ticket ids are reserved from the sequence first, then every table is one COPY.
    Other databases: one executemany per table, the ticket ids read back by RETURNING.
    Returns how many rows of each kind went in.
    """
    if not drafts:
        return dict.fromkeys(("tickets", "messages", "events", "tags"), 0)
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql:
        for draft, id_ in zip(drafts, _reserve_ids(len(drafts)), strict=True):
            draft.id = id_
        _copy(T, [draft.row() for draft in drafts])
    else:
        keys = T.c.organization_id, T.c.number, T.c.id
        result = db.session.execute(sa.insert(T).returning(*keys), [d.row() for d in drafts])
        ids = {(org, number): id_ for org, number, id_ in result}
        for draft in drafts:
            draft.id = ids[draft.organization_id, draft.number]
    children: dict[sa.Table, list[dict[str, Any]]] = {M: [], E: [], TT: []}
    for draft in drafts:
        owner = {"organization_id": draft.organization_id, "ticket_id": draft.id}
        children[M] += [{**message, **owner} for message in draft.messages]
        children[E] += [{**event, **owner} for event in draft.events]
        children[TT] += [{"name": name, **owner} for name in draft.tags]
    for table, rows in children.items():
        if not rows:
            continue
        if postgresql:
            _copy(table, rows)
        else:
            db.session.execute(sa.insert(table), rows)
    return {
        "tickets": len(drafts),
        "messages": len(children[M]),
        "events": len(children[E]),
        "tags": len(children[TT]),
    }


def _reserve_ids(n: int) -> list[int]:
    """Ticket ids from the sequence, so children can be written without waiting for a RETURNING."""
    return list(
        db.session.scalars(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence('tickets', 'id')) FROM generate_series(1, :n)"
            ),
            {"n": n},
        )
    )


def _copy(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """COPY rows into `table`, each value converted by its column's bind processor (as the ORM)."""
    connection = db.session.connection()
    columns = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(connection.dialect) for name in columns]
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:  # noqa: S608
        for row in rows:
            copy.write_row(
                [
                    v if (v := row[name]) is None or p is None else p(v)
                    for p, name in zip(processors, columns, strict=True)
                ]
            )
