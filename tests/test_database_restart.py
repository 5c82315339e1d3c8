"""PostgreSQL restarted under a running app: the pool's connections are dead, and the first request
afterwards is still served (the pool checks a connection before lending it: a dead one's socket
is readable, and one idle for long is pinged; supportdesk.db._lend_only_live_connections)."""

from __future__ import annotations

from supportdesk.extensions import db
from supportdesk.tickets.models import Priority
from tests.factories import OrganizationFactory, UserFactory, make_ticket
from tests.fixtures import postgres
from tests.fixtures.web import login_as


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

    assert postgres.end_every_connection_of(migrated_database_url) >= 1

    page = client.get(f"/tickets/{number}")
    assert page.status_code == 200
    assert "Printer" in page.get_data(as_text=True)
