"""The sla-recompute and sla-sweep commands."""

from __future__ import annotations

import datetime as dt

import time_machine

from supportdesk.extensions import db
from supportdesk.sla.models import TicketSla
from supportdesk.tickets.models import Priority
from tests.factories import make_ticket

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_recompute_fills_missing_clocks_and_the_sweep_reports_its_work(app, org):
    with time_machine.travel(START, tick=False):
        t = make_ticket(org, priority=Priority.CRITICAL)
        db.session.flush()  # no commit: like a bulk import, the clock is missing
    assert db.session.get(TicketSla, t.id) is None
    runner = app.test_cli_runner()
    with time_machine.travel(START, tick=False):
        assert "Recomputed in" in runner.invoke(args=["sla-recompute"]).output
    assert db.session.get(TicketSla, t.id).first_response_due_at == START + dt.timedelta(hours=1)
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        assert "Swept 1 clocks in" in runner.invoke(args=["sla-sweep"]).output
