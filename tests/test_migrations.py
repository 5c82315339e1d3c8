"""The Alembic migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from supportdesk import create_app
from supportdesk.extensions import db
from tests.fixtures import migrations

APP_TABLES = {
    "organizations",
    "users",
    "teams",
    "team_members",
    "customers",
    "tickets",
    "ticket_tags",
    "messages",
    "business_calendars",
    "sla_policies",
    "ticket_slas",
    "escalation_rules",
    "ticket_escalations",
    "ticket_events",
}


def _drift(connection: sa.Connection) -> list:
    """Differences between the models and the live schema, as Alembic autogenerate sees them."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def _scratch_app(database_url: str) -> Flask:
    return create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test", "REDIS_URL": None}
    )


def _tables(app: Flask) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_migrations_match_the_models_on_postgresql(app):
    with db.engine.connect() as connection:
        assert _drift(connection) == []


def test_migrations_build_every_table_on_postgresql(app):
    with db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())

    assert tables == APP_TABLES | {"alembic_version"}


def test_downgrade_to_base_then_upgrade_again_on_postgresql(fresh_database_url):
    scratch = _scratch_app(fresh_database_url)
    try:
        migrations.upgrade(scratch)
        migrations.downgrade(scratch)
        assert _tables(scratch) == {"alembic_version"}

        migrations.upgrade(scratch)
        assert _tables(scratch) == APP_TABLES | {"alembic_version"}
        with scratch.app_context(), db.engine.connect() as connection:
            assert _drift(connection) == []
    finally:
        with scratch.app_context():
            db.engine.dispose()


@pytest.mark.sqlite
def test_migrations_build_the_schema_on_a_fresh_sqlite_file_without_drift(tmp_path: Path):
    scratch = _scratch_app(f"sqlite:///{tmp_path / 'supportdesk.db'}")
    try:
        migrations.upgrade(scratch)
        assert _tables(scratch) == APP_TABLES | {"alembic_version"}
        with scratch.app_context(), db.engine.connect() as connection:
            assert _drift(connection) == []

        migrations.downgrade(scratch)
        assert _tables(scratch) == {"alembic_version"}
    finally:
        with scratch.app_context():
            db.engine.dispose()


@pytest.mark.sqlite
def test_drift_check_notices_a_schema_that_differs_from_the_models(tmp_path: Path):
    scratch = _scratch_app(f"sqlite:///{tmp_path / 'supportdesk.db'}")
    try:
        migrations.upgrade(scratch)
        with scratch.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql("DROP INDEX ix_tickets_org_updated")
            drift = _drift(connection)
    finally:
        with scratch.app_context():
            db.engine.dispose()

    assert [(op, index.name) for op, index in drift] == [("add_index", "ix_tickets_org_updated")]
