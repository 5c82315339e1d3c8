"""The retention purge: entries older than the organization's retention go, the purge itself is
recorded, other organizations and newer entries stay; the periodic job runs it."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from supportdesk import audit
from supportdesk.audit.models import AuditEntry
from supportdesk.audit.service import purge_expired
from supportdesk.db import utcnow
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.jobs.audit import purge_audit_log
from supportdesk.jobs.schedule import PERIODIC

pytestmark = pytest.mark.integration


def _entry(org, admin, age_days: float) -> AuditEntry:
    row = audit.record(org.id, "auth.sign_in", actor=admin)
    # Written as it would have been then: an INSERT, which the log allows.
    db.session.expunge(row)
    db.session.execute(
        sa.text("DELETE FROM audit_entries WHERE id = :id AND false"), {"id": row.id}
    )
    old = AuditEntry(
        organization_id=org.id,
        actor_type=row.actor_type,
        actor_user_id=admin.id,
        actor_label="x",
        action="auth.sign_in",
        target_type="agent",
        target_label="",
        ip_address="",
        user_agent="",
        created_at=utcnow() - dt.timedelta(days=age_days),
    )
    db.session.add(old)
    db.session.flush()
    return old


def _actions(org) -> list[tuple[str, dt.datetime]]:
    return list(
        db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.created_at)
            .where(AuditEntry.organization_id == org.id)
            .order_by(AuditEntry.id)
        ).tuples()
    )


def test_entries_older_than_the_retention_are_purged_and_the_purge_recorded(org, admin):
    org.audit_retention_days = 30
    old = _entry(org, admin, 31)
    kept = _entry(org, admin, 29)
    old_id, kept_id = old.id, kept.id

    assert purge_expired(org) == 1

    ids = set(
        db.session.scalars(sa.select(AuditEntry.id).where(AuditEntry.organization_id == org.id))
    )
    assert old_id not in ids and kept_id in ids
    purge = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.organization_id == org.id, AuditEntry.action == "audit_log.purged"
        )
    )
    assert purge.actor_type.value == "system"
    assert purge.after["removed"] == 1 and purge.after["retention_days"] == 30


def test_another_organization_s_entries_follow_their_own_retention(org, admin, other_org):
    from tests import factories

    other_admin = factories.UserFactory(organization=other_org)
    org.audit_retention_days = 30
    other_org.audit_retention_days = 365
    _entry(other_org, other_admin, 100)

    assert purge_expired(org) == 0
    assert purge_expired(other_org) == 0


def test_the_periodic_job_purges_every_organization(org, admin):
    org.audit_retention_days = 30
    _entry(org, admin, 400)

    assert purge_audit_log() >= 1
    assert ("supportdesk.jobs.audit.purge_audit_log", "default", 3600) in PERIODIC


@pytest.mark.parametrize("days", ["29", "3651", "ten", ""])
def test_a_retention_out_of_range_is_refused(days):
    with pytest.raises(ValidationFailed) as refused:
        audit.service.checked_retention(days)
    assert "audit_retention_days" in refused.value.fields
