"""SLA writes: recompute tickets' clocks from their history, sweep for warnings and breaches.

Everything flushes and never commits; the jobs in supportdesk.jobs.sla commit each batch.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from supportdesk import events
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.sla.calendar import Calendar
from supportdesk.sla.clock import History, Targets, compute
from supportdesk.sla.models import (
    DEFAULT_FIRST_RESPONSE,
    DEFAULT_RESOLUTION,
    SlaPolicy,
    TicketSla,
)
from supportdesk.tickets.models import ACTIVE_STATUSES, EventKind, Ticket, TicketEvent

# History kinds that move an SLA clock; anything else (notes, tags, SLA entries) does not.
CLOCK_KINDS = frozenset(
    {
        EventKind.CREATED,
        EventKind.STATUS,
        EventKind.REPLIED,
        EventKind.PRIORITY,
        # The conversation moved (merge, split): the survivor's clocks are computed again.
        EventKind.MERGED_FROM,
        EventKind.SPLIT_OFF,
    }
)
# Without a policy the clock runs around the clock on the default targets.
ALWAYS = Calendar(always_open=True)


@dataclass(frozen=True)
class SlaBreached:
    """Domain event: a ticket missed a target (clock = first_response | resolution).

    Mail goes to the assignee, or to the team's lead when unassigned; webhooks get `sla.breached`.
    """

    organization_id: int
    ticket_id: int
    clock: str
    due_at: dt.datetime
    assignee_id: int | None = None
    team_id: int | None = None
    type: str = "sla.breached"


@dataclass(frozen=True)
class SlaWarning:
    """Domain event: a ticket used the warning share of a target."""

    organization_id: int
    ticket_id: int
    clock: str
    due_at: dt.datetime
    assignee_id: int | None = None
    team_id: int | None = None
    type: str = "sla.warning"


def _targets(policy: SlaPolicy | None, priority: str) -> Targets:
    fr = (policy.first_response_minutes if policy else DEFAULT_FIRST_RESPONSE).get(priority)
    res = (policy.resolution_minutes if policy else DEFAULT_RESOLUTION).get(priority)
    ratio = (policy.warning_percent if policy else 80) / 100
    return Targets(
        fr * 60 if fr else None,
        res * 60 if res else None,
        ratio,
    )


def _policies(organization_ids: Iterable[int]) -> dict[tuple[int, str | None], SlaPolicy]:
    rows = db.session.scalars(
        sa.select(SlaPolicy)
        .where(SlaPolicy.organization_id.in_(set(organization_ids)))
        .options(sa.orm.joinedload(SlaPolicy.calendar))
    )
    return {(p.organization_id, p.customer_tier): p for p in rows}


def histories(ticket_ids: Sequence[int]) -> dict[int, History]:
    """Each ticket's SLA-relevant history, from its TicketEvents (one query)."""
    rows = db.session.execute(
        sa.select(TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.data, TicketEvent.created_at)
        .where(
            TicketEvent.ticket_id.in_(ticket_ids),
            TicketEvent.kind.in_([EventKind.CREATED, EventKind.STATUS, EventKind.REPLIED]),
        )
        .order_by(TicketEvent.ticket_id, TicketEvent.id)
    ).all()
    created: dict[int, dt.datetime] = {}
    changes: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    replied: dict[int, dt.datetime] = {}
    for ticket_id, kind, data, at in rows:
        if kind is EventKind.CREATED:
            created.setdefault(ticket_id, at)
        elif kind is EventKind.STATUS:
            changes[ticket_id].append((at, (data or {}).get("new", "")))
        else:
            replied.setdefault(ticket_id, at)
    return {tid: History(at, tuple(changes[tid]), replied.get(tid)) for tid, at in created.items()}


def recompute(ticket_ids: Iterable[int]) -> int:
    """Recompute the clocks of these tickets from their history and policy. Returns how many."""
    ids = sorted(set(ticket_ids))
    total = 0
    for i in range(0, len(ids), 500):
        total += _recompute_batch(ids[i : i + 500])
    db.session.flush()
    return total


def _recompute_batch(ids: list[int]) -> int:
    tickets = db.session.execute(
        sa.select(
            Ticket.id, Ticket.organization_id, Ticket.priority, Ticket.created_at, Customer.tier
        )
        .join(Customer, Customer.id == Ticket.customer_id)
        .where(Ticket.id.in_(ids))
    ).all()
    if not tickets:
        return 0
    policies = _policies({t.organization_id for t in tickets})
    history = histories(ids)
    rows = {
        r.ticket_id: r
        for r in db.session.scalars(sa.select(TicketSla).where(TicketSla.ticket_id.in_(ids)))
    }
    calendars: dict[int, Calendar] = {}
    now = utcnow()
    for t in tickets:
        tier = getattr(t.tier, "value", t.tier)
        policy = policies.get((t.organization_id, tier)) or policies.get((t.organization_id, None))
        if policy is not None and policy.calendar_id not in calendars:
            calendars[policy.calendar_id] = policy.calendar.to_calendar()
        calendar = calendars[policy.calendar_id] if policy else ALWAYS
        clock = compute(
            history.get(t.id) or History(t.created_at),
            calendar,
            _targets(policy, t.priority.value),
        )
        row = rows.get(t.id)
        if row is None:
            row = TicketSla(ticket_id=t.id, organization_id=t.organization_id)
            db.session.add(row)
        row.policy_id = policy.id if policy else None
        row.first_response_due_at = clock.first_response_due
        row.first_response_warn_at = clock.first_response_warn
        row.resolution_due_at = clock.resolution_due
        row.resolution_warn_at = clock.resolution_warn
        row.paused_since = clock.paused_since
        row.computed_at = now
        row.refresh_next_check()
    return len(tickets)


def recompute_organization(organization_id: int, *, after_id: int = 0, limit: int = 2000) -> int:
    """Recompute the active tickets of one organization with id > after_id (a batch).

    Returns the last ticket id handled, or 0 when there is nothing left.
    """
    ids = list(
        db.session.scalars(
            sa.select(Ticket.id)
            .where(
                Ticket.organization_id == organization_id,
                Ticket.status.in_(ACTIVE_STATUSES),
                Ticket.id > after_id,
            )
            .order_by(Ticket.id)
            .limit(limit)
        )
    )
    recompute(ids)
    return ids[-1] if ids else 0


def on_ticket_events(batch: list[Any]) -> None:
    """Subscriber: recompute the clocks of tickets whose SLA-relevant history just changed."""
    ids = {
        e.ticket_id or e.ticket.id
        for e in batch
        if isinstance(e, TicketEvent) and e.kind in CLOCK_KINDS
    }
    if ids:
        recompute(ids)


_CLOCKS = {
    "first_response_warned_at": ("first_response", EventKind.SLA_WARNING, SlaWarning),
    "first_response_breached_at": ("first_response", EventKind.SLA_BREACHED, SlaBreached),
    "resolution_warned_at": ("resolution", EventKind.SLA_WARNING, SlaWarning),
    "resolution_breached_at": ("resolution", EventKind.SLA_BREACHED, SlaBreached),
}
_DUE = {"first_response": "first_response_due_at", "resolution": "resolution_due_at"}


def sweep(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Record every warning and breach whose instant has passed, once each, for one batch.

    Rows are locked (SKIP LOCKED) so two sweeps never record the same breach. Returns how many
    rows were handled; callers loop until 0.
    """
    now = now or utcnow()
    rows = list(
        db.session.scalars(
            sa.select(TicketSla)
            .where(TicketSla.next_check_at <= now)
            .order_by(TicketSla.next_check_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not rows:
        return 0
    tickets = {
        t.id: t
        for t in db.session.scalars(
            sa.select(Ticket).where(Ticket.id.in_([r.ticket_id for r in rows]))
        )
    }
    for row in rows:
        ticket = tickets[row.ticket_id]
        for mark, at in row.deadlines():
            if at > now:
                continue
            clock, kind, event_cls = _CLOCKS[mark]
            setattr(row, mark, now)
            due = getattr(row, _DUE[clock])
            _record(ticket, kind, clock, due)
            events.record(
                db.session,
                event_cls(
                    ticket.organization_id,
                    ticket.id,
                    clock,
                    due,
                    assignee_id=ticket.assignee_id,
                    team_id=ticket.team_id,
                ),
            )
        row.refresh_next_check()
    db.session.flush()
    return len(rows)


def _record(ticket: Ticket, kind: EventKind, clock: str, due: dt.datetime) -> None:
    label = "First response" if clock == "first_response" else "Resolution"
    event = TicketEvent(
        organization_id=ticket.organization_id,
        ticket_id=ticket.id,
        kind=kind,
        new_value=label,
        data={"clock": clock, "due_at": due.isoformat()},
        ticket_version=ticket.version,
        created_at=utcnow(),
    )
    db.session.add(event)
    events.record(db.session, event)
