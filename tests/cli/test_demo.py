"""`seed-demo`: the same seed gives the same data, the data is consistent, seeding twice is refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict

import pytest
import sqlalchemy as sa
from flask import Flask

from supportdesk import create_app
from supportdesk.accounts.models import Organization, Role, Team, User
from supportdesk.accounts.passwords import hash_password, verify_password
from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.tickets.models import (
    EventKind,
    Message,
    MessageKind,
    Status,
    Ticket,
    TicketEvent,
    TicketTag,
)
from supportdesk.tickets.transitions import can_move

pytestmark = pytest.mark.integration

NOW = "2026-06-01T12:00:00+00:00"
TICKETS = 60


def seed_demo(app: Flask, *options: str, tickets: int = TICKETS, seed: int = 7):
    """Run `seed-demo` with a fixed --now; returns click's result."""
    args = ["seed-demo", "--tickets", str(tickets), "--seed", str(seed), "--now", NOW, *options]
    return app.test_cli_runner().invoke(args=args)


@pytest.fixture
def seeded(app: Flask):
    """The demo organizations with 60 tickets in the main one."""
    result = seed_demo(app)
    assert result.exit_code == 0, result.output
    return result


def organization(slug: str = "acme-support") -> Organization:
    """The demo organization with this slug."""
    return db.session.scalars(sa.select(Organization).where(Organization.slug == slug)).one()


def ticket_rows(org: Organization) -> dict[int, dict]:
    """Each ticket of `org` by number, with its messages, events and tags, and no database ids.

    Ids come from sequences, which differ between runs; people are named by email instead.
    """
    users = dict(db.session.execute(sa.select(User.id, User.email)).all())
    customers = dict(db.session.execute(sa.select(Customer.id, Customer.email)).all())
    teams = dict(db.session.execute(sa.select(Team.id, Team.name)).all())
    tickets = db.session.scalars(sa.select(Ticket).where(Ticket.organization_id == org.id)).all()
    children = defaultdict(lambda: {"messages": [], "events": [], "tags": []})
    for m in db.session.scalars(
        sa.select(Message).where(Message.organization_id == org.id).order_by(Message.id)
    ):
        author = users.get(m.author_user_id) or customers[m.author_customer_id]
        children[m.ticket_id]["messages"].append(
            {"kind": m.kind, "author": author, "by_customer": m.author_user_id is None,
             "body": m.body_text, "at": m.created_at}
        )  # fmt: skip
    for e in db.session.scalars(
        sa.select(TicketEvent).where(TicketEvent.organization_id == org.id).order_by(TicketEvent.id)
    ):
        data = dict(e.data)
        if e.kind is EventKind.ASSIGNEE:
            data = {key: users.get(value) for key, value in data.items()}
        actor = users.get(e.actor_user_id) or customers.get(e.actor_customer_id)
        children[e.ticket_id]["events"].append(
            {"kind": e.kind, "actor": actor, "old": e.old_value, "new": e.new_value, "data": data,
             "version": e.ticket_version, "at": e.created_at}
        )  # fmt: skip
    for tag in db.session.scalars(sa.select(TicketTag).where(TicketTag.organization_id == org.id)):
        children[tag.ticket_id]["tags"].append(tag.name)
    return {
        t.number: {
            "subject": t.subject, "status": t.status, "priority": t.priority,
            "channel": t.channel, "customer": customers[t.customer_id],
            "customer_id": t.customer_id, "assignee": users.get(t.assignee_id),
            "team": teams.get(t.team_id), "created_at": t.created_at, "updated_at": t.updated_at,
            "first_response_at": t.first_response_at, "resolved_at": t.resolved_at,
            "closed_at": t.closed_at, "version": t.version, **children[t.id],
        }
        for t in tickets
    }  # fmt: skip


def digests(slug: str = "acme-support") -> dict[int, str]:
    """A fingerprint of every ticket of the demo organization, by ticket number."""
    result = {}
    for number, row in ticket_rows(organization(slug)).items():
        row = {**row, "tags": sorted(row["tags"])}
        row.pop("customer_id")
        text = json.dumps(row, default=lambda value: getattr(value, "value", str(value)))
        result[number] = hashlib.sha256(text.encode()).hexdigest()
    return result


# -- determinism -------------------------------------------------------------------------------


def test_the_same_seed_and_time_give_identical_demo_data(app, seeded):
    first = {slug: digests(slug) for slug in ("acme-support", "globex-helpdesk")}

    again = seed_demo(app, "--reset")

    assert again.exit_code == 0, again.output
    assert {slug: digests(slug) for slug in ("acme-support", "globex-helpdesk")} == first


def test_a_different_seed_gives_different_demo_data(app, seeded):
    first = digests()

    assert seed_demo(app, "--reset", seed=8).exit_code == 0

    assert digests() != first


# -- consistency -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "count"),
    [
        pytest.param("acme-support", TICKETS, id="main"),
        pytest.param("globex-helpdesk", 12, id="other"),
    ],
)
def test_ticket_numbers_run_from_one_to_n_and_the_counter_matches(seeded, slug, count):
    org = organization(slug)

    numbers = db.session.scalars(
        sa.select(Ticket.number).where(Ticket.organization_id == org.id).order_by(Ticket.number)
    ).all()

    assert numbers == list(range(1, count + 1))
    assert org.last_ticket_number == count


def test_every_conversation_starts_with_the_customer_and_has_one_to_six_messages(seeded):
    for number, ticket in ticket_rows(organization()).items():
        messages = ticket["messages"]

        assert 1 <= len(messages) <= 6, number
        assert messages[0]["author"] == ticket["customer"], number
        assert messages[0]["kind"] is MessageKind.PUBLIC, number
        assert [m["at"] for m in messages] == sorted(m["at"] for m in messages), number
        assert ticket["events"][0]["kind"] is EventKind.CREATED, number


def test_every_history_replays_to_the_ticket_status_and_timestamps(seeded):
    now = dt.datetime.fromisoformat(NOW)
    for number, ticket in ticket_rows(organization()).items():
        status, resolved, closed = Status.OPEN, None, None
        for event in ticket["events"]:
            if event["kind"] is EventKind.STATUS:
                old, new = Status(event["data"]["old"]), Status(event["data"]["new"])
                assert old is status and can_move(old, new), number
                status = new
                if new is Status.RESOLVED:
                    resolved = event["at"]
                elif new is Status.CLOSED:
                    closed, resolved = event["at"], resolved or event["at"]
                else:
                    resolved = closed = None
        first_answer = next(
            (m["at"] for m in ticket["messages"] if m["kind"] is MessageKind.PUBLIC
             and not m["by_customer"]),
            None,
        )  # fmt: skip
        times = [e["at"] for e in ticket["events"]]

        assert status is ticket["status"], number
        assert (resolved, closed) == (ticket["resolved_at"], ticket["closed_at"]), number
        assert first_answer == ticket["first_response_at"], number
        assert times == sorted(times) and times[-1] == ticket["updated_at"] < now, number
        assert len(ticket["events"]) >= len(ticket["messages"]), number
        # Each change is made against the version before it, as the service records them.
        versions = [e["version"] for e in ticket["events"]]
        assert versions == sorted(versions), number
        assert sorted(set(versions)) == list(range(len(set(versions)))), number  # no gaps
        assert ticket["version"] - versions[-1] in (0, 1), number


def test_statuses_are_spread_over_the_whole_lifecycle(seeded):
    statuses = {ticket["status"] for ticket in ticket_rows(organization()).values()}

    assert statuses >= {Status.OPEN, Status.PENDING, Status.CLOSED}


def test_every_demo_agent_signs_in_with_the_shared_password(seeded):
    agents = db.session.scalars(
        sa.select(User).where(User.organization_id == organization().id)
    ).all()
    admin = next(agent for agent in agents if agent.email == "admin@acme-support.example")

    assert len({agent.password_hash for agent in agents}) == 1
    assert verify_password(admin.password_hash, "demo-password-123")
    assert admin.role is Role.ADMIN
    assert sum(not agent.active for agent in agents) == 1
    assert (
        "Sign in at http://127.0.0.1:5000 as admin@acme-support.example with the password "
        "'demo-password-123'." in seeded.output
    )


# -- running it again --------------------------------------------------------------------------


def test_seeding_again_without_reset_is_refused_with_a_clear_message(app, seeded):
    result = seed_demo(app)

    assert result.exit_code == 1
    assert "The demo data already exists" in result.output
    assert "--reset" in result.output


def test_reset_replaces_the_demo_data(app, seeded):
    result = seed_demo(app, "--reset", tickets=25)

    assert result.exit_code == 0, result.output
    assert len(db.session.scalars(sa.select(Organization.id)).all()) == 2
    assert organization().last_ticket_number == 25
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 25 + 12


def test_skip_if_present_leaves_the_demo_data_alone(app, seeded):
    before = digests()

    result = seed_demo(app, "--skip-if-present", seed=99)

    assert result.exit_code == 0, result.output
    assert "nothing to do" in result.output
    assert digests() == before
    # `make run` seeds with --skip-if-present: every start still says how to sign in.
    assert "as admin@acme-support.example with the password 'demo-password-123'." in result.output


def test_the_sign_in_hint_follows_the_base_url_and_a_changed_password(app, seeded, monkeypatch):
    admin = db.session.scalars(
        sa.select(User).where(User.email == "admin@acme-support.example")
    ).one()
    admin.password_hash = hash_password("another long passphrase")
    db.session.commit()
    monkeypatch.setitem(app.config, "BASE_URL", "http://127.0.0.1:5051")
    result = seed_demo(app, "--skip-if-present")

    assert result.exit_code == 0, result.output
    assert (
        "Sign in at http://127.0.0.1:5051 as admin@acme-support.example; the password "
        "'demo-password-123' no longer works for it." in result.output
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(["--password", "short"], "The password is too short", id="short password"),
        pytest.param(["--reset", "--skip-if-present"], "not both", id="reset and skip"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(app, options, message):
    result = seed_demo(app, *options)

    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 0


def test_a_now_that_is_not_a_time_is_refused(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--now", "yesterday"])

    assert result.exit_code == 2
    assert "ISO time" in result.output


# -- the embedded default ----------------------------------------------------------------------


@pytest.mark.sqlite
def test_seeding_works_on_the_embedded_sqlite_database(tmp_path, migrated_sqlite):
    app = create_app(
        {
            "DATABASE_URL": migrated_sqlite(tmp_path / "demo.db"),
            "SECRET_KEY": "demo",
            "PASSWORD_HASH_FAST": True,
            "TESTING": True,
        }
    )
    with app.app_context():
        result = seed_demo(app)

        assert result.exit_code == 0, result.output
        assert len(digests()) == TICKETS
        assert organization().last_ticket_number == TICKETS
        db.engine.dispose()
