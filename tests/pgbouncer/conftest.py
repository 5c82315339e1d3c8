"""Re-run key parts of the suite through a real PgBouncer in transaction pooling mode.

The modules here import the tests of a suite module; `app` and `database_url` are overridden so
those tests reach the session's database through PgBouncer (same database, same per-test
rollback). test_transaction_pooling.py adds flows with real commits from many connections.
Skipped, with one sentence, where the pgbouncer binary is absent.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.api.conftest import anonymous, api, api_as, make_token  # noqa: F401
from tests.fixtures import pgbouncer as bouncer
from tests.fixtures import postgres
from tests.fixtures.web import suite_app
from tests.mail.fixtures import mail_config, run_worker, smtp  # noqa: F401


@pytest.fixture(scope="session")
def pgbouncer(postgresql_server: postgres.Server) -> Iterator[postgres.Server]:
    """PgBouncer (transaction pooling) in front of the session's PostgreSQL server."""
    if bouncer.binary() is None:
        pytest.skip(bouncer.MISSING)
    with bouncer.running(postgresql_server) as server:
        yield server


@pytest.fixture(scope="session")
def database_url(database_url: str, pgbouncer: postgres.Server) -> str:
    """The session's database, reached through PgBouncer."""
    url = sa.engine.make_url(database_url).set(host=pgbouncer.host, port=pgbouncer.port)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    """The suite's app with SUPPORTDESK_DATABASE_URL pointing at PgBouncer."""
    with suite_app(database_url, redis_url, DATABASE_PREPARED_STATEMENTS=False) as app:
        yield app
