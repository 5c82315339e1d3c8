"""Real commits from more connections than PgBouncer has server connections.

Each transaction may land on another server connection, so anything a connection remembers
between transactions (psycopg's prepared statements above all) would break here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from supportdesk import create_app, outbox
from supportdesk.accounts.models import Organization
from supportdesk.config import ConfigurationError, database_engine_options, normalise_url
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Ticket
from tests import factories
from tests.fixtures import migrations
from tests.fixtures.pgbouncer import SERVER_POOL_SIZE
from tests.mail.helpers import make_email

THREADS = SERVER_POOL_SIZE * 2
ROUNDS = 8  # more than psycopg's prepare_threshold (5): a prepared statement would be reused


@pytest.fixture
def pooled_app(fresh_database_url: str, pgbouncer) -> Iterator[Flask]:
    """An app on its own database through PgBouncer, where every transaction really commits.

    Its engine options are production's behind PgBouncer (supportdesk.config.database_engine_options
    with prepared statements off).
    """
    url = sa.engine.make_url(fresh_database_url).set(host=pgbouncer.host, port=pgbouncer.port)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "SECRET_KEY": "t",
            "REDIS_URL": None,
            # What the README tells an installation behind PgBouncer 1.18 to set.
            "DATABASE_PREPARED_STATEMENTS": False,
        }
    )
    migrations.upgrade(app)  # Alembic's DDL through PgBouncer too
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def in_threads(app: Flask, work: Callable[[int], None]) -> list[BaseException]:
    """Run work(i) in THREADS threads at once, each in its own app context; the errors raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(i: int) -> None:
        with app.app_context():
            try:
                start.wait()
                work(i)
            except BaseException as exc:  # noqa: BLE001 (reported by the test)
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_the_suite_app_here_talks_to_pgbouncer(app, pgbouncer, postgresql_server):
    with app.app_context():
        server_port = db.session.execute(sa.text("SELECT inet_server_port()")).scalar()
        assert (db.engine.url.port, server_port) == (pgbouncer.port, postgresql_server.port)


def test_prepared_statements_left_on_behind_pgbouncer_say_what_to_set(database_url, pgbouncer):
    url = sa.engine.make_url(database_url).set(host=pgbouncer.host, port=pgbouncer.port)
    url = normalise_url(url.render_as_string(hide_password=False))
    engine = sa.create_engine(url, **database_engine_options(url, prepared=True))
    try:
        with pytest.raises(ConfigurationError) as refused, engine.connect():
            pass
    finally:
        engine.dispose()
    assert "SUPPORTDESK_DATABASE_PREPARED_STATEMENTS=false" in str(refused.value)
    assert "unsupported startup parameter" in str(refused.value)


def test_concurrent_ticket_creation_shares_few_server_connections(pooled_app):
    with pooled_app.app_context():
        org = factories.OrganizationFactory()
        db.session.commit()
        org_id = org.id
    backends: set[int] = set()

    def open_tickets(i: int) -> None:
        for n in range(ROUNDS):
            tickets.open_ticket(
                org_id,
                actor=None,
                customer_email=f"c{i}@example.com",
                subject=f"Thread {i} ticket {n}",
                body="Hello",
            )
            backends.add(db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar())
            db.session.commit()

    assert in_threads(pooled_app, open_tickets) == []
    with pooled_app.app_context():
        numbers = db.session.scalars(
            sa.select(Ticket.number).where(Ticket.organization_id == org_id)
        ).all()
        assert sorted(numbers) == list(range(1, THREADS * ROUNDS + 1))
        assert db.session.get(Organization, org_id).last_ticket_number == THREADS * ROUNDS
    # More clients than server connections: transactions really moved between them.
    assert len(backends) <= SERVER_POOL_SIZE < THREADS


def test_outbox_claims_through_pgbouncer_take_each_row_once(pooled_app):
    with pooled_app.app_context():
        org = factories.OrganizationFactory()
        db.session.flush()
        ids = [make_email(org).id for _ in range(ROUNDS * 2)]
        db.session.commit()
    claimed: list[int] = []

    def claim_all(_i: int) -> None:
        for row_id in ids:
            got = outbox.claim_due(EmailMessage, lease_seconds=60, limit=1, ids=[row_id])
            db.session.commit()
            claimed.extend(got)

    assert in_threads(pooled_app, claim_all) == []
    assert sorted(claimed) == sorted(ids)
