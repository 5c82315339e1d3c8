"""Two sweeps at once (two workers): every breach is recorded exactly once."""

from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa
import time_machine

from supportdesk.extensions import db
from supportdesk.sla import service
from supportdesk.tickets.models import EventKind, Priority, TicketEvent
from tests.factories import OrganizationFactory, make_ticket

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_concurrent_sweeps_record_each_breach_once(committed_app):
    with committed_app.app_context(), time_machine.travel(START, tick=False):
        org = OrganizationFactory()
        for _ in range(60):
            make_ticket(org, priority=Priority.CRITICAL)
        db.session.commit()
    barrier, errors = threading.Barrier(2), []

    def sweep() -> None:
        with committed_app.app_context():
            try:
                barrier.wait()
                # Small batches so the two workers interleave on the same due rows.
                while service.sweep(now=START + dt.timedelta(hours=2), limit=5):
                    db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with committed_app.app_context():
        rows = db.session.execute(
            sa.select(TicketEvent.kind, sa.func.count())
            .where(TicketEvent.kind.in_([EventKind.SLA_WARNING, EventKind.SLA_BREACHED]))
            .group_by(TicketEvent.kind)
        ).all()
    # Critical: first response due after 1 h (warning at 48 min), resolution after 4 h (warning at
    # 3 h 12 min): 2 h in, each of the 60 tickets has exactly one warning and one breach.
    assert dict(rows) == {EventKind.SLA_WARNING: 60, EventKind.SLA_BREACHED: 60}
