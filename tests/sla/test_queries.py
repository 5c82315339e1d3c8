"""The SLA badge: which state and label a ticket's clock shows at a given instant."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.sla.models import TicketSla
from supportdesk.sla.queries import badge

T = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
M = dt.timedelta(minutes=1)


def row(**kw) -> TicketSla:
    return TicketSla(ticket_id=1, organization_id=1, **kw)


@pytest.mark.parametrize(
    ("sla", "now", "expected"),
    [
        pytest.param(None, T, None, id="no-row"),
        pytest.param(row(), T, None, id="no-clock-running"),
        pytest.param(row(paused_since=T), T, ("paused", "SLA paused"), id="paused"),
        pytest.param(
            row(first_response_due_at=T + 90 * M, first_response_warn_at=T + 60 * M),
            T,
            ("ok", "1h 30m left"),
            id="ok",
        ),
        pytest.param(
            row(first_response_due_at=T + 9 * M, first_response_warn_at=T - M),
            T,
            ("near", "9m left"),
            id="near",
        ),
        pytest.param(
            row(resolution_due_at=T - 3 * 1440 * M, resolution_warn_at=T - 4 * 1440 * M),
            T,
            ("breached", "3d 0h overdue"),
            id="breached-resolution",
        ),
    ],
)
def test_the_badge_reflects_the_running_clock(sla, now, expected):
    b = badge(sla, now)
    assert (b.state, b.label) == expected if expected else b is None


def test_the_badge_counts_down_the_first_response_before_the_resolution():
    b = badge(row(first_response_due_at=T + M, resolution_due_at=T + 60 * M), T)
    assert (b.clock, b.due_at) == ("First response", T + M)
