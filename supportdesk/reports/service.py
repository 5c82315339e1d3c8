"""Keep the daily aggregates: mark changed tickets, count them again, rebuild from the history.

How the aggregates stay current (a job, not the write's own transaction): the write path only
records *which* ticket changed (`report_dirty`, one INSERT in the transaction of the change, by
the subscriber below), and `refresh` — a job woken after the commit and swept every minute —
recounts those tickets from their whole history. Recounting needs business-hours arithmetic over
the history and the SLA calendar (supportdesk.reports.metrics), far more than a write should pay
for, and two agents changing tickets at once would otherwise contend on the same day rows.
The dirty rows are written in the same transaction as the change, so no change can be missed
(a watermark on event ids could skip an event whose transaction commits after a later one);
a recount takes the ticket's previous share of each day away (`report_ticket_days`) and adds the
new one, so recounting is idempotent and `rebuild` (the same counting over every ticket) must
give the same sums: tests/reports/test_service.py proves it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from supportdesk import jobs
from supportdesk.accounts.models import Organization
from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.reports.metrics import MEASURES, SlaTerms, TicketHistory, contributions
from supportdesk.reports.models import (
    DIMENSIONS,
    ReportDaily,
    ReportDailyTotal,
    ReportDirty,
    ReportTicketDay,
)
from supportdesk.sla.calendar import Calendar
from supportdesk.sla.service import ALWAYS, _policies, _targets
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent, TicketTag

REFRESH_JOB = "supportdesk.jobs.reports.refresh_reports"
BATCH = 500
# Serializes recounts across processes (PostgreSQL): two recounts of one ticket would both take
# its old share away.
LOCK_KEY = 7_140_014
_KINDS = (EventKind.CREATED, EventKind.STATUS, EventKind.REPLIED)
Key = tuple  # (organization_id, tag, day, team_id, assignee_id, channel, priority, tier)


def on_ticket_events(batch: list[Any]) -> None:
    """Subscriber: note every ticket whose history just grew or that was deleted (its share of
    the days must go), in the same transaction."""
    from supportdesk.tickets.domain_events import TicketDeleted

    orgs: dict[int, int] = {}
    for e in batch:
        if isinstance(e, TicketEvent):
            orgs[e.ticket_id or e.ticket.id] = e.organization_id
        elif isinstance(e, TicketDeleted):
            orgs[e.deletion.ticket_id] = e.deletion.organization_id
    if orgs:
        mark(orgs, organization_ids=orgs)


def mark(ticket_ids: Iterable[int], *, organization_ids: dict[int, int]) -> None:
    """Record these tickets as changed and wake the refresh job after the commit."""
    values = [
        {"organization_id": organization_ids[t], "ticket_id": t} for t in sorted(set(ticket_ids))
    ]
    if values:
        db.session.execute(sa.insert(ReportDirty), values)
        jobs.wake(db.session, REFRESH_JOB, queue="default")


def mark_customer(customer: Customer) -> None:
    """A customer's tier changed: every ticket of theirs moves to another tier's figures."""
    db.session.execute(
        sa.insert(ReportDirty).from_select(
            ["organization_id", "ticket_id"],
            sa.select(Ticket.organization_id, Ticket.id).where(
                Ticket.organization_id == customer.organization_id,
                Ticket.customer_id == customer.id,
            ),
        )
    )
    jobs.wake(db.session, REFRESH_JOB, queue="default")


def refresh(limit: int = BATCH) -> int:
    """Recount the tickets of up to `limit` dirty rows; returns how many rows were handled.

    Flushes, never commits; the job commits each batch and calls again until 0.
    """
    _lock()
    picked = db.session.execute(
        sa.select(ReportDirty.id, ReportDirty.ticket_id).order_by(ReportDirty.id).limit(limit)
    ).all()
    if not picked:
        return 0
    recount(sorted({ticket_id for _id, ticket_id in picked}))
    db.session.execute(sa.delete(ReportDirty).where(ReportDirty.id.in_([i for i, _t in picked])))
    return len(picked)


def rebuild(
    organization_id: int | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    commit: bool = True,
) -> int:
    """Throw the aggregates away and count every ticket again from its history.

    One organization or all; `progress(n)` after each batch of n tickets. Commits each batch
    when `commit` (the command; tests pass False). Returns the number of tickets counted.
    """
    _lock()
    orgs = (
        [organization_id]
        if organization_id
        else list(db.session.scalars(sa.select(Organization.id).order_by(Organization.id)))
    )
    total = 0
    for org in orgs:
        for model in (ReportDaily, ReportDailyTotal, ReportTicketDay, ReportDirty):
            db.session.execute(sa.delete(model).where(model.organization_id == org))
        after = 0
        while True:
            ids = list(
                db.session.scalars(
                    sa.select(Ticket.id)
                    .where(Ticket.organization_id == org, Ticket.id > after)
                    .order_by(Ticket.id)
                    .limit(BATCH * 4)
                )
            )
            if not ids:
                break
            recount(ids, fresh=True)
            after = ids[-1]
            total += len(ids)
            if commit:
                db.session.commit()
                _lock()
            if progress:
                progress(len(ids))
    db.session.flush()
    return total


def count_ticket_total(organization_id: int | None = None) -> int:
    """How many tickets `rebuild` will count (for its progress bar)."""
    query = sa.select(sa.func.count()).select_from(Ticket)
    if organization_id:
        query = query.where(Ticket.organization_id == organization_id)
    return db.session.scalar(query) or 0


def recount(ticket_ids: Sequence[int], *, fresh: bool = False) -> None:
    """Replace these tickets' shares of every day by their current ones, and the day sums with
    them. `fresh`: they have no share yet (a rebuild), so there is nothing to take away."""
    deltas: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    if not fresh:
        old = db.session.scalars(
            sa.select(ReportTicketDay).where(ReportTicketDay.ticket_id.in_(ticket_ids))
        ).all()
        for row in old:
            _add(
                deltas, _keys(row.organization_id, row.day, _dims(row), row.tags), _values(row), -1
            )
        db.session.execute(
            sa.delete(ReportTicketDay).where(ReportTicketDay.ticket_id.in_(ticket_ids))
        )
    new_rows = list(_shares(ticket_ids))
    for row in new_rows:
        _add(deltas, _keys(row["organization_id"], row["day"], row, row["tags"]), row, 1)
    if new_rows:
        db.session.execute(sa.insert(ReportTicketDay), new_rows)
    _apply(deltas)


def _lock() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))


def _dims(row: Any) -> dict[str, Any]:
    return {d: getattr(row, d) for d in DIMENSIONS}


def _values(row: Any) -> dict[str, int]:
    return {m: getattr(row, m) for m in MEASURES}


def _keys(org: int, day: dt.date, dims: dict, tags: list[str]) -> list[Key]:
    rest = tuple(dims[d] for d in DIMENSIONS)
    return [(org, tag, day, *rest) for tag in ("", *tags)]


def _add(deltas: dict, keys: list[Key], values: dict, sign: int) -> None:
    for key in keys:
        target = deltas[key]
        for m in MEASURES:
            target[m] += sign * values[m]


def _apply(deltas: dict[Key, dict[str, int]]) -> None:
    """Add the deltas to the day sums of both tables (upserts in key order), then drop sums that
    fell to 0. `report_daily_totals` gets the same deltas summed per value of each dimension."""
    changed = [(k, v) for k, v in sorted(deltas.items()) if any(v.values())]
    _upsert(ReportDaily, ("organization_id", "tag", "day", *DIMENSIONS), changed)
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for (org, tag, day, *values), sums in changed:
        for dimension, value in (("", ""), *zip(DIMENSIONS, values, strict=True)):
            target = totals[(org, tag, dimension, str(value), day)]
            for m in MEASURES:
                target[m] += sums[m]
    _upsert(
        ReportDailyTotal,
        ("organization_id", "tag", "dimension", "value", "day"),
        [(k, v) for k, v in sorted(totals.items()) if any(v.values())],
    )


def _upsert(model: Any, names: tuple[str, ...], changed: list[tuple[tuple, dict]]) -> None:
    """Add each change's measures to its row of `model` (keyed by `names`), then delete the
    changed rows whose measures are all 0."""
    if not changed:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for i in range(0, len(changed), 1000):
        rows = [dict(zip(names, k, strict=True)) | v for k, v in changed[i : i + 1000]]
        stmt = insert(model).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(names),
            set_={m: getattr(model, m) + getattr(stmt.excluded, m) for m in MEASURES},
        )
        db.session.execute(stmt)
    # Any changed key may have reached 0 (a backlog move out of a day is negative): drop those
    # rows, found by primary key.
    for i in range(0, len(changed), 500):
        keys = [k for k, _v in changed[i : i + 500]]
        db.session.execute(
            sa.delete(model).where(
                sa.tuple_(*(getattr(model, n) for n in names)).in_(keys),
                *(getattr(model, m) == 0 for m in MEASURES),
            )
        )


def _shares(ticket_ids: Sequence[int]):
    """Each ticket's share of each day, as ReportTicketDay rows (tickets gone: none)."""
    tickets = db.session.execute(
        sa.select(
            Ticket.id,
            Ticket.organization_id,
            Ticket.team_id,
            Ticket.assignee_id,
            Ticket.channel,
            Ticket.priority,
            Ticket.created_at,
            Customer.tier,
            Organization.time_zone,
        )
        .join(Customer, Customer.id == Ticket.customer_id)
        .join(Organization, Organization.id == Ticket.organization_id)
        .where(Ticket.id.in_(ticket_ids))
    ).all()
    if not tickets:
        return
    histories = load_histories([t.id for t in tickets])
    tags: dict[int, list[str]] = defaultdict(list)
    for ticket_id, name in db.session.execute(
        sa.select(TicketTag.ticket_id, TicketTag.name)
        .where(TicketTag.ticket_id.in_(ticket_ids))
        .order_by(TicketTag.ticket_id, TicketTag.name)
    ):
        tags[ticket_id].append(name)
    terms = _terms(tickets)
    for t in tickets:
        history = histories.get(t.id) or TicketHistory(t.created_at)
        dims = {
            "team_id": t.team_id or 0,
            "assignee_id": t.assignee_id or 0,
            "channel": t.channel.value,
            "priority": t.priority.value,
            "tier": getattr(t.tier, "value", t.tier) or "",
        }
        for day, values in contributions(history, terms[t.id], t.time_zone).items():
            yield {
                "ticket_id": t.id,
                "organization_id": t.organization_id,
                "day": day,
                "tags": tags[t.id],
                **dims,
                **values,
            }


def load_histories(ticket_ids: Sequence[int]) -> dict[int, TicketHistory]:
    """Each ticket's TicketHistory from its history entries (one query)."""
    rows = db.session.execute(
        sa.select(TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.data, TicketEvent.created_at)
        .where(TicketEvent.ticket_id.in_(ticket_ids), TicketEvent.kind.in_(_KINDS))
        .order_by(TicketEvent.ticket_id, TicketEvent.id)
    )
    created: dict[int, dt.datetime] = {}
    changes: dict[int, list] = defaultdict(list)
    replies: dict[int, list] = defaultdict(list)
    for ticket_id, kind, data, at in rows:
        if kind is EventKind.CREATED:
            created.setdefault(ticket_id, at)
        elif kind is EventKind.STATUS:
            data = data or {}
            changes[ticket_id].append((at, data.get("old", ""), data.get("new", "")))
        else:
            replies[ticket_id].append(at)
    return {
        tid: TicketHistory(at, tuple(changes[tid]), tuple(replies[tid]))
        for tid, at in created.items()
    }


def _terms(tickets: Sequence[Any]) -> dict[int, SlaTerms]:
    """The SLA calendar and targets of each ticket (its tier's policy, else the default one)."""
    policies = _policies({t.organization_id for t in tickets})
    calendars: dict[int, Calendar] = {}
    out = {}
    for t in tickets:
        tier = getattr(t.tier, "value", t.tier)
        policy = policies.get((t.organization_id, tier)) or policies.get((t.organization_id, None))
        if policy is not None and policy.calendar_id not in calendars:
            calendars[policy.calendar_id] = policy.calendar.to_calendar()
        calendar = calendars[policy.calendar_id] if policy else ALWAYS
        targets = _targets(policy, t.priority.value)
        out[t.id] = SlaTerms(calendar, targets.first_response, targets.resolution)
    return out
