"""Session services (PostgreSQL, Redis), the app with its migrated schema, per-test rollback.

Environment:
- SUPPORTDESK_TEST_DATABASE_URL: use this PostgreSQL server (a fresh database is created on it
  and dropped at the end); otherwise a throwaway server is started from the local binaries.
- SUPPORTDESK_TEST_REDIS_URL: use this Redis (one DB number per xdist worker, flushed around
  tests); otherwise a throwaway redis-server is started, only when a test needs it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from pytest_redis import factories as redis_factories
from redis import Redis

from supportdesk import create_app, events
from supportdesk.accounts.models import Role
from supportdesk.extensions import Session as AppSession
from supportdesk.extensions import db
from tests import factories
from tests.fixtures import events as test_events
from tests.fixtures import migrations, postgres, redis_server, sqlite
from tests.fixtures.web import suite_app

# "gw0", "gw1", … under pytest-xdist; "main" otherwise.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


# -- markers -----------------------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that reach the database `integration`, and unmarked ones without it `unit`."""
    kinds = {"unit", "integration", "e2e", "sqlite"}
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "app" in names or "database_url" in names:
            item.add_marker(pytest.mark.integration)
        elif not kinds.intersection(mark.name for mark in item.iter_markers()):
            item.add_marker(pytest.mark.unit)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Run the browser tests last (after pytest-randomly's shuffle, keeping their own order).

    Playwright's sync API keeps an event loop running in the main thread from the first browser
    test to the end of the session; an asyncio test after it would find that loop and fail.
    """
    browser = [item for item in session.items if item.get_closest_marker("e2e")]
    if browser:
        others = [item for item in session.items if not item.get_closest_marker("e2e")]
        session.items[:] = others + browser


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[postgres.Server]:
    """The PostgreSQL server for the session: the configured one, or a throwaway local one."""
    configured = os.environ.get("SUPPORTDESK_TEST_DATABASE_URL")
    if configured:
        server = postgres.server_from_url(configured)
        postgres.check_answers(server)
        yield server
    else:
        with postgres.throwaway_server() as server:
            yield server


@pytest.fixture(scope="session")
def database_url(postgresql_server: postgres.Server, migrated_template: str) -> Iterator[str]:
    """The database of this session's app (one per xdist worker), dropped at the end: a copy of
    `migrated_template`, so the app finds its schema at the migrations' head without running
    them again."""
    name = f"supportdesk_test_{WORKER}_{secrets.token_hex(4)}"
    with postgres.temporary_database(postgresql_server, name, template=migrated_template) as url:
        yield url


@pytest.fixture
def fresh_database_url(postgresql_server: postgres.Server) -> Iterator[str]:
    """Another empty database on the same server, for tests that build or drop a schema."""
    name = f"supportdesk_scratch_{WORKER}_{secrets.token_hex(4)}"
    with postgres.temporary_database(postgresql_server, name) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], str]:
    """Put a migrated SQLite file at a path, and get its URL: `migrated_sqlite(tmp_path / "x.db")`.

    The migrations run once per session (some 2 s on SQLite); each test gets its own copy of
    the result. tests/test_migrations.py still builds a file from nothing and checks it.
    """
    template = tmp_path_factory.mktemp("sqlite-template") / "supportdesk.db"
    sqlite.build_template(template)
    return lambda path: sqlite.copy_of(template, path)


@pytest.fixture(scope="session")
def migrated_template(postgresql_server: postgres.Server) -> Iterator[str]:
    """The name of a database the migrations built once for this session (one per xdist
    worker), which `migrated_database_url` copies. Nothing stays connected to it."""
    name = f"supportdesk_template_{WORKER}_{secrets.token_hex(4)}"
    with postgres.temporary_database(postgresql_server, name) as url:
        app = create_app(
            {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "t", "REDIS_URL": None}
        )
        migrations.upgrade(app)
        with app.app_context():
            db.engine.dispose()
        yield name


@pytest.fixture
def migrated_database_url(
    postgresql_server: postgres.Server, migrated_template: str
) -> Iterator[str]:
    """Another database on the same server with the migrated schema and no rows, for tests whose
    commits must be real (several connections, processes). A copy of `migrated_template`
    (CREATE DATABASE … TEMPLATE): the migrations run once per session, not for each such test
    (tests/test_migrations.py runs them from nothing on `fresh_database_url`)."""
    name = f"supportdesk_scratch_{WORKER}_{secrets.token_hex(4)}"
    with postgres.temporary_database(postgresql_server, name, template=migrated_template) as url:
        yield url


# -- Redis -----------------------------------------------------------------------------------

# Started only if a test asks for `redis_url` and no server is configured.
_redis_server = redis_factories.redis_proc(
    executable=shutil.which("redis-server") or "/usr/bin/redis-server", port=None
)


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest) -> str:
    """The Redis URL for the session (configured, or a throwaway redis-server started lazily)."""
    configured = os.environ.get("SUPPORTDESK_TEST_REDIS_URL")
    if not configured:
        server = request.getfixturevalue("_redis_server")
        return f"redis://{server.host}:{server.port}/0"
    url = redis_server.url_for_worker(configured, WORKER)
    redis_server.check_answers(url)
    return url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[Redis]:
    """A client on the session's Redis DB, empty at the start of the test and flushed after."""
    client = Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


# -- the app ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    """The app on the session's PostgreSQL and Redis, schema built once by the migrations.

    CSRF protection stays on: view tests post the token (tests.fixtures.web.csrf_token).
    """
    with suite_app(database_url, redis_url) as app:
        yield app


# -- per-test isolation ----------------------------------------------------------------------


class ConnectionBoundSession(AppSession):
    """The app's session pinned to the test's connection (Flask-SQLAlchemy's get_bind ignores `bind`)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@pytest.fixture(autouse=True)
def _rollback_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test that uses the app inside a transaction that is rolled back afterwards.

    The session joins the connection's transaction through savepoints, so code under test may
    commit() and rollback() freely: its commits release a savepoint, never the transaction.
    """
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": ConnectionBoundSession,
            }
        )
        try:
            yield
        finally:
            scoped, db.session = db.session, original
            # Sessions opened under any app context during the test (requests included).
            for session in list(scoped.registry.registry.values()):
                session.close()
            scoped.registry.registry.clear()
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _signal_dispositions_kept() -> Iterator[None]:
    """Put SIGTERM and SIGINT back as they were after each test.

    A command run in-process (`flask worker --burst` ignores both once it has stopped) would
    otherwise leave them ignored, and every process a later test starts inherits an ignored
    signal: a server told to stop with SIGTERM then runs on after its test.
    """
    saved = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    yield
    for number, handler in saved.items():
        if handler is not None and signal.getsignal(number) is not handler:
            signal.signal(number, handler)


@pytest.fixture(autouse=True)
def _empty_redis(request: pytest.FixtureRequest) -> Iterator[None]:
    """Flush the app's Redis DB after each test that uses the app (login throttles, queues)."""
    yield
    if "app" in request.fixturenames:
        request.getfixturevalue("app").extensions["redis"].flushdb()


# -- query counting --------------------------------------------------------------------------

_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@dataclass
class QueryCount:
    """The SQL statements run during a `query_counter()` block (savepoint control excluded)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def query_counter(app: Flask) -> Callable[[], AbstractContextManager[QueryCount]]:
    """A context manager counting the SQL statements run on db.engine inside the block.

        with query_counter() as queries:
            list_queue(...)
        assert queries.count == 2

    SAVEPOINT statements are left out: they come from the test's rollback fixture, not the code.
    """

    @contextmanager
    def counting() -> Iterator[QueryCount]:
        counted = QueryCount()

        def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
                counted.statements.append(statement)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield counted
        finally:
            sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)

    return counting


# -- subscribers ---------------------------------------------------------------------------


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[list]:
    """Every domain event handed to the subscribers during the test, seen by a last subscriber."""
    monkeypatch.setattr(events, "SUBSCRIBERS", (*events.SUBSCRIBERS, test_events.LISTENER))
    test_events.SEEN.clear()
    yield test_events.SEEN
    test_events.SEEN.clear()


# -- everyday data ---------------------------------------------------------------------------


@pytest.fixture
def org(app: Flask):
    """An organization with no agents yet."""
    return factories.OrganizationFactory()


@pytest.fixture
def other_org(app: Flask):
    """A second tenant, whose rows the first one must never reach."""
    return factories.OrganizationFactory()


@pytest.fixture
def admin(org):
    """An active admin of `org`."""
    return factories.UserFactory(organization=org, role=Role.ADMIN, name="Ada Admin")


@pytest.fixture
def senior_agent(org):
    """An active senior agent of `org`."""
    return factories.UserFactory(organization=org, role=Role.SENIOR_AGENT, name="Sam Senior")


@pytest.fixture
def agent(org):
    """An active agent of `org`."""
    return factories.UserFactory(organization=org, role=Role.AGENT, name="Alex Agent")


@pytest.fixture
def viewer(org):
    """An active viewer (read-only) of `org`."""
    return factories.UserFactory(organization=org, role=Role.VIEWER, name="Vic Viewer")


@pytest.fixture
def customer(org):
    """A customer of `org`."""
    return factories.CustomerFactory(organization=org)


@pytest.fixture
def ticket(org, customer):
    """An open ticket of `customer`, opened by the customer (no actor), with one message."""
    return factories.make_ticket(org, customer=customer)


@pytest.fixture
def client(app: Flask):
    """A test client whose requests each run in a fresh app context (see IsolatedClient).

    Replaces pytest-flask's fixture, whose `with` block keeps the last request's context pushed.
    """
    return app.test_client()


# -- a committing app (concurrency tests) ------------------------------------------------------


@pytest.fixture
def committed_app(migrated_database_url):
    """An app on its own migrated database, where each thread's transactions really commit."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": migrated_database_url,
            "SECRET_KEY": "t",
            "REDIS_URL": None,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
