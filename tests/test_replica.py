"""Replica routing against a real streaming replica: a throwaway primary and its pg_basebackup copy.

Replay on the standby is paused (pg_wal_replay_pause) to give it a stale view: whoever reads
the replica then misses the newest rows, which shows where each read went.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from supportdesk import create_app, replica
from supportdesk.accounts.models import Organization
from supportdesk.config import ConfigurationError
from supportdesk.extensions import db
from supportdesk.redis_fallback import fail_fast_redis
from supportdesk.search import search_tickets
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token
from tests import factories
from tests.fixtures import migrations, postgres
from tests.fixtures.web import IsolatedClient

pytestmark = pytest.mark.integration

REPLAY_TIMEOUT = 30  # seconds a caught-up standby may take to replay the newest commit


def _sql(server: postgres.Server, statement: str, dbname: str = "postgres"):
    with server.connect(dbname, autocommit=True) as connection:
        return connection.execute(statement).fetchone()[0]


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[postgres.Server, postgres.Server]]:
    """A throwaway primary and a hot standby streaming from it."""
    missing = postgres.standby_binaries_missing()
    if missing:
        pytest.skip(missing)
    with postgres.throwaway_server() as primary, postgres.throwaway_standby(primary) as standby:
        yield primary, standby


@pytest.fixture(scope="module")
def replica_app(cluster, redis_url: str) -> Iterator[Flask]:
    """The app on the primary, its replica-eligible views on the standby; every commit is real."""
    primary, standby = cluster
    name = "supportdesk_replica"
    with postgres.temporary_database(primary, name) as url:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url,
                "DATABASE_REPLICA_URL": standby.url(name),
                "REDIS_URL": redis_url,
                "SECRET_KEY": "test",
                "PASSWORD_HASH_FAST": True,
                "WTF_CSRF_ENABLED": False,
            }
        )
        app.test_client_class = IsolatedClient
        migrations.upgrade(app)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        app.extensions["replica"].engine.dispose()


@pytest.fixture
def standby(cluster) -> Iterator[postgres.Server]:
    """The standby, caught up with the primary; replay is resumed after the test."""
    primary, server = cluster
    wait_replayed(primary, server)
    yield server
    _sql(server, "SELECT pg_wal_replay_resume()")


def flush_wal(primary: postgres.Server) -> None:
    """Make the primary write its WAL to disk (and so send it to the standby) now.

    The throwaway primary commits asynchronously, and WAL written after the last commit (a page
    pruned by a read) waits for the next commit or a full page: a standby could wait seconds
    for it. A synchronous commit of a transaction id flushes everything before it.
    """
    with primary.connect("postgres", autocommit=True) as connection:
        connection.execute("SET synchronous_commit = on")
        connection.execute("SELECT txid_current()")


def wait_replayed(primary: postgres.Server, standby: postgres.Server) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    target = _sql(primary, replica.PRIMARY_POSITION)
    flush_wal(primary)
    deadline = time.monotonic() + REPLAY_TIMEOUT
    while _sql(standby, replica.REPLAYED_POSITION) < target:
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.02)


def pause_replay(standby: postgres.Server) -> None:
    """Stop the standby applying WAL: from now on it shows the database as it is now."""
    _sql(standby, "SELECT pg_wal_replay_pause()")


@pytest.fixture
def desk(replica_app: Flask, redis_client):
    """Two agents of one organization, each with an API token; one ticket about a walrus.

    Redis (write positions, queued jobs) is emptied before and after (redis_client).
    """
    with replica_app.app_context():
        org = factories.OrganizationFactory()
        alice = factories.UserFactory(organization=org, name="Alice")
        bob = factories.UserFactory(organization=org, name="Bob")
        factories.make_ticket(org, subject="Walrus alpha")
        tokens = {
            user.email: create_token(user, name="t", scope=Scope.READ_WRITE)[1]
            for user in (alice, bob)
        }
        db.session.commit()
        return {"org_id": org.id, "alice": alice.email, "bob": bob.email, "tokens": tokens}


def sign_in(app: Flask, email: str) -> IsolatedClient:
    """A console client signed in through the sign-in form (a committed session record)."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def open_ticket(app: Flask, token: str, subject: str) -> None:
    """Open a ticket through the API as the token's agent."""
    response = app.test_client().post(
        "/api/v1/tickets",
        json={
            "subject": subject,
            "body": "It lies on the pier.",
            "customer_email": "c@example.com",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)


WORDS = ("alpha", "beta", "gamma")


def found(client: IsolatedClient, path: str = "/search?q=walrus", token: str | None = None):
    """Which walrus tickets a page (console, or the API with `token`) shows."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))  # search marks the words
    return {word for word in WORDS if f"Walrus {word}" in text}


# The reads that may be a moment stale: console search and queue, the API's ticket list.
VIEWS = [
    pytest.param("/search?q=walrus", False, id="console-search"),
    pytest.param("/?queue=all", False, id="console-queue"),
    pytest.param("/api/v1/tickets", True, id="api-ticket-list"),
]


@pytest.mark.parametrize(("path", "api"), VIEWS)
def test_reads_come_from_the_replica_while_the_writer_reads_their_own_write(
    replica_app, desk, cluster, standby, path, api
):
    primary = cluster[0]
    alice, bob = sign_in(replica_app, desk["alice"]), sign_in(replica_app, desk["bob"])
    tokens = desk["tokens"]

    def seen_by(client, email):
        return found(client, path, tokens[email] if api else None)

    # A first look (an API token notes its first use: a write of its own, before the pause).
    assert seen_by(alice, desk["alice"]) == seen_by(bob, desk["bob"]) == {"alpha"}
    wait_replayed(primary, standby)
    pause_replay(standby)
    open_ticket(replica_app, tokens[desk["alice"]], "Walrus beta")

    assert seen_by(bob, desk["bob"]) == {"alpha"}  # the replica, a moment behind
    assert seen_by(alice, desk["alice"]) == {"alpha", "beta"}  # her write is not replayed yet

    _sql(standby, "SELECT pg_wal_replay_resume()")
    wait_replayed(primary, standby)
    pause_replay(standby)
    open_ticket(replica_app, tokens[desk["bob"]], "Walrus gamma")

    # Alice's own write is on the replica now, so she reads it again; Bob reads the primary.
    assert seen_by(alice, desk["alice"]) == {"alpha", "beta"}
    assert seen_by(bob, desk["bob"]) == {"alpha", "beta", "gamma"}


def test_a_session_that_wrote_reads_its_own_rows_in_the_same_request(replica_app, desk, standby):
    pause_replay(standby)
    with replica_app.test_request_context():
        with replica.replica_reads(None):
            assert search_tickets(desk["org_id"], "walrus").total == 1
        org = db.session.get(Organization, desk["org_id"])
        factories.make_ticket(org, subject="Walrus delta")  # flushed, not committed
        with replica.replica_reads(None):
            hits = search_tickets(desk["org_id"], "walrus")
        assert [hit.ticket.subject for hit in hits.hits] == ["Walrus delta", "Walrus alpha"]
        db.session.rollback()


def test_without_redis_answering_the_agent_reads_the_primary(
    replica_app, desk, cluster, standby, monkeypatch
):
    alice = sign_in(replica_app, desk["alice"])
    wait_replayed(cluster[0], standby)
    pause_replay(standby)
    open_ticket(replica_app, desk["tokens"][desk["bob"]], "Walrus beta")
    assert found(alice) == {"alpha"}  # the replica

    dead = replica.PositionStore(fail_fast_redis(f"redis://127.0.0.1:{_closed_port()}/0"))
    monkeypatch.setattr(replica_app.extensions["replica"], "positions", dead)
    assert found(alice) == {"alpha", "beta"}  # her position is unknown: the primary


def _closed_port() -> int:
    return postgres.free_port()


@pytest.fixture
def app_with_dead_replica(migrated_database_url: str) -> Iterator[Flask]:
    """The app with a replica URL where nothing listens."""
    dead = sa.engine.make_url(migrated_database_url).set(port=_closed_port())
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": migrated_database_url,
            "DATABASE_REPLICA_URL": dead.render_as_string(hide_password=False),
            "REDIS_URL": None,
            "SECRET_KEY": "t",
            "PASSWORD_HASH_FAST": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    app.test_client_class = IsolatedClient
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_replica_that_does_not_answer_leaves_search_on_the_primary(app_with_dead_replica, caplog):
    with app_with_dead_replica.app_context():
        org = factories.OrganizationFactory()
        agent = factories.UserFactory(organization=org)
        factories.make_ticket(org, subject="Walrus alpha")
        db.session.commit()
        email = agent.email
    client = sign_in(app_with_dead_replica, email)
    assert found(client) == {"alpha"}
    assert "the replica does not answer" in caplog.text


@pytest.mark.parametrize("backend", ["redis", "memory"])
def test_the_position_store_keeps_each_agents_highest_position(backend, request):
    redis = request.getfixturevalue("redis_client") if backend == "redis" else None
    store = replica.PositionStore(redis, "one-database")
    assert store.last(7) is None
    store.record(7, 2_000)
    store.record(7, 1_000)  # an earlier request finishing late
    store.record(8, 500)
    assert (store.last(7), store.last(8)) == (2_000, 500)
    assert replica.PositionStore(redis, "another-database").last(7) is None


POSTGRESQL = "postgresql://postgres@127.0.0.1:1/x"


@pytest.mark.parametrize(
    ("primary", "replica_url"),
    [
        pytest.param("sqlite", POSTGRESQL, id="sqlite-primary"),
        pytest.param(POSTGRESQL, "sqlite", id="sqlite-replica"),
    ],
)
def test_a_replica_needs_postgresql_on_both_sides(primary, replica_url, tmp_path):
    def url(value: str) -> str:
        return f"sqlite:///{tmp_path / 'x.db'}" if value == "sqlite" else value

    with pytest.raises(ConfigurationError, match="SUPPORTDESK_DATABASE_REPLICA_URL"):
        create_app(
            {
                "DATABASE_URL": url(primary),
                "DATABASE_REPLICA_URL": url(replica_url),
                "SECRET_KEY": "t",
            }
        )
