"""SLA jobs: the minute sweep for warnings and breaches, and recomputing an organization's clocks."""

from __future__ import annotations

from supportdesk.extensions import db
from supportdesk.jobs import job
from supportdesk.metrics import SLA_SWEEP_SECONDS
from supportdesk.sla import escalation, service


@job
def sweep_sla() -> int:
    """Record due warnings and breaches once, then run the escalation rules. Returns rows handled."""
    total = 0
    with SLA_SWEEP_SECONDS.time():
        while True:
            handled = service.sweep()
            db.session.commit()
            total += handled
            if not handled:
                break
        escalation.run()
        db.session.commit()
    return total


@job
def recompute_sla(organization_id: int) -> int:
    """Recompute the clocks of an organization's active tickets (after a policy or calendar edit)."""
    total, after = 0, 0
    while True:
        last = service.recompute_organization(organization_id, after_id=after)
        db.session.commit()
        if not last:
            return total
        total += 1
        after = last
