"""The status transition table: the only place that says which status may follow which."""

from __future__ import annotations

from supportdesk.tickets.models import Status

S = Status

ALLOWED: dict[Status, frozenset[Status]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.PENDING, S.RESOLVED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.OPEN, S.PENDING, S.RESOLVED, S.CLOSED}),
    S.PENDING: frozenset({S.OPEN, S.IN_PROGRESS, S.RESOLVED, S.CLOSED}),
    # A resolved ticket is reopened (customer replied, or the fix did not hold) or closed for good.
    S.RESOLVED: frozenset({S.OPEN, S.IN_PROGRESS, S.CLOSED}),
    # Closed is final for agents; a senior agent may reopen it (checked by the service).
    S.CLOSED: frozenset({S.OPEN}),
}


def can_move(current: Status, target: Status) -> bool:
    """Whether the table allows current → target (staying put is not a transition)."""
    return target in ALLOWED[current]


def next_statuses(current: Status) -> list[Status]:
    """Statuses reachable from `current`, in the enum's order (for select boxes)."""
    return [s for s in Status if s in ALLOWED[current]]
