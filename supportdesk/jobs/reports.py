"""Report jobs: count changed tickets again into the daily aggregates."""

from __future__ import annotations

from supportdesk import jobs
from supportdesk.extensions import db
from supportdesk.jobs import job
from supportdesk.reports import service


@job
def refresh_reports() -> int:
    """Drain the changed tickets batch by batch (each committed). Returns the rows handled."""
    jobs.woken(service.REFRESH_JOB, queue="default")
    total = 0
    while True:
        handled = service.refresh()
        db.session.commit()
        total += handled
        if not handled:
            return total
