"""`load-workload` imports the shared benchmark workload faithfully (50 tickets, committed fixture).

tests/fixtures/workload-50.jsonl was written by `python ../shared/bench/workload.py --tickets 50
--jsonl tests/fixtures/workload-50.jsonl`, so the test needs nothing outside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from supportdesk import create_app
from supportdesk.accounts.models import Organization, Team, User
from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.search import search_tickets
from supportdesk.tickets.models import (
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

WORKLOAD = Path(__file__).resolve().parent.parent / "fixtures" / "workload-50.jsonl"
ITEMS = [json.loads(line) for line in WORKLOAD.read_text().splitlines()]


def _load(app, *args: str):
    return app.test_cli_runner().invoke(args=["load-workload", str(WORKLOAD), *args])


def _org(name: str = "Workload") -> Organization:
    return db.session.scalars(sa.select(Organization).where(Organization.name == name)).one()


def test_the_workload_is_loaded_faithfully(app):
    result = _load(app, "--org", "Workload")

    assert result.exit_code == 0, result.output
    assert "50 tickets, 200 messages" in result.output
    assert "agent01@workload.example" in result.output
    org = _org()
    assert org.last_ticket_number == 50
    tickets = {
        t.number: t
        for t in db.session.scalars(sa.select(Ticket).where(Ticket.organization_id == org.id))
    }
    assert sorted(tickets) == list(range(1, 51))
    teams = dict(
        db.session.execute(
            sa.select(Team.id, Team.name).where(Team.organization_id == org.id)
        ).all()
    )
    agents = dict(
        db.session.execute(
            sa.select(User.id, User.email).where(User.organization_id == org.id)
        ).all()
    )
    customers = dict(
        db.session.execute(
            sa.select(Customer.id, Customer.email).where(Customer.organization_id == org.id)
        ).all()
    )
    assert len(teams) == 10 and len(agents) == 10 and len(customers) == 50
    statuses = {1: Status.OPEN, 2: Status.IN_PROGRESS, 3: Status.RESOLVED, 4: Status.CLOSED}
    priorities = {
        1: Priority.CRITICAL,
        2: Priority.HIGH,
        3: Priority.MEDIUM,
        4: Priority.LOW,
        5: Priority.LOW,
    }
    for item in ITEMS:
        ticket = tickets[item["id"]]
        assert ticket.subject == item["title"]
        assert ticket.status is statuses[item["status"]]
        assert ticket.priority is priorities[item["priority"]]
        assert customers[ticket.customer_id] == item["submitter_email"]
        assert (ticket.assignee_id is None) == (item["agent"] is None)
        if item["agent"] is not None:
            assert agents[ticket.assignee_id] == f"agent{item['agent'] + 1:02d}@workload.example"
        assert (
            teams[ticket.team_id]
            == [
                "Technical Support",
                "Billing",
                "Accounts",
                "Hardware",
                "Network",
                "Email and Calendar",
                "Security",
                "Facilities",
                "Human Resources",
                "Sales",
            ][item["queue"]]
        )
        assert ticket.created_at.isoformat() == item["created"]
        assert ticket.updated_at.isoformat() == item["modified"]
        last = item["followups"][-1]["date"]
        done = ticket.status in (Status.RESOLVED, Status.CLOSED)
        assert (ticket.resolved_at.isoformat() if ticket.resolved_at else None) == (
            last if done else None
        )
        assert (ticket.closed_at is not None) == (ticket.status is Status.CLOSED)


def test_messages_and_history_follow_the_workload(app):
    assert _load(app).exit_code == 0
    org = _org()
    item = next(i for i in ITEMS if i["status"] == 4)
    ticket = db.session.scalars(
        sa.select(Ticket).where(Ticket.organization_id == org.id, Ticket.number == item["id"])
    ).one()
    messages = list(
        db.session.scalars(
            sa.select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)
        )
    )
    assert [m.body_text for m in messages] == [item["description"]] + [
        f["comment"] for f in item["followups"]
    ]
    assert [m.author_user_id is None for m in messages] == [True] + [
        f["agent"] is None for f in item["followups"]
    ]
    assert all(m.kind is MessageKind.PUBLIC for m in messages)
    assert messages[-1].created_at.isoformat() == item["followups"][-1]["date"]
    events = list(
        db.session.scalars(
            sa.select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id)
        )
    )
    # What the service writes for the same calls: the customer's follow-up, two agent replies
    # (the first is the first response), then the status the last follow-up carries.
    assert [(e.kind, e.new_value, e.ticket_version) for e in events] == [
        (EventKind.CREATED, item["title"], 0),
        (EventKind.CUSTOMER_REPLIED, None, 1),
        (EventKind.REPLIED, None, 2),
        (EventKind.REPLIED, None, 3),
        (EventKind.STATUS, "Closed", 4),
    ]
    assert events[-1].data == {"old": "open", "new": "closed"}
    assert [e.created_at for e in events[1:]] == [m.created_at for m in messages[1:]] + [
        messages[-1].created_at
    ]
    assert ticket.first_response_at == messages[2].created_at
    assert ticket.version == 5
    assert search_tickets(org.id, item["description"].split()[3]).total >= 1


def test_an_existing_organization_is_kept_unless_reset(app):
    assert _load(app, "--org", "Twice").exit_code == 0

    refused = _load(app, "--org", "Twice")
    assert refused.exit_code != 0
    assert "--reset" in refused.output

    again = _load(app, "--org", "Twice", "--reset")
    assert again.exit_code == 0, again.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Organization).where(Organization.name == "Twice")
        )
        == 1
    )


def test_a_short_password_is_refused(app):
    result = _load(app, "--password", "short")

    assert result.exit_code != 0
    assert "too short" in result.output


@pytest.mark.sqlite
def test_the_loader_works_on_sqlite(tmp_path, migrated_sqlite):
    app = create_app(
        {
            "DATABASE_URL": migrated_sqlite(tmp_path / "wl.db"),
            "SECRET_KEY": "x",
            "PASSWORD_HASH_FAST": True,
            "TESTING": True,
        }
    )
    result = _load(app)
    assert result.exit_code == 0, result.output
    with app.app_context():
        org = _org()
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Message)
                .where(Message.organization_id == org.id)
            )
            == 200
        )
        first = db.session.scalars(sa.select(Ticket).where(Ticket.number == 1)).one()
        assert first.created_at.isoformat() == ITEMS[0]["created"]
        db.engine.dispose()
