"""Two saves racing with the same version on a real, committed database: one wins, one gets 409.

A third connection holds the ticket's row lock while both requests, having read version 1, wait
at the version check (which locks the row: tickets.service.ensure_current); when it lets go, the
first saves version 2 and the second, checking after that COMMIT, is refused.
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from supportdesk import create_app
from supportdesk.accounts.models import Role
from supportdesk.accounts.service import create_organization, register_agent
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.tickets import service as tickets
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token
from tests.factories import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def committed_app(migrated_database_url):
    """An app on its own migrated database, where data is really committed."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": migrated_database_url,
            "REDIS_URL": None,
            "SECRET_KEY": "test",
            "PASSWORD_HASH_FAST": True,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _waiting_on_locks(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


def test_two_saves_with_the_same_version_one_wins_the_other_gets_409(committed_app):
    with committed_app.app_context():
        org = create_organization("Race")
        agent = register_agent(
            org, email="racer@example.com", name="Racer", password=PASSWORD, role=Role.AGENT
        )
        ticket = tickets.open_ticket(
            org.id, actor=agent, customer_email="c@example.com", subject="Race", body="Go"
        )
        tokens = []
        for name in ("first", "second"):
            token, plain = create_token(agent, name=name, scope=Scope.READ_WRITE)
            token.last_used_at = utcnow()  # no last-used write during the race
            tokens.append(plain)
        number = ticket.number
        db.session.commit()
        engine = db.engine

    results: dict[str, int] = {}

    def save(plain: str, priority: str) -> None:
        response = committed_app.test_client().patch(
            f"/api/v1/tickets/{number}",
            json={"version": 1, "priority": priority},
            headers={"Authorization": f"Bearer {plain}"},
        )
        results[priority] = response.status_code

    with engine.connect() as blocker:
        blocker.execute(
            sa.text("SELECT id FROM tickets WHERE number = :n FOR UPDATE"), {"n": number}
        )
        threads = [
            threading.Thread(target=save, args=(tokens[0], "high")),
            threading.Thread(target=save, args=(tokens[1], "low")),
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 15
        while _waiting_on_locks(engine) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_on_locks(engine) == 2, "both saves should be waiting for the row"
        blocker.rollback()
    for thread in threads:
        thread.join(timeout=15)

    assert sorted(results.values()) == [200, 409]
    winner = next(p for p, status in results.items() if status == 200)
    with committed_app.app_context():
        row = db.session.execute(
            sa.text("SELECT priority, version FROM tickets WHERE number = :n"), {"n": number}
        ).one()
    assert row.version == 2
    assert row.priority == {"high": 3, "low": 1}[winner]


def test_two_replies_at_the_same_moment_both_land(committed_app):
    """Replies are appended: the second waits for the first's COMMIT instead of failing the
    version check of the ticket row both change (a 500 the drill found)."""
    with committed_app.app_context():
        org = create_organization("Replies")
        agent = register_agent(
            org, email="replier@example.com", name="Replier", password=PASSWORD, role=Role.AGENT
        )
        ticket = tickets.open_ticket(
            org.id, actor=agent, customer_email="c@example.com", subject="Two", body="Hello"
        )
        token, plain = create_token(agent, name="replies", scope=Scope.READ_WRITE)
        token.last_used_at = utcnow()  # no last-used write during the race
        number = ticket.number
        db.session.commit()
        engine = db.engine

    results: list[int] = []

    def reply(body: str) -> None:
        response = committed_app.test_client().post(
            f"/api/v1/tickets/{number}/messages",
            json={"body": body},
            headers={"Authorization": f"Bearer {plain}"},
        )
        results.append(response.status_code)

    with engine.connect() as blocker:
        blocker.execute(
            sa.text("SELECT id FROM tickets WHERE number = :n FOR UPDATE"), {"n": number}
        )
        threads = [threading.Thread(target=reply, args=(f"Answer {i}",)) for i in (1, 2)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 15
        while _waiting_on_locks(engine) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_on_locks(engine) == 2, "both replies should be waiting for the row"
        blocker.rollback()
    for thread in threads:
        thread.join(timeout=15)

    assert results == [201, 201]
    with committed_app.app_context():
        bodies = db.session.scalars(
            sa.text(
                "SELECT m.body_text FROM messages m JOIN tickets t ON t.id = m.ticket_id "
                "WHERE t.number = :n ORDER BY m.id"
            ),
            {"n": number},
        ).all()
    assert bodies[0] == "Hello"
    assert sorted(bodies[1:]) == ["Answer 1", "Answer 2"]
