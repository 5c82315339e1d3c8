"""Scheduled summaries: the dashboard's figures of the last full week or month, by email.

An agent subscribes to a weekly or a monthly summary (one of each at most); a lead may narrow
theirs to a team. The periodic job (supportdesk.jobs.reports.send_report_summaries) mails each
subscription once per period:
- the period is the last full week (Monday to Sunday) or month *in the recipient's time zone*;
  it is due once that period is over both for the recipient and for the organization, whose
  local days the figures are counted in (a reader in Tokyo would otherwise get Sunday half
  counted in New York), and once the refresh job counted every change made before its end;
- a period is mailed once: the job sets `last_period_start` with a compare-and-set UPDATE in the
  transaction that queues the email, so a second run, or a second scheduler racing it, finds
  the period taken and mails nothing;
- a new subscription starts with the period just finished: its first email is the next one.
The figures are the dashboard's own (queries.report, pages.KPIS and its formatting, the
visibility rule of params.scoped): what the email says, the page says for the same range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from babel.dates import format_date
from babel.numbers import format_decimal

from supportdesk import events, i18n
from supportdesk.accounts.models import Organization, Team, User
from supportdesk.accounts.permissions import require
from supportdesk.db import utcnow
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.reports import csat, pages, queries
from supportdesk.reports.metrics import FIGURES, day_start, local_day
from supportdesk.reports.models import Frequency, ReportDirty, ReportSubscription
from supportdesk.reports.params import query_args, scoped
from supportdesk.reports.queries import Params

SEND_BATCH = 200
# The breakdown columns that fit a 600-pixel email (the dashboard's table has them all).
BREAKDOWN_FIGURES = ("created", "solved", "first_response_hours", "sla_resolution")
BREAKDOWN_ROWS = 10
BAR_COLOURS = {"created": "#1f4e96", "solved": "#6fa8dc"}


@dataclass(frozen=True)
class SummaryDue:
    """A summary to mail now (mail.rules mails it to the subscriber)."""

    organization_id: int
    subscription_id: int
    user_id: int
    start: dt.date
    end: dt.date


class SubscriptionNotFound(NotFound):
    """No such summary among the agent's own."""

    def __init__(self) -> None:
        super().__init__("That summary email does not exist.")


# -- when a summary is due ------------------------------------------------------------------


def last_full_period(frequency: Frequency, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last full week (Monday to Sunday) or calendar month that ended before `today`."""
    if frequency is Frequency.WEEKLY:
        start = today - dt.timedelta(days=today.weekday() + 7)
        return start, start + dt.timedelta(days=6)
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def due_period(
    frequency: Frequency,
    last_start: dt.date | None,
    reader_zone: str,
    organization_zone: str,
    now: dt.datetime,
) -> tuple[dt.date, dt.date] | None:
    """The period to mail at `now`, if one is due (a pure function: tests/reports/test_digest.py).

    The period is the last full one on the reader's calendar; it is due when it was not mailed
    yet and the organization's last day of it is over too.
    """
    start, end = last_full_period(frequency, local_day(now, reader_zone))
    if last_start is not None and last_start >= start:
        return None
    if now < day_start(end + dt.timedelta(days=1), organization_zone):
        return None
    return start, end


def _uncounted_before(organization_id: int, instant: dt.datetime) -> bool:
    """Whether a change made before `instant` still waits for the refresh job to count it."""
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    ReportDirty.organization_id == organization_id,
                    ReportDirty.created_at < instant,
                )
            )
        )
    )


def send_due(
    after: int = 0, limit: int = SEND_BATCH, now: dt.datetime | None = None
) -> tuple[int, int | None]:
    """Record a SummaryDue for each subscription after id `after` whose period is due.

    Looks at up to `limit` subscriptions; returns how many summaries it recorded and the id to
    go on after (None: that was the last batch). Flushes,
    never commits: the job commits each batch, and the mail rules queue each email in it.
    """
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(ReportSubscription, User, Organization)
        .join(User, User.id == ReportSubscription.user_id)
        .join(Organization, Organization.id == ReportSubscription.organization_id)
        .where(ReportSubscription.id > after)
        .order_by(ReportSubscription.id)
        .limit(limit)
    ).all()
    uncounted: dict[tuple[int, dt.date], bool] = {}
    recorded = 0
    for sub, user, org in rows:
        if not user.active:
            continue
        period = due_period(
            sub.frequency,
            sub.last_period_start,
            user.time_zone or org.time_zone,
            org.time_zone,
            now,
        )
        if period is None:
            continue
        start, end = period
        key = (org.id, end)
        if key not in uncounted:
            ends = day_start(end + dt.timedelta(days=1), org.time_zone)
            uncounted[key] = _uncounted_before(org.id, ends)
        if uncounted[key]:
            continue  # the next run, once the figures are complete
        # Compare-and-set: only the run that moves the period on mails it.
        taken = db.session.execute(
            sa.update(ReportSubscription)
            .where(
                ReportSubscription.id == sub.id,
                sa.or_(
                    ReportSubscription.last_period_start.is_(None),
                    ReportSubscription.last_period_start < start,
                ),
            )
            .values(last_period_start=start, last_sent_at=now)
            .execution_options(synchronize_session="fetch")
        ).rowcount
        if taken:
            events.record(db.session, SummaryDue(org.id, sub.id, user.id, start, end))
            recorded += 1
    db.session.flush()
    return recorded, (rows[-1][0].id if len(rows) == limit else None)


# -- subscribing ----------------------------------------------------------------------------


def subscriptions(user: User) -> list[ReportSubscription]:
    """The agent's summaries, weekly first."""
    rows = db.session.scalars(
        sa.select(ReportSubscription).where(
            ReportSubscription.organization_id == user.organization_id,
            ReportSubscription.user_id == user.id,
        )
    ).all()
    return sorted(rows, key=lambda s: list(Frequency).index(s.frequency))


def subscribe(actor: User, frequency: str, team_id: int | None = None) -> ReportSubscription:
    """Mail `actor` the summary weekly or monthly (again: change its team). Flushes.

    A team is for leads and admins (params.scoped: an agent's summary is their own figures).
    The first email covers the next full period.
    """
    try:
        chosen = Frequency(frequency)
    except ValueError:
        raise ValidationFailed(
            "Choose weekly or monthly.", {"frequency": "Choose weekly or monthly."}
        ) from None
    if team_id is not None:
        require(actor, "report.view_team")
        team = db.session.scalar(
            sa.select(Team).where(Team.organization_id == actor.organization_id, Team.id == team_id)
        )
        if team is None:
            raise ValidationFailed("That team does not exist.", {"team": "Choose a team."})
    row = db.session.scalar(
        sa.select(ReportSubscription)
        .where(ReportSubscription.user_id == actor.id, ReportSubscription.frequency == chosen)
        .with_for_update()
    )
    if row is None:
        today = local_day(utcnow(), actor.shown_time_zone)
        row = ReportSubscription(
            organization_id=actor.organization_id,
            user_id=actor.id,
            frequency=chosen,
            last_period_start=last_full_period(chosen, today)[0],
        )
        db.session.add(row)
    row.team_id = team_id
    db.session.flush()
    return row


def unsubscribe(actor: User, subscription_id: int) -> ReportSubscription:
    """Stop one of the agent's own summaries (anyone else's is a 404). Flushes."""
    row = db.session.scalar(
        sa.select(ReportSubscription).where(
            ReportSubscription.organization_id == actor.organization_id,
            ReportSubscription.user_id == actor.id,
            ReportSubscription.id == subscription_id,
        )
    )
    if row is None:
        raise SubscriptionNotFound()
    db.session.delete(row)
    db.session.flush()
    return row


def next_period(row: ReportSubscription, zone: str) -> tuple[dt.date, dt.date]:
    """The period the subscription's next email covers (after it ends)."""
    today = local_day(utcnow(), zone)
    start, end = last_full_period(row.frequency, today)
    if row.last_period_start is None or row.last_period_start < start:
        return start, end
    following = end + dt.timedelta(days=1)
    if row.frequency is Frequency.WEEKLY:
        return following, following + dt.timedelta(days=6)
    last = (following.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following, last - dt.timedelta(days=1)


# -- what the email says --------------------------------------------------------------------


def params_for(user: User, row: ReportSubscription, start: dt.date, end: dt.date) -> Params:
    """The dashboard parameters of one summary: its range, its team, the reader's visibility."""
    grouping = "day" if row.frequency is Frequency.WEEKLY else "week"
    return scoped(user, Params(start=start, end=end, grouping=grouping, team_id=row.team_id))


def _signed(value: float, pattern: str, language: str) -> str:
    text = format_decimal(abs(value), format=pattern, locale=language)
    return ("+" if value > 0 else "-" if value < 0 else "") + text


def summary(event: SummaryDue, language: str | None) -> dict[str, Any]:
    """The template context of one summary email, in `language`."""
    from supportdesk.mail.outbound.compose import external_url

    code = i18n.supported(language) or i18n.DEFAULT
    user = db.session.get(User, event.user_id)
    org = db.session.get(Organization, event.organization_id)
    row = db.session.get(ReportSubscription, event.subscription_id)
    p = params_for(user, row, event.start, event.end)
    report = queries.report(org.id, p)
    kpis = []
    for name in pages.KPIS:
        now, before = report.value(name), report.previous_value(name)
        delta, direction = pages.change(name, now, before)
        percent_points = FIGURES[name].unit == "%"
        kpis.append(
            {
                "label": FIGURES[name].label,
                "value": pages.format_value(name, now, code),
                "previous": pages.format_value(name, before, code),
                "change": ""
                if delta is None
                else _signed(delta, "0.0" if percent_points else "0", code),
                "points": percent_points,
                "direction": direction,
            }
        )
    rating, rating_before = (
        csat.csat(org.id, p, org.time_zone),
        csat.csat(org.id, p.previous(), org.time_zone),
    )
    team_view = user.can("report.view_team")
    by = "team" if team_view and p.team_id is None else "channel"
    rows = queries.breakdown(org.id, p, by)[:BREAKDOWN_ROWS]
    names = queries.names(org.id, by, [k for k, _ in rows])
    team = db.session.get(Team, p.team_id) if p.team_id else None
    return {
        "recipient_name": user.name,
        "summary": {
            "weekly": row.frequency is Frequency.WEEKLY,
            "start": _day(p.start, code),
            "end": _day(p.end, code),
            "days": p.days,
            "zone": org.time_zone,
            "team": team.name if team else "",
            "team_view": team_view,
            "kpis": kpis,
            "csat": _score(rating.score, code),
            "csat_previous": _score(rating_before.score, code),
            "csat_rated": rating.rated,
            "volume": _volume(report, p, code),
            "by": by,
            "breakdown_headers": [FIGURES[f].label for f in BREAKDOWN_FIGURES],
            "breakdown": [
                {
                    "label": str(names.get(key, key)),
                    "cells": [
                        pages.format_value(f, FIGURES[f].value(sums), code)
                        for f in BREAKDOWN_FIGURES
                    ],
                }
                for key, sums in rows
            ],
            "dashboard_url": external_url("console.report_dashboard", **query_args(p), by=by),
            "manage_url": external_url("console.report_subscriptions"),
        },
    }


def _day(day: dt.date, language: str) -> str:
    """A date as the dashboard prints it in English (02 Nov 2026), else the language's medium."""
    if language == i18n.DEFAULT:
        return day.strftime("%d %b %Y")
    return format_date(day, "medium", locale=language)


def _score(value: float | None, language: str) -> str:
    return "—" if value is None else format_decimal(value, format="0.0", locale=language) + "%"


def _volume(report: queries.Report, p: Params, language: str) -> list[dict[str, Any]]:
    """Created and solved per bucket, with bar widths (percent of the largest) for the chart."""
    top = max([pt.value(f) or 0 for pt in report.points for f in ("created", "solved")], default=0)
    out = []
    for pt in report.points:
        bars = []
        for f in ("created", "solved"):
            value = pt.value(f) or 0
            bars.append(
                {
                    "figure": f,
                    "value": pages.format_value(f, value, language),
                    "width": round(100 * value / top) if top else 0,
                    "colour": BAR_COLOURS[f],
                }
            )
        label = format_date(
            pt.start, "EEE d MMM" if p.grouping == "day" else "d MMM", locale=language
        )
        out.append({"label": label, "week": p.grouping == "week", "bars": bars})
    return out
