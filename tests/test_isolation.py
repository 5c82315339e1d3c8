"""The rollback fixture isolates tests even when the code under test commits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from supportdesk.accounts import service as accounts
from supportdesk.accounts.models import Organization
from supportdesk.extensions import db
from tests.factories import OrganizationFactory

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
