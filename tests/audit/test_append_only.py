"""The audit log cannot be changed or deleted through the app: the ORM refuses, and on
PostgreSQL the trigger refuses plain SQL too; only the retention purge deletes, and only
entries older than its cutoff."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from supportdesk import audit
from supportdesk.audit.models import AuditEntry, AuditLogIsAppendOnly
from supportdesk.audit.service import PURGE_SETTING
from supportdesk.db import utcnow
from supportdesk.extensions import db

pytestmark = pytest.mark.integration


@pytest.fixture
def entry(org, admin):
    return audit.record(org.id, "auth.sign_in", actor=admin)


def test_the_orm_refuses_to_change_an_entry(entry):
    entry.action = "auth.sign_out"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()


def test_the_orm_refuses_to_delete_an_entry(entry):
    db.session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(
            "UPDATE audit_entries SET action = 'auth.sign_out' WHERE id = :id", id="update"
        ),
        pytest.param("DELETE FROM audit_entries WHERE id = :id", id="delete"),
    ],
)
def test_the_database_refuses_plain_sql_too(entry, statement):
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text(statement), {"id": entry.id})


def test_the_purge_setting_lets_only_older_entries_go(entry):
    # A cutoff before the entry: the trigger still refuses to delete it.
    db.session.execute(
        sa.text("SELECT set_config(:n, :v, true)"),
        {"n": PURGE_SETTING, "v": (utcnow() - dt.timedelta(days=1)).isoformat()},
    )
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text("DELETE FROM audit_entries WHERE id = :id"), {"id": entry.id})
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(
            sa.text("UPDATE audit_entries SET action = 'x' WHERE id = :id"), {"id": entry.id}
        )
    assert db.session.get(AuditEntry, entry.id) is not None
