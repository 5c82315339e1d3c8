"""Report tables: tickets waiting to be counted again, each ticket's share of each day, and days.

`report_ticket_days` keeps what each ticket added to each local day (its dimensions as they were
when it was counted, its measures), so that a recount can take the old share away exactly.
`report_daily` holds the sums per day and dimension; `report_daily_totals` the same sums per day
and value of one dimension at a time (and for all tickets), which is what most reports ask for: the
pages, the API and the exports read the smaller table that can answer (supportdesk.reports.queries).
Tag is a dimension whose "" row holds every ticket: a ticket adds to "" and to each of its tags.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db
from supportdesk.reports.metrics import MEASURES


class ReportDirty(db.Model):
    """A ticket whose history changed since it was last counted (one row per commit that did).

    Written in the transaction of the change (supportdesk.reports.service.on_ticket_events);
    the refresh job counts the ticket again and deletes exactly the rows it read.
    """

    __tablename__ = "report_dirty"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    organization_id: Mapped[int]
    ticket_id: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def _measures() -> dict:
    return {
        name: mapped_column(sa.BigInteger, default=0, server_default="0", nullable=False)
        for name in MEASURES
    }


class _Dimensions:
    """The dimensions reports filter and break down by (0 / "" for none)."""

    team_id: Mapped[int] = mapped_column(default=0)
    assignee_id: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(sa.String(20), default="")
    priority: Mapped[str] = mapped_column(sa.String(20), default="")
    tier: Mapped[str] = mapped_column(sa.String(20), default="")


class ReportTicketDay(_Dimensions, db.Model):
    """What one ticket added to one local day, as it was last counted."""

    __tablename__ = "report_ticket_days"
    __table_args__ = (sa.Index("ix_report_ticket_days_org", "organization_id", "ticket_id"),)

    ticket_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    organization_id: Mapped[int]
    tags: Mapped[list] = mapped_column(JSONType, default=list)
    locals().update(_measures())


class ReportDaily(_Dimensions, db.Model):
    """The measures of one local day summed per dimension (tag "" holds every ticket)."""

    __tablename__ = "report_daily"

    organization_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    tag: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    team_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    assignee_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    priority: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    tier: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    locals().update(_measures())


class ReportDailyTotal(db.Model):
    """The measures of one local day summed per value of one dimension (`dimension` "", `value`
    "": every ticket of the tag), i.e. `report_daily` summed over all its other dimensions.

    Kept from the same deltas as `report_daily` (supportdesk.reports.service._apply), so the two
    always agree. A report filtered by at most one dimension, or broken down by one with no
    filter, reads a few rows per day here instead of one per combination of team, agent,
    channel, priority and tier (benchmarks/README.md, reports at 1,000,000 tickets).
    """

    __tablename__ = "report_daily_totals"

    organization_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    tag: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    dimension: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    locals().update(_measures())


DIMENSIONS = ("team_id", "assignee_id", "channel", "priority", "tier")


class Frequency(enum.Enum):
    """How often a summary email goes out: for each full week (Monday to Sunday) or month."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ReportSubscription(db.Model):
    """An agent's summary email of the dashboard's figures, weekly or monthly (one of each).

    `team_id` narrows a lead's summary to one team (None: every team; an agent's summary is
    always their own figures, supportdesk.reports.params.scoped). `last_period_start` is the
    first day of the last period mailed: sending sets it with a compare-and-set, so a period is
    mailed once however many schedulers run (supportdesk.reports.digest).
    """

    __tablename__ = "report_subscriptions"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "frequency", name="uq_report_subscriptions_user_frequency"),
        sa.Index("ix_report_subscriptions_org", "organization_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency, "report_frequency"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    last_period_start: Mapped[dt.date | None] = mapped_column(sa.Date)
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
