"""SLA models: business-hours calendars, policies (targets per priority) and each ticket's clock.

A ticket's due times live in `ticket_slas`, one row per ticket, rather than on `tickets`: the
ticket row carries an optimistic-locking version, and the sweep marking a breach must not make an
agent's open form stale.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db
from supportdesk.sla.calendar import Calendar

# Defaults (minutes) when an organization has no policy yet: first response as the issue states,
# resolution at 4 h / 1 d / 3 d / 7 d of business time.
DEFAULT_FIRST_RESPONSE = {"critical": 60, "high": 240, "medium": 1440, "low": 4320}
DEFAULT_RESOLUTION = {"critical": 240, "high": 1440, "medium": 4320, "low": 10080}
OFFICE_HOURS = {str(d): [["09:00", "17:00"]] for d in range(5)}


class BusinessCalendar(db.Model):
    """When the clock runs: a time zone, periods per weekday, holidays, or around the clock."""

    __tablename__ = "business_calendars"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name", name="uq_business_calendars_org_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    always_open: Mapped[bool] = mapped_column(default=False)
    # {"0": [["09:00", "12:30"], ["13:30", "17:00"]], …}: weekday 0 = Monday.
    weekly_hours: Mapped[dict] = mapped_column(JSONType, default=dict)
    # ISO dates, local to the calendar's zone.
    holidays: Mapped[list] = mapped_column(JSONType, default=list)
    holiday_country: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def to_calendar(self) -> Calendar:
        """The pure-math form used by supportdesk.sla.calendar."""
        return Calendar.from_spec(
            self.time_zone, self.weekly_hours, self.holidays, self.always_open
        )


class SlaPolicy(db.Model):
    """Targets per priority, in business minutes, for all customers or one tier."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "customer_tier", name="uq_sla_policies_org_tier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    # None: the organization's default policy; otherwise it applies to that customer tier only.
    customer_tier: Mapped[str | None] = mapped_column(sa.String(20))
    calendar_id: Mapped[int] = mapped_column(sa.ForeignKey("business_calendars.id"))
    first_response_minutes: Mapped[dict] = mapped_column(
        JSONType, default=lambda: dict(DEFAULT_FIRST_RESPONSE)
    )
    resolution_minutes: Mapped[dict] = mapped_column(
        JSONType, default=lambda: dict(DEFAULT_RESOLUTION)
    )
    warning_percent: Mapped[int] = mapped_column(default=80)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    calendar: Mapped[BusinessCalendar] = relationship(lazy="raise_on_sql")


class TicketSla(db.Model):
    """One ticket's clocks: due and warning instants, breaches and warnings already recorded."""

    __tablename__ = "ticket_slas"
    __table_args__ = (
        # The sweep reads only rows whose next deadline has passed: a range scan on this index.
        sa.Index("ix_ticket_slas_next_check_at", "next_check_at"),
        sa.Index("ix_ticket_slas_org_resolution_due", "organization_id", "resolution_due_at"),
    )

    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    policy_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sla_policies.id", ondelete="SET NULL")
    )
    first_response_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_response_warn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution_warn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paused_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_response_warned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_response_breached_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution_warned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution_breached_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The earliest due/warning instant not yet recorded; NULL when nothing is left to watch.
    next_check_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Set by an escalation rule; shown on the ticket page.
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def deadlines(self) -> list[tuple[str, dt.datetime]]:
        """(name, instant) of each due or warning instant not recorded yet."""
        pairs = [
            ("first_response_warned_at", self.first_response_warn_at),
            ("first_response_breached_at", self.first_response_due_at),
            ("resolution_warned_at", self.resolution_warn_at),
            ("resolution_breached_at", self.resolution_due_at),
        ]
        return [(mark, at) for mark, at in pairs if at is not None and getattr(self, mark) is None]

    def refresh_next_check(self) -> None:
        """Point next_check_at at the earliest deadline still to record."""
        pending = [at for _, at in self.deadlines()]
        self.next_check_at = min(pending) if pending else None

    @property
    def due_at(self) -> dt.datetime | None:
        """The deadline the badge counts down to: first response while unanswered, then resolution."""
        return self.first_response_due_at or self.resolution_due_at

    @property
    def warn_at(self) -> dt.datetime | None:
        return (
            self.first_response_warn_at if self.first_response_due_at else self.resolution_warn_at
        )


class EscalationTrigger(enum.Enum):
    """What makes an escalation rule fire."""

    FIRST_RESPONSE_BREACHED = "first_response_breached"
    RESOLUTION_BREACHED = "resolution_breached"
    UNASSIGNED_FOR = "unassigned_for"  # no assignee for threshold_minutes since creation
    UNTOUCHED_FOR = "untouched_for"  # no change at all for threshold_minutes

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class EscalationRule(db.Model):
    """When a trigger fires on an active ticket: raise priority, mark escalated, reassign."""

    __tablename__ = "escalation_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    trigger: Mapped[EscalationTrigger] = mapped_column(
        enum_column(EscalationTrigger, "escalation_trigger")
    )
    threshold_minutes: Mapped[int] = mapped_column(default=0)
    raise_priority: Mapped[bool] = mapped_column(default=True)
    # Reassign to a senior agent (of the ticket's team when it has one), if one is available.
    reassign_to_senior: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketEscalation(db.Model):
    """A rule that fired on a ticket: the primary key makes each rule fire once per ticket."""

    __tablename__ = "ticket_escalations"

    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    rule_id: Mapped[int] = mapped_column(
        sa.ForeignKey("escalation_rules.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
