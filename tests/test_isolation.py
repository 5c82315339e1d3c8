"""The test infrastructure: per-test rollback even when code commits, and its helpers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from supportdesk.accounts import service as accounts
from supportdesk.accounts.models import Organization, Role
from supportdesk.accounts.passwords import verify_password
from supportdesk.extensions import db
from supportdesk.tickets.models import Status
from tests.factories import PASSWORD, OrganizationFactory, TicketFactory, make_staff
from tests.fixtures import postgres, redis_server
from tests.fixtures.web import csrf_token

MARKER = "Isolation marker organization"


@pytest.fixture
def outside_connection(database_url: str) -> Iterator[sa.Connection]:
    """A connection of its own, from a new engine: it sees only what was really committed."""
    engine = sa.create_engine(database_url, poolclass=NullPool)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _count_marked(connection_or_session) -> int:
    return connection_or_session.scalar(
        sa.select(sa.func.count()).select_from(Organization).where(Organization.name == MARKER)
    )


# Run twice: whichever runs second proves the first one's commit did not survive the test.
@pytest.mark.parametrize("attempt", [pytest.param(1, id="first"), pytest.param(2, id="second")])
def test_committed_row_is_invisible_outside_and_gone_after_the_test(
    app, outside_connection, attempt
):
    assert _count_marked(db.session) == 0

    accounts.create_organization(MARKER)
    db.session.commit()

    assert _count_marked(db.session) == 1
    assert _count_marked(outside_connection) == 0


def test_no_marked_row_is_left_over_from_other_tests(app, outside_connection):
    assert _count_marked(db.session) == 0
    assert _count_marked(outside_connection) == 0


def test_rollback_in_code_under_test_keeps_what_was_committed_before(app):
    kept = OrganizationFactory(name=MARKER)
    db.session.commit()
    OrganizationFactory(name=MARKER)
    db.session.rollback()

    assert db.session.scalars(
        sa.select(Organization.id).where(Organization.name == MARKER)
    ).all() == [kept.id]


def test_session_stays_usable_after_an_integrity_error_and_rollback(app):
    OrganizationFactory(slug="duplicate-slug")
    db.session.commit()
    with pytest.raises(IntegrityError):
        OrganizationFactory(slug="duplicate-slug")
    db.session.rollback()

    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Organization.slug == "duplicate-slug"))
        == 1
    )


def test_query_counter_counts_statements_run_in_the_block(app, query_counter):
    org_id = OrganizationFactory().id
    db.session.commit()
    with query_counter() as queries:
        db.session.scalar(sa.select(Organization.name).where(Organization.id == org_id))
        db.session.scalar(sa.select(sa.func.count()).select_from(Organization))

    assert queries.count == 2
    assert all("organizations" in statement for statement in queries.statements)


def test_redis_client_starts_empty_and_works(redis_client):
    assert redis_client.dbsize() == 0
    redis_client.set("supportdesk:test", "1")

    assert redis_client.get("supportdesk:test") == b"1"


def test_app_uses_the_session_redis(app, redis_client):
    app.extensions["redis"].set("supportdesk:test-app", "1")

    assert redis_client.get("supportdesk:test-app") == b"1"


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        pytest.param("redis://h:6379/0", "main", "redis://h:6379/0", id="no xdist"),
        pytest.param("redis://h:6379", "gw0", "redis://h:6379/0", id="first worker"),
        pytest.param("redis://h:6379/2", "gw3", "redis://h:6379/5", id="offset from the base"),
    ],
)
def test_each_xdist_worker_gets_its_own_redis_db(url, worker, expected):
    assert redis_server.url_for_worker(url, worker) == expected


def test_a_postgresql_url_names_the_server_and_maintenance_database():
    server = postgres.server_from_url("postgresql://ci:secret@db.local:6543/template1")

    assert server == postgres.Server("db.local", 6543, "ci", "secret", "template1")
    assert server.url("x") == "postgresql+psycopg://ci:secret@db.local:6543/x"


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(
            '<form><input type="hidden" name="csrf_token" value="tok"></form>', id="input"
        ),
        pytest.param('<meta content="tok" name="csrf-token">', id="meta, any attribute order"),
        pytest.param(b'<input value="tok" name="csrf_token">', id="bytes"),
    ],
)
def test_csrf_token_is_read_from_a_page(page):
    assert csrf_token(page) == "tok"


def test_a_page_without_a_csrf_token_fails_loudly():
    with pytest.raises(AssertionError, match="no CSRF token"):
        csrf_token("<form></form>")


def test_ticket_factory_takes_numbers_from_the_organization(org):
    first = TicketFactory(organization=org, status=Status.PENDING)
    second = TicketFactory(organization=org)

    assert (first.number, second.number) == (1, 2)
    assert (first.status, first.customer_id != second.customer_id) == (Status.PENDING, True)
    with pytest.raises(TypeError):
        TicketFactory.build(organization=org)


def test_factory_agents_sign_in_with_the_shared_password(agent):
    assert verify_password(agent.password_hash, PASSWORD)


def test_make_staff_gives_one_agent_per_role_and_a_team(app):
    staff = make_staff()

    assert [staff.by_role(role).role for role in Role] == list(Role)
    assert {u.organization_id for u in (staff.admin, staff.viewer)} == {staff.org.id}
    assert {m.id for m in staff.team.members} == {staff.senior_agent.id, staff.agent.id}
