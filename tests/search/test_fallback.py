"""The SQLite fallback (LIKE matching): same results shape, ranking and filters."""

from __future__ import annotations

import pytest

from supportdesk import create_app
from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.search import search_tickets
from supportdesk.tickets import service
from supportdesk.tickets.models import Status
from supportdesk.tickets.queries import QueueFilter
from tests import factories

pytestmark = pytest.mark.sqlite


@pytest.fixture
def sqlite_org(tmp_path, migrated_sqlite):
    """An organization with an agent on a migrated SQLite file, inside its app context."""
    app = create_app(
        {
            "DATABASE_URL": migrated_sqlite(tmp_path / "search.db"),
            "SECRET_KEY": "search",
            "PASSWORD_HASH_FAST": True,
            "TESTING": True,
        }
    )
    with app.app_context():
        org = factories.OrganizationFactory()
        agent = factories.UserFactory(organization=org, role=Role.AGENT)
        yield org, agent
        db.session.rollback()
        db.engine.dispose()


def _numbers(page) -> list[int]:
    return [hit.ticket.number for hit in page.hits]


def test_fallback_finds_words_in_later_messages_subjects_customers_and_numbers(sqlite_org):
    org, agent = sqlite_org
    zelda = factories.CustomerFactory(organization=org, name="Zelda Q", email="zq@umbrella.example")
    first = factories.make_ticket(org, customer=zelda, subject="Laptop", body="Broken")
    bob = factories.CustomerFactory(organization=org, name="Bob R", email="br@initech.example")
    second = factories.make_ticket(org, customer=bob, subject="Kerberos tickets expire")
    service.reply(agent, first, "Check the <b>kerberos</b> cache, 100% sure.")
    other = factories.OrganizationFactory()
    factories.make_ticket(other, subject="kerberos elsewhere")
    db.session.flush()

    page = search_tickets(org.id, "Kerberos")
    assert _numbers(page) == [second.number, first.number]  # subject beats message
    assert page.total == 2
    assert str(page.hits[0].subject) == "<mark>Kerberos</mark> tickets expire"
    assert "&lt;b&gt;<mark>kerberos</mark>&lt;/b&gt;" in str(page.hits[1].snippet)
    assert _numbers(search_tickets(org.id, "zelda")) == [first.number]
    assert _numbers(search_tickets(org.id, "umbrella.example")) == [first.number]
    assert _numbers(search_tickets(org.id, f"#{second.number}")) == [second.number]
    assert _numbers(search_tickets(org.id, "100%")) == [first.number]
    assert search_tickets(org.id, "kerberos nowhere").hits == []


def test_fallback_applies_the_queue_filters(sqlite_org):
    org, agent = sqlite_org
    open_one = factories.make_ticket(org, subject="vpn down", assignee=agent)
    factories.make_ticket(org, subject="vpn slow", status=Status.CLOSED)
    db.session.flush()

    page = search_tickets(org.id, "vpn", QueueFilter(queue="mine"), user_id=agent.id)

    assert _numbers(page) == [open_one.number]
