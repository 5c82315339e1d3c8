"""SLA clocks as a pure function of a ticket's history, a calendar and the targets (no database).

Both clocks start when the ticket is created and stand still while it is pending (waiting on the
customer) or resolved/closed (a reopened ticket carries on where it stopped). The first-response
clock stops for good at the first public agent reply. Due times
assume the clock keeps running from now on; any later change to the history recomputes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from supportdesk.sla.calendar import Calendar, add_business_seconds_many

PAUSING = frozenset({"pending"})
STOPPED = frozenset({"resolved", "closed"})


@dataclass(frozen=True)
class History:
    """What SLA time depends on: creation, every status change in order, the first agent reply."""

    created_at: dt.datetime
    status_changes: tuple[tuple[dt.datetime, str], ...] = ()  # (when, new status value)
    first_response_at: dt.datetime | None = None


@dataclass(frozen=True)
class Targets:
    """Business seconds allowed for each clock (None: no target) and the warning threshold."""

    first_response: float | None
    resolution: float | None
    warning_ratio: float = 0.8


@dataclass(frozen=True)
class Clock:
    """Due and warning instants of both clocks; None when not running (met, paused, no target)."""

    first_response_due: dt.datetime | None
    first_response_warn: dt.datetime | None
    resolution_due: dt.datetime | None
    resolution_warn: dt.datetime | None
    paused_since: dt.datetime | None


def _intervals(history: History, statuses: frozenset[str]):
    """[from, to) intervals during which the ticket's status was in `statuses` (to None: still)."""
    result: list[tuple[dt.datetime, dt.datetime | None]] = []
    since: dt.datetime | None = None
    for at, status in sorted(history.status_changes, key=lambda c: c[0]):
        if status in statuses and since is None:
            since = at
        elif status not in statuses and since is not None:
            result.append((since, at))
            since = None
    if since is not None:
        result.append((since, None))
    return result


def compute(history: History, calendar: Calendar, targets: Targets) -> Clock:
    """Due and warning times of the first-response and resolution clocks."""
    pending = _intervals(history, PAUSING)
    stopped = _intervals(history, STOPPED)
    paused_since = pending[-1][0] if pending and pending[-1][1] is None else None
    start = history.created_at

    def due(seconds: float | None, pauses) -> tuple[dt.datetime | None, dt.datetime | None]:
        if seconds is None:
            return None, None
        due_at, warn_at = add_business_seconds_many(
            calendar, start, [seconds, seconds * targets.warning_ratio], pauses
        )
        if due_at is None:
            # Paused for good (or no hours): no due time, so nothing to warn about either.
            return None, None
        return due_at, warn_at

    # Resolved or closed time never counts; while the ticket stays so, neither clock runs.
    pauses = pending + stopped
    fr_due = fr_warn = res_due = res_warn = None
    if not (stopped and stopped[-1][1] is None):
        if history.first_response_at is None:
            fr_due, fr_warn = due(targets.first_response, pauses)
        res_due, res_warn = due(targets.resolution, pauses)
    return Clock(fr_due, fr_warn, res_due, res_warn, paused_since)
