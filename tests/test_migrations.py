"""The Alembic migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from supportdesk import create_app
from supportdesk.extensions import db
from supportdesk.search.schema import (
    ARTICLE_VECTOR,
    SEARCH_VECTORS,
    TRIGRAM_INDEXES,
    include_object,
)
from tests.fixtures import migrations

APP_TABLES = {
    "portal_settings",
    "portal_links",
    "satisfaction_ratings",
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
    "ticket_counts",
    "escalation_rules",
    "ticket_escalations",
    "ticket_events",
    "canned_replies",
    "macros",
    "support_addresses",
    "inbound_emails",
    "attachments",
    "webhook_endpoints",
    "webhook_deliveries",
    "webhook_attempts",
    "crm_connections",
    "crm_syncs",
    "email_messages",
    "email_attempts",
    "notification_settings",
    "api_tokens",
    "agent_sessions",
    "ticket_deletions",
    "idempotency_keys",
    "agent_notifications",
    "notification_preferences",
    "audit_entries",
    "agent_invitations",
    "password_resets",
    "bulk_jobs",
    "bulk_job_failures",
    "custom_fields",
    "saved_views",
    "composer_drafts",
    "sso_settings",
    "data_exports",
    "retention_policies",
    "totp_factors",
    "recovery_codes",
    "kb_categories",
    "kb_articles",
    "kb_article_revisions",
    "kb_article_votes",
    "kb_suggestion_counts",
    "kb_help_centers",
    "report_dirty",
    "report_ticket_days",
    "report_daily",
    "report_subscriptions",
    "report_daily_totals",
    "exports",
}


def _drift(connection: sa.Connection) -> list:
    """Differences between the models and the live schema, as Alembic autogenerate sees them."""
    # The search vectors are PostgreSQL-only generated columns outside the models, by design.
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
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


def test_search_vectors_are_generated_columns_with_gin_indexes_on_postgresql(app):
    with db.engine.connect() as connection:
        generated = connection.exec_driver_sql(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'search_vector'"
            " AND is_generated = 'ALWAYS' AND table_schema = current_schema() ORDER BY 1"
        ).scalars()
        indexes = connection.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%%USING gin (search_vector)%%'"
            " ORDER BY 1"
        ).scalars()

        assert list(generated) == ["customers", "kb_articles", "messages", "tickets"]
        assert list(indexes) == [
            "ix_customers_search_vector",
            "ix_kb_articles_search_vector",
            "ix_messages_search_vector",
            "ix_tickets_search_vector",
        ]


@pytest.mark.parametrize(
    "type_, name, table, included",
    [
        pytest.param("column", "search_vector", "messages", False, id="search-column"),
        pytest.param("column", "search_vector", "users", True, id="same-name-elsewhere"),
        pytest.param("column", "body_text", "messages", True, id="other-column"),
        pytest.param("index", "ix_tickets_search_vector", None, False, id="search-index"),
        pytest.param("index", "ix_ticket_tags_name_trgm", None, False, id="trigram-index"),
        pytest.param("index", "ix_tickets_org_updated", None, True, id="other-index"),
    ],
)
def test_only_the_search_columns_are_left_out_of_comparisons(type_, name, table, included):
    obj = sa.Column(name, sa.Integer)
    if table:
        sa.Table(table, sa.MetaData(), obj)

    assert include_object(obj, name, type_, True, None) is included


def test_the_migration_and_the_search_schema_generate_the_same_vectors():
    path = (
        Path(__file__).resolve().parent.parent / "migrations/versions/0010_search_prefix_trigram.py"
    )
    spec = importlib.util.spec_from_file_location("migration_0010", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert module.SEARCH_VECTORS == SEARCH_VECTORS
    assert module.TRIGRAM_INDEXES == TRIGRAM_INDEXES


def test_the_knowledge_base_migration_generates_the_article_vector_of_the_search_schema():
    path = Path(__file__).resolve().parent.parent / "migrations/versions/0028_knowledge_base.py"
    spec = importlib.util.spec_from_file_location("migration_0028", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert module.ARTICLE_VECTOR == ARTICLE_VECTOR


def test_trigram_indexes_serve_customer_and_tag_substrings_on_postgresql(app):
    with db.engine.connect() as connection:
        indexes = connection.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%%gin_trgm_ops%%' ORDER BY 1"
        ).scalars()

        assert list(indexes) == sorted(TRIGRAM_INDEXES)
