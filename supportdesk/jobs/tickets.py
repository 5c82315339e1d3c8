"""Ticket housekeeping jobs."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from supportdesk.extensions import db
from supportdesk.jobs import job
from supportdesk.tickets.service import close_resolved_tickets as close_batch


@job
def close_resolved_tickets() -> int:
    """Close tickets resolved more than AUTO_CLOSE_AFTER_DAYS ago, in committed batches."""
    days = int(current_app.config["AUTO_CLOSE_AFTER_DAYS"])
    if days <= 0:
        return 0
    total = 0
    while True:
        closed = close_batch(older_than=dt.timedelta(days=days))
        db.session.commit()
        total += closed
        if not closed:
            return total
