"""SLA reads: the badge a ticket shows (time left, near, breached, paused), from its loaded row.

Badges cost no query: queue and ticket pages load `Ticket.sla` with the ticket (a join), so badges cost
nothing per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from supportdesk.db import utcnow
from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.sla.models import BusinessCalendar, EscalationRule, SlaPolicy, TicketSla


@dataclass(frozen=True)
class Badge:
    """What the console shows: state (ok | near | breached | paused), a label and the due time."""

    state: str
    label: str
    clock: str
    due_at: dt.datetime | None


def _span(delta: dt.timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def badge(sla: TicketSla | None, now: dt.datetime | None = None) -> Badge | None:
    """The badge for a ticket's SLA row, or None when no clock is running."""
    if sla is None:
        return None
    now = now or utcnow()
    if sla.paused_since is not None:
        return Badge("paused", gettext("SLA paused"), "", None)
    due = sla.due_at
    if due is None:
        return None
    clock = gettext("First response") if sla.first_response_due_at else gettext("Resolution")
    if due <= now:
        return Badge("breached", gettext("%(span)s overdue", span=_span(now - due)), clock, due)
    warn = sla.warn_at
    state = "near" if warn is not None and warn <= now else "ok"
    return Badge(state, gettext("%(span)s left", span=_span(due - now)), clock, due)


def list_settings(organization_id: int) -> tuple[list, list, list]:
    """The organization's calendars, policies (with their calendar) and escalation rules."""
    calendars = db.session.scalars(
        sa.select(BusinessCalendar)
        .where(BusinessCalendar.organization_id == organization_id)
        .order_by(BusinessCalendar.name)
    ).all()
    policies = db.session.scalars(
        sa.select(SlaPolicy)
        .where(SlaPolicy.organization_id == organization_id)
        .options(joinedload(SlaPolicy.calendar))
        .order_by(SlaPolicy.customer_tier.is_not(None), SlaPolicy.customer_tier)
    ).all()
    rules = db.session.scalars(
        sa.select(EscalationRule)
        .where(EscalationRule.organization_id == organization_id)
        .order_by(EscalationRule.id)
    ).all()
    return list(calendars), list(policies), list(rules)


def get_setting(model, organization_id: int, row_id: int):
    """One calendar, policy or rule of the organization (NotFound otherwise)."""
    row = db.session.scalar(
        sa.select(model).where(model.organization_id == organization_id, model.id == row_id)
    )
    if row is None:
        raise NotFound("That SLA setting does not exist.")
    return row
