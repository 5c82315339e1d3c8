"""Report jobs: count changed tickets again into the daily aggregates; mail the summaries."""

from __future__ import annotations

from supportdesk import jobs
from supportdesk.extensions import db
from supportdesk.jobs import job
from supportdesk.reports import digest, service


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


@job
def send_report_summaries() -> int:
    """Mail the weekly and monthly summaries whose period is due, batch by batch (each
    committed with its emails). Returns how many were queued."""
    after: int | None = 0
    total = 0
    while after is not None:
        recorded, after = digest.send_due(after)
        db.session.commit()
        total += recorded
    return total
