"""Satisfaction survey jobs."""

from __future__ import annotations

from supportdesk.extensions import db
from supportdesk.jobs import job
from supportdesk.satisfaction.service import send_due_surveys as send_batch


@job
def send_due_surveys() -> int:
    """Mail the delayed surveys whose time came, in committed batches."""
    total = 0
    while True:
        handled = send_batch()
        db.session.commit()
        total += handled
        if not handled:
            return total
