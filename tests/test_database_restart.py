"""PostgreSQL restarted under a running app: the pool's connections are dead, and the first request
afterwards is still served (the pool checks a connection before lending it: a dead one's socket
is readable, and one idle for long is pinged; supportdesk.db._lend_only_live_connections)."""

from __future__ import annotations

import time

import psycopg
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.tickets.models import Priority
from tests.factories import OrganizationFactory, UserFactory, make_ticket
from tests.fixtures.web import login_as


def _end_every_connection_of(url: str) -> int:
    """What a restart does to the app's pooled connections: the server ends them all."""
    url = sa.make_url(url)
    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database,
        autocommit=True,
    ) as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
        for _ in range(200):  # the backends exit asynchronously
            left = admin.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            if not left:
                break
            time.sleep(0.05)
    return ended


def test_the_first_request_after_a_database_restart_is_served(committed_app, migrated_database_url):
    with committed_app.app_context():
        org = OrganizationFactory()
        agent = UserFactory(organization=org)
        ticket = make_ticket(org, subject="Printer", priority=Priority.HIGH)
        db.session.commit()
        number = ticket.number
        client = committed_app.test_client()
        login_as(client, agent)
        db.session.commit()
    assert client.get(f"/tickets/{number}").status_code == 200  # the pool now holds connections

    assert _end_every_connection_of(migrated_database_url) >= 1

    page = client.get(f"/tickets/{number}")
    assert page.status_code == 200
    assert "Printer" in page.get_data(as_text=True)
