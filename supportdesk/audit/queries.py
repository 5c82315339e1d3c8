"""Audit reads: one page of an organization's log with filters, newest first, by keyset.

The keyset is the entry id (ids grow with time): a page is the entries below the last id of
the previous one, so a page costs the same at the millionth entry as at the first, and one
query whatever its size. Every read is scoped to the organization.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.audit.actions import ACTIONS, target_types
from supportdesk.audit.models import AuditEntry
from supportdesk.extensions import db
from supportdesk.params import query_int

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
EXPORT_BATCH = 1000


@dataclass(frozen=True)
class AuditFilters:
    """What the admin narrowed the log to (every field optional)."""

    actor_user_id: int | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: int | None = None
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive


def _day_start(text: str | None, zone: str) -> dt.datetime | None:
    """Midnight of a YYYY-MM-DD day in `zone`, as UTC; None when not such a day."""
    try:
        day = dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return dt.datetime.combine(day, dt.time(), ZoneInfo(zone)).astimezone(dt.UTC)


def filters_from_args(args: Mapping[str, str], zone: str = "UTC") -> AuditFilters:
    """Filters from a query string (console and API alike); what is not valid is ignored.

    `from` and `to` are days in `zone`, both included; `actor` an agent id; `action` a name of
    audit.actions.ACTIONS; `target_type` one of its target types; `target_id` an id.
    """
    until = _day_start(args.get("to"), zone)
    action = args.get("action") or None
    target_type = args.get("target_type") or None
    return AuditFilters(
        actor_user_id=query_int(args.get("actor")),
        action=action if action in ACTIONS else None,
        target_type=target_type if target_type in target_types() else None,
        target_id=query_int(args.get("target_id")),
        since=_day_start(args.get("from"), zone),
        until=until + dt.timedelta(days=1) if until else None,
    )


@dataclass(frozen=True)
class AuditPage:
    """Entries of one page, and the cursor of the next page (None on the last)."""

    entries: list[AuditEntry]
    next_before: int | None


def _filtered(organization_id: int, filters: AuditFilters) -> sa.Select:
    query = sa.select(AuditEntry).where(AuditEntry.organization_id == organization_id)
    if filters.actor_user_id is not None:
        query = query.where(AuditEntry.actor_user_id == filters.actor_user_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        query = query.where(AuditEntry.target_id == filters.target_id)
    if filters.since is not None:
        query = query.where(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.created_at < filters.until)
    return query


def audit_page(
    organization_id: int,
    filters: AuditFilters,
    *,
    before: int | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """The newest entries matching `filters` with an id below `before` (one query)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = _filtered(organization_id, filters)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(rows, rows[-1].id if more and rows else None)


def browse(
    actor: User, filters: AuditFilters, *, before: int | None = None, limit: int = PAGE_SIZE
) -> AuditPage:
    """One page of the actor's organization's log, if their role may read it (admins)."""
    require(actor, "audit_log.view")
    return audit_page(actor.organization_id, filters, before=before, limit=limit)


def export(actor: User, filters: AuditFilters) -> Iterator[AuditEntry]:
    """Every matching entry of the actor's organization, if their role may read the log."""
    require(actor, "audit_log.view")
    return iter_entries(actor.organization_id, filters)


def iter_entries(organization_id: int, filters: AuditFilters) -> Iterator[AuditEntry]:
    """Every matching entry, newest first, read in batches (the CSV export streams it)."""
    before = None
    while True:
        page = audit_page(organization_id, filters, before=before, limit=EXPORT_BATCH)
        yield from page.entries
        if page.next_before is None:
            return
        before = page.next_before
