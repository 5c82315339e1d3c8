"""Report reads: the figures of a period from the daily aggregates, by day/week/month or broken down.

Everything reads the daily aggregates (supportdesk.reports.models) with the organization's id
first: `report_daily_totals` when the report is filtered by at most one dimension, or broken down by
one with no filter (a few rows per day), else `report_daily` (a row per day and combination of
team, agent, channel, priority and tier). Both hold the same sums, so the table read never changes
a number; every figure is a `metrics.FIGURES` entry computed from summed measures, so the dashboard, the
report pages, the API and the CSV of a report show the same numbers for the same parameters.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.reports.metrics import FIGURES, MEASURES
from supportdesk.reports.models import DIMENSIONS, ReportDaily, ReportDailyTotal

GROUPINGS = ("day", "week", "month")
BREAKDOWNS = {
    "team": "team_id",
    "agent": "assignee_id",
    "channel": "channel",
    "priority": "priority",
    "tier": "tier",
    "tag": "tag",
}
MAX_DAYS = 366 * 3


class ReportError(ValueError):
    """Report parameters that cannot be used: `field` names the parameter."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Params:
    """What a report shows: an inclusive range of local days, a grouping and the filters."""

    start: dt.date
    end: dt.date
    grouping: str = "day"
    team_id: int | None = None
    assignee_id: int | None = None  # 0: unassigned
    channel: str | None = None
    priority: str | None = None
    tier: str | None = None
    tag: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Params:
        """The period of the same length just before this one (the comparison)."""
        return replace(
            self,
            start=self.start - dt.timedelta(days=self.days),
            end=self.start - dt.timedelta(days=1),
        )

    def filters(self) -> dict[str, object]:
        """The filters set, by dimension column."""
        out = {
            "team_id": self.team_id,
            "assignee_id": self.assignee_id,
            "channel": self.channel,
            "priority": self.priority,
            "tier": self.tier,
        }
        return {k: v for k, v in out.items() if v is not None}


def bucket(day: dt.date, grouping: str) -> dt.date:
    """The first day of the day's bucket: itself, its ISO week's Monday, or its month's 1st."""
    if grouping == "week":
        return day - dt.timedelta(days=day.weekday())
    if grouping == "month":
        return day.replace(day=1)
    return day


@dataclass
class Point:
    """One bucket of a series: its first and last day (within the range) and summed measures."""

    start: dt.date
    end: dt.date
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))

    def value(self, figure: str) -> float | None:
        return FIGURES[figure].value(self.sums)


@dataclass
class Report:
    """A period's totals and series, the previous period's totals, and the backlog by day."""

    params: Params
    totals: dict[str, int]
    previous: dict[str, int]
    points: list[Point]

    def value(self, figure: str) -> float | None:
        return FIGURES[figure].value(self.totals)

    def previous_value(self, figure: str) -> float | None:
        return FIGURES[figure].value(self.previous)


def _daily_where(organization_id: int, p: Params) -> list:
    conditions = [ReportDaily.organization_id == organization_id, ReportDaily.tag == (p.tag or "")]
    for column, value in p.filters().items():
        conditions.append(getattr(ReportDaily, column) == value)
    return conditions


def _totals_where(organization_id: int, p: Params, dimension: str, value: object = "") -> list:
    T = ReportDailyTotal
    return [
        T.organization_id == organization_id,
        T.tag == (p.tag or ""),
        T.dimension == dimension,
        T.value == str(value),
    ]


def _source(organization_id: int, p: Params) -> tuple[Any, list]:
    """The smaller table that holds `p`'s rows, and the conditions selecting them (no days)."""
    filters = p.filters()
    if len(filters) <= 1:
        dimension, value = next(iter(filters.items()), ("", ""))
        return ReportDailyTotal, _totals_where(organization_id, p, dimension, value)
    return ReportDaily, _daily_where(organization_id, p)


def _sums(model: Any) -> list:
    return [sa.func.coalesce(sa.func.sum(getattr(model, m)), 0).label(m) for m in MEASURES]


def report(organization_id: int, p: Params) -> Report:
    """The figures of `p` and of the period before it, by bucket (2 queries)."""
    prev = p.previous()
    model, where = _source(organization_id, p)
    rows = db.session.execute(
        sa.select(model.day, *_sums(model))
        .where(*where, model.day.between(prev.start, p.end))
        .group_by(model.day)
    ).all()
    # The backlog when the previous period began: every move in and out of it before then.
    backlog = int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(model.backlog_delta), 0)).where(
                *where, model.day < prev.start
            )
        )
    )
    by_day = {r.day: {m: int(getattr(r, m)) for m in MEASURES} for r in rows}
    zero = dict.fromkeys(MEASURES, 0)
    totals, previous = dict(zero), dict(zero)
    points: dict[dt.date, Point] = {}
    day = prev.start
    while day <= p.end:
        sums = by_day.get(day, zero)
        backlog += sums["backlog_delta"]
        into = previous if day < p.start else totals
        for m in MEASURES:
            into[m] += sums[m]
        into["backlog"] = backlog  # at the end of the period's last day
        if day >= p.start:
            key = max(bucket(day, p.grouping), p.start)
            point = points.setdefault(key, Point(key, day))
            point.end = day
            for m in MEASURES:
                point.sums[m] += sums[m]
            point.sums["backlog"] = backlog
        day += dt.timedelta(days=1)
    return Report(p, totals, previous, list(points.values()))


def breakdown(organization_id: int, p: Params, by: str) -> list[tuple[object, dict[str, int]]]:
    """The period's sums per value of one dimension (largest created first; 1 query).

    The backlog is not broken down (it is a running sum over all time).
    """
    name = BREAKDOWNS[by]
    filters = p.filters()
    if by == "tag":
        model, where = _source(organization_id, p)
        where[1] = model.tag != ""
        column = model.tag
    elif not filters:
        model = ReportDailyTotal
        where = _totals_where(organization_id, p, name)[:3]
        column = model.value
    else:
        model, where = ReportDaily, _daily_where(organization_id, p)
        column = getattr(model, name)
    rows = db.session.execute(
        sa.select(column.label("key"), *_sums(model))
        .where(*where, model.day.between(p.start, p.end))
        .group_by(column)
    ).all()
    as_int = model is ReportDailyTotal and name.endswith("_id")  # its values are strings
    out = [
        (int(r.key) if as_int else r.key, {m: int(getattr(r, m)) for m in MEASURES}) for r in rows
    ]
    out.sort(key=lambda kv: (-kv[1]["created"], -kv[1]["solved"], str(kv[0])))
    return out


def daily_rows(organization_id: int) -> dict[tuple, dict[str, int]]:
    """Every aggregate row of an organization (tests compare a rebuild with the increments)."""
    rows = db.session.execute(
        sa.select(ReportDaily).where(ReportDaily.organization_id == organization_id)
    ).scalars()
    return {
        (r.tag, r.day, *(getattr(r, d) for d in DIMENSIONS)): {m: getattr(r, m) for m in MEASURES}
        for r in rows
    }


def total_rows(organization_id: int) -> dict[tuple, dict[str, int]]:
    """Every `report_daily_totals` row of an organization (for the same comparisons)."""
    T = ReportDailyTotal
    rows = db.session.execute(sa.select(T).where(T.organization_id == organization_id)).scalars()
    return {
        (r.tag, r.dimension, r.value, r.day): {m: getattr(r, m) for m in MEASURES} for r in rows
    }


def names(organization_id: int, by: str, keys: list) -> dict:
    """People's names for breakdown keys (teams and agents); other keys name themselves."""
    from supportdesk.accounts.models import Team, User

    labels: dict = defaultdict(str)
    if by in ("team", "agent"):
        model = Team if by == "team" else User
        ids = [k for k in keys if k]
        if ids:
            labels.update(
                db.session.execute(
                    sa.select(model.id, model.name).where(
                        model.organization_id == organization_id, model.id.in_(ids)
                    )
                ).all()
            )
        labels[0] = "No team" if by == "team" else "Unassigned"
    return {k: labels.get(k) or str(k).replace("_", " ").capitalize() for k in keys}
