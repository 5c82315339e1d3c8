"""Audit log housekeeping: the retention purge, one organization per transaction."""

from __future__ import annotations

import sqlalchemy as sa

from supportdesk.accounts.models import Organization
from supportdesk.audit.service import purge_expired
from supportdesk.extensions import db
from supportdesk.jobs import job


@job
def purge_audit_log() -> int:
    """Delete every organization's audit entries older than its retention; returns how many."""
    total = 0
    for org_id in db.session.scalars(sa.select(Organization.id).order_by(Organization.id)).all():
        total += purge_expired(db.session.get(Organization, org_id))
        db.session.commit()
    return total
