"""Prepared statements (db.PREPARED): the hot reads are prepared once per connection and kept.

psycopg forgets a connection's prepared statements whenever a transaction rolls back, and every
read-only request ends with SQLAlchemy's rollback; db.py ends a transaction that only read with
COMMIT instead. These tests prove the statements survive, that a transaction that wrote is still
rolled back, and that nothing is prepared when the setting is off (PgBouncer before 1.21).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from supportdesk import db
from supportdesk.config import database_engine_options, normalise_url
from supportdesk.db import PREPARED
from supportdesk.tickets.models import Priority
from tests.factories import make_ticket
from tests.fixtures import postgres
from tests.fixtures.web import login_as

NOTES = sa.table("notes", sa.column("id"), sa.column("body"))
READ = sa.select(NOTES.c.body).where(NOTES.c.id == sa.bindparam("id")).execution_options(**PREPARED)
IDLE = TransactionStatus.IDLE
PLAIN_READ = sa.select(NOTES.c.id).where(NOTES.c.body == sa.bindparam("body"))


def _engine(url: str, prepared: bool) -> sa.Engine:
    url = normalise_url(url)
    # One connection, so each test sees what the last transaction left on it.
    return sa.create_engine(
        url, pool_size=1, max_overflow=0, **database_engine_options(url, prepared)
    )


@pytest.fixture
def engine(fresh_database_url: str) -> Iterator[sa.Engine]:
    engine = _engine(fresh_database_url, prepared=True)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)"))
        conn.execute(sa.text("INSERT INTO notes VALUES (1, 'kept'), (2, 'other')"))
    yield engine
    engine.dispose()


def _prepared(conn: sa.Connection) -> list[tuple[str, int, int]]:
    """The connection's prepared statements: (statement, generic plans, custom plans)."""
    return [
        tuple(row)
        for row in conn.execute(
            sa.text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        )
    ]


def test_a_marked_read_is_prepared_once_and_kept_across_read_only_transactions(engine):
    for _ in range(3):
        with engine.connect() as conn:  # like a request: reads, then SQLAlchemy's rollback
            assert conn.execute(READ, {"id": 1}).scalar() == "kept"
    with engine.connect() as conn:
        prepared = _prepared(conn)
    assert len(prepared) == 1
    statement, generic, custom = prepared[0]
    assert "FROM notes" in statement
    # Every run after the first reused the one plan, made without the values.
    assert (generic, custom) == (3, 0)


def test_a_statement_not_marked_is_not_prepared(engine):
    for _ in range(6):  # more than psycopg's own threshold (5)
        with engine.connect() as conn:
            conn.execute(PLAIN_READ, {"body": "kept"}).all()
    with engine.connect() as conn:
        assert _prepared(conn) == []


@pytest.mark.parametrize(
    "write",
    [
        "UPDATE notes SET body = 'changed' WHERE id = 1",
        "WITH changed AS (UPDATE notes SET body = 'changed' WHERE id = 1 RETURNING id) "
        "SELECT count(*) FROM changed",
        "  update notes SET body = 'changed' WHERE id = 1",
    ],
)
def test_a_transaction_that_wrote_is_still_rolled_back(engine, write):
    with engine.connect() as conn:
        conn.execute(READ, {"id": 1}).scalar()
        conn.execute(sa.text(write))
        # no commit: the connection goes back to the pool with SQLAlchemy's rollback
    with engine.connect() as conn:
        assert conn.execute(READ, {"id": 1}).scalar() == "kept"


def test_a_failed_transaction_is_rolled_back(engine):
    with engine.connect() as conn:
        conn.execute(sa.text("UPDATE notes SET body = 'changed' WHERE id = 2"))
        with pytest.raises(sa.exc.DataError):
            conn.execute(sa.text("SELECT 1 / 0"))
    with engine.connect() as conn:
        assert conn.execute(READ, {"id": 2}).scalar() == "other"


def _in_transaction(conn: sa.Connection) -> bool:
    return conn.connection.dbapi_connection.info.transaction_status != IDLE


def test_marked_reads_outside_a_transaction_open_none(engine):
    # A read-only page of marked reads: no BEGIN, no COMMIT (two round trips saved).
    with engine.connect() as conn:
        for _ in range(2):
            assert conn.execute(READ, {"id": 1}).scalar() == "kept"
            assert not _in_transaction(conn)
        conn.execute(PLAIN_READ, {"body": "kept"}).all()
        assert _in_transaction(conn)  # anything else opens one, as before


def test_a_marked_read_after_a_write_runs_in_its_transaction(engine):
    with engine.connect() as conn:
        conn.execute(sa.text("UPDATE notes SET body = 'changed' WHERE id = 1"))
        assert conn.execute(READ, {"id": 1}).scalar() == "changed"  # sees its own write
        conn.rollback()
        assert conn.execute(READ, {"id": 1}).scalar() == "kept"


@pytest.mark.parametrize("level", ["REPEATABLE READ", "SERIALIZABLE"])
def test_a_marked_read_runs_in_the_transaction_of_another_isolation_level(
    engine, fresh_database_url, level
):
    # A snapshot kept across statements is what such a transaction is for: the read is its first.
    writer = _engine(fresh_database_url, prepared=False)
    with engine.connect().execution_options(isolation_level=level) as conn:
        assert conn.execute(READ, {"id": 1}).scalar() == "kept"
        assert _in_transaction(conn)
        with writer.begin() as other:
            other.execute(sa.text("UPDATE notes SET body = 'changed' WHERE id = 1"))
        assert conn.execute(READ, {"id": 1}).scalar() == "kept"
    writer.dispose()
    with engine.connect() as conn:  # back at the default level, the connection reads on its own
        assert conn.execute(READ, {"id": 1}).scalar() == "changed"
        assert not _in_transaction(conn)


def test_nothing_is_prepared_when_the_setting_is_off(fresh_database_url, engine):
    off = _engine(fresh_database_url, prepared=False)
    try:
        for _ in range(6):
            with off.connect() as conn:
                assert conn.execute(READ, {"id": 1}).scalar() == "kept"
        with off.connect() as conn:
            assert _prepared(conn) == []
            # No startup option either: PgBouncer refuses them.
            assert conn.execute(sa.text("SHOW plan_cache_mode")).scalar() == "auto"
    finally:
        off.dispose()


@pytest.mark.parametrize(
    ("path", "prepared"),
    [
        # The session lookup, the page of tickets, their tags, the sidebar counts.
        ("/?queue=open", ["agent_sessions", "tickets", "ticket_tags", "ticket_counts"]),
        ("/?queue=mine", ["agent_sessions", "tickets", "ticket_tags", "ticket_counts"]),
        # A filtered queue's plan depends on how many tickets match: planned with its values
        # (its count too: narrowed).
        ("/?queue=open&priority=high", ["agent_sessions", "ticket_tags"]),
        # An SLA state's too; its page is empty here (no tags to read), its count plain.
        ("/?queue=breaching", ["agent_sessions", "ticket_counts"]),
    ],
)
def test_the_queue_prepares_its_reads_unless_a_filter_narrows_it(
    client, agent, org, app, path, prepared
):
    login_as(client, agent)
    signed_in = client
    make_ticket(org, priority=Priority.HIGH, tags=["vip"], assignee=agent)
    signed_in.get(path)  # fills the organization's cache (accounts.orgcache)
    seen = [
        statement
        for is_prepared, statement in _statements_of_a_get(app, signed_in, path)
        if is_prepared
    ]
    tables = [
        next(
            t
            for t in ("agent_sessions", "ticket_counts", "ticket_tags", "tickets")
            if f"FROM {t}" in s
        )
        for s in seen
    ]
    assert tables == prepared
    # A prepared page's LIMIT is in its text: a generic plan guessing a parameter's value
    # planned a page of 26 as a parallel scan at a million tickets (db.fixed_rows).
    assert not [s for s in seen if re.search(r"LIMIT %\(", s)]
    assert any("LIMIT 26" in s for s in seen if "FROM tickets" in s) == ("tickets" in prepared)


def test_a_connection_idle_for_long_is_pinged_and_kept_with_its_statements(engine, monkeypatch):
    with engine.connect() as conn:
        conn.execute(READ, {"id": 1}).scalar()
        backend = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every checkout pings
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar() == backend
        assert [s for s, _, _ in _prepared(conn)] != []


def test_a_connection_the_server_ended_is_replaced_without_a_ping(engine, fresh_database_url):
    with engine.connect() as conn:
        backend = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    postgres.end_every_connection_of(fresh_database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar() != backend
        assert conn.execute(READ, {"id": 1}).scalar() == "kept"


def test_a_ticket_page_with_emailed_replies_reads_only_prepared_statements(client, agent, org, app):
    # Every read of the page is marked, the email badges' too: the page opens no transaction
    # (no BEGIN, no COMMIT).
    from supportdesk.extensions import db as sqla
    from supportdesk.tickets import service

    ticket = make_ticket(org, assignee=agent)
    service.reply(agent, ticket, "We are on it.")
    sqla.session.commit()
    login_as(client, agent)
    path = f"/tickets/{ticket.number}"
    client.get(path)  # fills the organization's cache (accounts.orgcache)
    seen = _statements_of_a_get(app, client, path)
    assert any("FROM email_messages" in statement for _, statement in seen)
    # Its reads (the suite keeps tests apart with SAVEPOINTs of its own).
    reads = [(prepared, s) for prepared, s in seen if s.startswith("SELECT")]
    assert [statement for prepared, statement in reads if not prepared] == []


def _statements_of_a_get(app, client, path: str) -> list[tuple[bool, str]]:
    """(whether prepared, statement) of each statement a GET of `path` ran (answered 200)."""
    from supportdesk.extensions import db as sqla

    seen: list[tuple[bool, str]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((bool(context.execution_options.get("prepared")), statement))

    with app.app_context():
        engine = sqla.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen
