"""Migration 0009 on existing data: namespaces go back to their owners, nobody's are removed,
outside addresses wait for verification."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa

from supportdesk import create_app
from supportdesk.extensions import db
from tests.fixtures import migrations

SCRIPT = Path(__file__).resolve().parents[3] / "migrations" / "versions"
DOMAIN = "supportdesk.localhost"


def _previous_revision() -> str:
    path = next(SCRIPT.glob("*_support_address_verification.py"))
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.down_revision


@pytest.fixture
def scratch(fresh_database_url, monkeypatch):
    monkeypatch.delenv("SUPPORTDESK_MAIL_DOMAIN", raising=False)
    app = create_app(
        {"TESTING": True, "DATABASE_URL": fresh_database_url, "SECRET_KEY": "t", "REDIS_URL": None}
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_existing_addresses_are_sorted_out(scratch):
    migrations.upgrade(scratch, _previous_revision())
    with scratch.app_context(), db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO organizations (id, name, slug, created_at) VALUES "
                "(1, 'Acme', 'acme', now()), (2, 'Globex', 'globex', now())"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO support_addresses (organization_id, address, is_default, created_at)"
                " VALUES (1, :acme, true, now()), (1, :squatted, false, now()),"
                " (1, :bare, false, now()), (1, :nobodys, false, now()),"
                " (1, 'orders@beta.example', false, now())"
            ),
            {
                "acme": f"support@acme.{DOMAIN}",
                "squatted": f"support@globex.{DOMAIN}",
                "bare": f"help@{DOMAIN}",
                "nobodys": f"help@initech.{DOMAIN}",
            },
        )
    migrations.upgrade(scratch)
    with scratch.app_context(), db.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT address, organization_id, is_default, verified_at IS NOT NULL "
                "FROM support_addresses ORDER BY address"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("orders@beta.example", 1, False, False),
        (f"support@acme.{DOMAIN}", 1, True, True),
        (f"support@globex.{DOMAIN}", 2, True, True),
    ]
