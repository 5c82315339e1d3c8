"""Bulk drafts write the rows the service writes: the same script, played both ways, compared.

Each script opens a ticket and changes it step by step at given minutes. Played through the
service (one call and one commit per step, the clock frozen at the step's time) and through a
`TicketDraft` inserted by `bulk.insert`, the two tickets must agree column by column: the ticket
row, every history entry (versions included) and every message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk.accounts.models import Role, Team, User
from supportdesk.customers.models import Customer
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.tickets import bulk, service
from supportdesk.tickets.bulk import Person, TicketDraft
from supportdesk.tickets.errors import InvalidTransition
from supportdesk.tickets.lifecycle import SYSTEM, Actor
from supportdesk.tickets.models import (
    Channel,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketTag,
)
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.integration

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
DRAFT_NUMBER = 1000  # far from the numbers the service hands out in these tests


@dataclass
class Cast:
    """The organization and the people and teams a script names."""

    org_id: int
    customer: Customer
    people: dict[str, User]
    teams: dict[str, Team]

    def user(self, name: str | None) -> User | None:
        return self.people[name] if name else None

    def actor(self, name: str | None) -> Actor:
        return Actor(user_id=self.people[name].id) if name else SYSTEM

    def person(self, name: str | None) -> Person | None:
        return Person(self.people[name].id, self.people[name].name) if name else None

    def team(self, name: str | None) -> Person | None:
        return Person(self.teams[name].id, self.teams[name].name) if name else None

    def team_id(self, name: str | None) -> int | None:
        return self.teams[name].id if name else None


@pytest.fixture
def cast(org) -> Cast:
    """A customer, an agent of each role and two teams, all of `org`."""
    people = {
        role: UserFactory(organization=org, role=role_value, name=name)
        for role, role_value, name in [
            ("agent", Role.AGENT, "Alex Agent"),
            ("colleague", Role.AGENT, "Cleo Colleague"),
            ("senior", Role.SENIOR_AGENT, "Sam Senior"),
            ("admin", Role.ADMIN, "Ada Admin"),
        ]
    }
    teams = {name: TeamFactory(organization=org, name=name) for name in ("Billing", "Technical")}
    customer = CustomerFactory(organization=org, email="pat@customer.example", name="Pat")
    db.session.flush()
    return Cast(org.id, customer, people, teams)


# -- one step, two ways ------------------------------------------------------------------------

Step = tuple[Any, ...]
# Property changes go through update_ticket, as the console's and the API's forms send them.
SERVICE: dict[str, Callable[..., Any]] = {
    "reply": lambda c, t, who, body: service.reply(c.user(who), t, body),
    "note": lambda c, t, who, body: service.add_note(c.user(who), t, body),
    "customer": lambda c, t, body, **headers: service.customer_reply(t, c.customer, body, **headers),
    "status": lambda c, t, who, target: _update(c, t, who, status=target),
    "priority": lambda c, t, who, priority: _update(c, t, who, priority=priority),
    "assign": lambda c, t, who, assignee, team: _update(
        c, t, who, assignee_id=c.user(assignee) and c.user(assignee).id, team_id=c.team_id(team)
    ),
    "edit": lambda c, t, who, subject, tags: _update(c, t, who, subject=subject, tags=tags),
    "auto_close": lambda c, t: service.close_resolved_tickets(older_than=dt.timedelta(days=7)),
}  # fmt: skip


def _update(cast: Cast, ticket: Ticket, who: str, **changes: Any) -> bool:
    return service.update_ticket(cast.user(who), ticket, expected_version=ticket.version, **changes)


DRAFT: dict[str, Callable[..., Any]] = {
    "reply": lambda c, d, at, who, body: d.reply(c.actor(who), body, at),
    "note": lambda c, d, at, who, body: d.note(c.actor(who), body, at),
    "customer": lambda c, d, at, body, **headers: d.customer_reply(body, at, **headers),
    "status": lambda c, d, at, who, target: d.change_status(target, c.actor(who), at),
    "priority": lambda c, d, at, who, priority: d.change_priority(priority, c.actor(who), at),
    "assign": lambda c, d, at, who, assignee, team: d.assign(
        c.actor(who), at, assignee=c.person(assignee), team=c.team(team)
    ),
    "edit": lambda c, d, at, who, subject, tags: d.edit(c.actor(who), at, subject=subject, tags=tags),
    "auto_close": lambda c, d, at: d.auto_close(at),
}  # fmt: skip


def _split(step: Step) -> tuple[dt.datetime, str, list[Any], dict[str, Any]]:
    minute, op, *args = step
    headers = args.pop() if args and isinstance(args[-1], dict) else {}
    return T0 + dt.timedelta(minutes=minute), op, args, headers


def by_service(cast: Cast, opening: dict[str, Any], steps: list[Step]) -> int:
    """Play the script through the service, one call and one commit per step; the ticket's id."""
    with time_machine.travel(T0, tick=False):
        ticket = service.open_ticket(
            cast.org_id,
            actor=cast.user(opening.get("by")),
            customer_email=cast.customer.email,
            subject=opening["subject"],
            body=opening["body"],
            priority=opening.get("priority", Priority.MEDIUM),
            channel=opening.get("channel", Channel.WEB),
            assignee_id=cast.user(opening.get("assignee")) and cast.user(opening["assignee"]).id,
            team_id=cast.team_id(opening.get("team")),
            tags=opening.get("tags", ()),
        )
        db.session.commit()
    for step in steps:
        at, op, args, headers = _split(step)
        with time_machine.travel(at, tick=False):
            SERVICE[op](cast, db.session.get(Ticket, ticket.id), *args, **headers)
            db.session.commit()
    return ticket.id


def by_draft(cast: Cast, opening: dict[str, Any], steps: list[Step]) -> int:
    """Play the same script on a bulk draft and insert it; the ticket's id."""
    draft = TicketDraft(
        cast.org_id,
        DRAFT_NUMBER,
        customer_id=cast.customer.id,
        subject=opening["subject"],
        body=opening["body"],
        at=T0,
        actor=cast.actor(opening["by"]) if opening.get("by") else None,
        priority=opening.get("priority", Priority.MEDIUM),
        channel=opening.get("channel", Channel.WEB),
        assignee=cast.person(opening.get("assignee")),
        team=cast.team(opening.get("team")),
        tags=opening.get("tags", ()),
    )
    for step in steps:
        at, op, args, headers = _split(step)
        DRAFT[op](cast, draft, at, *args, **headers)
    bulk.insert([draft])
    db.session.flush()
    return draft.id


def rows(ticket_id: int) -> dict[str, Any]:
    """Everything stored for one ticket, without its own ids and number."""

    def select(model: type, *order: sa.ColumnElement) -> list[dict[str, Any]]:
        table = model.__table__
        query = sa.select(table).where(table.c.ticket_id == ticket_id).order_by(*order)
        skip = {"id", "ticket_id"}
        return [
            {k: v for k, v in row.items() if k not in skip}
            for row in db.session.execute(query).mappings()
        ]

    ticket = db.session.execute(sa.select(Ticket.__table__).where(Ticket.id == ticket_id))
    [row] = [dict(r) for r in ticket.mappings()]
    return {
        "ticket": {k: v for k, v in row.items() if k not in {"id", "number"}},
        "events": select(TicketEvent, TicketEvent.id),
        "messages": select(Message, Message.id),
        "tags": [r["name"] for r in select(TicketTag, TicketTag.name)],
    }


# -- the scripts -------------------------------------------------------------------------------

SCRIPTS = [
    pytest.param(
        {
            "subject": "Invoice twice",
            "body": "I was charged twice.",
            "priority": Priority.HIGH,
            "channel": Channel.EMAIL,
        },
        [
            (5, "assign", "admin", "agent", "Billing"),
            (10, "status", "agent", Status.IN_PROGRESS),
            (11, "reply", "agent", "  We are looking into it.  "),
            (12, "note", "agent", "Probably the retry job."),
            (40, "status", "agent", Status.RESOLVED),
            (60 * 24 * 8, "auto_close"),
        ],
        id="answered, resolved, closed by the auto-close job",
    ),
    pytest.param(
        {"subject": "  Cannot   log in ", "body": "The page spins.", "team": "Technical"},
        [
            (3, "reply", "agent", "Which browser do you use?"),
            (4, "status", "agent", Status.PENDING),
            (
                60,
                "customer",
                "Firefox.",
                {"message_id": "<r1@customer.example>", "in_reply_to": "<q1@desk.example>"},
            ),
            (70, "reply", "colleague", "Clear the cookies, please."),
            (71, "status", "colleague", Status.RESOLVED),
            (200, "customer", "Still broken."),
            (210, "status", "agent", Status.CLOSED),
            (220, "status", "senior", Status.OPEN),
            (230, "reply", "senior", "Reopened: we will call you."),
        ],
        id="pending, answered by the customer, reopened twice",
    ),
    pytest.param(
        {
            "subject": "New laptop",
            "body": "Please order one.",
            "by": "agent",
            "assignee": "agent",
            "team": "Technical",
            "tags": "hardware, urgent",
            "priority": Priority.LOW,
        },
        [
            (1, "edit", "agent", "New laptop for Pat", "hardware, purchase"),
            (2, "priority", "senior", Priority.CRITICAL),
            (3, "assign", "senior", "colleague", None),
            (4, "assign", "senior", None, "Billing"),
            (5, "status", "colleague", Status.CLOSED),
        ],
        id="logged by an agent, edited, reassigned, closed at once",
    ),
    pytest.param(
        {"subject": "Export fails", "body": "CSV export times out.", "channel": Channel.API},
        [
            (10, "status", "agent", Status.IN_PROGRESS),
            (10, "reply", "agent", "On it."),
            (10, "note", "agent", "Same minute: the row does not change, nor its version."),
            (10, "status", "agent", Status.IN_PROGRESS),
            (20, "priority", "agent", Priority.MEDIUM),
            (30, "edit", "agent", "Export fails", ""),
            (40, "reply", "agent", "Fixed in 4.2."),
        ],
        id="changes within one minute and changes that change nothing",
    ),
]


@pytest.mark.parametrize(("opening", "steps"), SCRIPTS)
def test_a_draft_writes_the_rows_the_service_writes(cast, opening, steps):
    expected = rows(by_service(cast, opening, steps))

    written = rows(by_draft(cast, opening, steps))

    assert written["ticket"] == expected["ticket"]
    assert written["events"] == expected["events"]
    assert written["messages"] == expected["messages"]
    assert written["tags"] == expected["tags"]
    assert len(expected["events"]) > len(steps) // 2  # the script did write history


@pytest.mark.parametrize(
    ("step", "error"),
    [
        pytest.param((5, "reply", "agent", "   "), ValidationFailed, id="empty reply"),
        pytest.param((5, "note", "agent", "x" * 100_001), ValidationFailed, id="note too long"),
        pytest.param((5, "edit", "agent", " ", None), ValidationFailed, id="empty subject"),
        pytest.param(
            (5, "status", "agent", Status.CLOSED), None, id="reference: a step that is allowed"
        ),
    ],
)
def test_a_draft_refuses_what_the_service_refuses(cast, step, error):
    opening = {"subject": "Printer", "body": "Jammed."}
    if error is None:
        assert by_draft(cast, opening, [step]) is not None
        return
    with pytest.raises(error):
        by_draft(cast, opening, [step])
    with pytest.raises(error):
        by_service(cast, opening, [step])


def test_inserting_no_drafts_writes_nothing(app):
    assert bulk.insert([]) == {"tickets": 0, "messages": 0, "events": 0, "tags": 0}


def test_a_draft_follows_the_transition_table(cast):
    steps = [(1, "status", "agent", Status.CLOSED), (2, "status", "agent", Status.RESOLVED)]

    with pytest.raises(InvalidTransition):
        by_draft(cast, {"subject": "Printer", "body": "Jammed."}, steps)
