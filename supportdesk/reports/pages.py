"""What the report pages show: panels of charts with their tables and drill-down lists.

Built from one `queries.Report` (and a breakdown), so the chart, its table, its link and the
API's numbers are the same values. No Flask here: the view turns link arguments into URLs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from babel.numbers import format_decimal
from markupsafe import Markup

from supportdesk import i18n
from supportdesk.reports import charts
from supportdesk.reports.links import ticket_list_args
from supportdesk.reports.metrics import FIGURES
from supportdesk.reports.queries import BREAKDOWNS, Params, Point, Report

KPIS = (
    "created",
    "solved",
    "backlog",
    "first_response_hours",
    "resolution_hours",
    "sla_first_response",
    "sla_resolution",
    "one_touch",
    "replies_per_ticket",
    "reopened",
)
# The figures of the breakdown table, in its column order.
BREAKDOWN_FIGURES = (
    "created",
    "solved",
    "first_response_hours",
    "resolution_hours",
    "sla_first_response",
    "sla_resolution",
    "one_touch",
    "reopened",
)
PANELS = (
    ("volume", "Created and solved", "bars", ("created", "solved")),
    ("backlog", "Backlog at the end of each day", "line", ("backlog",)),
    ("times", "First response and full resolution", "line",
     ("first_response_hours", "resolution_hours")),
    ("sla", "SLA achieved", "line", ("sla_first_response", "sla_resolution")),
    ("status", "Time in each status before solving", "bars",
     ("open_hours", "in_progress_hours", "pending_hours")),
)  # fmt: skip
UNITS = {"hours": " h", "%": "%", "tickets": "", "replies": ""}


def bucket_label(point: Point, grouping: str) -> str:
    """How a bucket is named on axes and in tables."""
    if grouping == "month":
        return point.start.strftime("%b %Y")
    if grouping == "week":
        return f"Week of {point.start.day} {point.start.strftime('%b')}"
    return f"{point.start.day} {point.start.strftime('%b')}"


def format_value(figure: str, value: float | None, language: str | None = None) -> str:
    """A figure's value as the pages print it (in `language`'s digits: 1.234,5 in German)."""
    if value is None:
        return "—"
    unit = FIGURES[figure].unit
    code = i18n.supported(language) or i18n.DEFAULT
    if code != i18n.DEFAULT:
        pattern = "#,##0" if unit == "tickets" else "#,##0.0"
        text = format_decimal(value, format=pattern, locale=code)
        return text + ("%" if unit == "%" else UNITS[unit])
    if unit == "tickets":
        return f"{value:,.0f}"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:,.1f}{UNITS[unit]}"


def change(figure: str, now: float | None, before: float | None) -> tuple[float | None, str]:
    """How a figure moved against the previous period: the change and "up"/"down" (or "").

    Shares (%) change by percentage points, everything else by percent of the previous value
    (None when there was nothing before to compare with).
    """
    if now is None or before is None or before == now:
        return None, ""
    delta = now - before
    direction = "up" if delta > 0 else "down"
    if FIGURES[figure].unit == "%":
        return delta, direction
    return (100 * delta / before if before else None), direction


def format_change(figure: str, delta: float | None) -> str:
    """A change as the dashboard prints it: "+2.5 pts" for shares, "-12%" for the rest."""
    if delta is None:
        return ""
    return f"{delta:+.1f} pts" if FIGURES[figure].unit == "%" else f"{delta:+.0f}%"


@dataclass
class Kpi:
    """A figure of the period with the previous period's value and the change."""

    figure: str
    label: str
    value: str
    previous: str
    change: str
    direction: str  # "up", "down" or ""
    description: str
    link: dict | None


@dataclass
class Row:
    """One line of a panel's table: a bucket and each figure's value with its ticket list."""

    label: str
    cells: list[tuple[str, dict | None]]


@dataclass
class Panel:
    """A chart and its table."""

    key: str
    title: str
    chart: Markup
    figures: list[str]
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""


def _link(figure: str, p: Params) -> dict | None:
    """The ticket list behind `figure` over `p` (None for the backlog of a past day)."""
    return ticket_list_args(figure, p)


def kpis(report: Report, today: dt.date) -> list[Kpi]:
    """The headline figures with the comparison to the previous period (the backlog links to
    today's list only when the period ends today: `today` in the organization's zone)."""
    out = []
    for name in KPIS:
        f = FIGURES[name]
        now, before = report.value(name), report.previous_value(name)
        delta, direction = change(name, now, before)
        kind = f.ticket_list
        link = (
            _link(name, report.params) if kind != "backlog" or report.params.end >= today else None
        )
        out.append(
            Kpi(
                name,
                f.label,
                format_value(name, now),
                format_value(name, before),
                format_change(name, delta),
                direction,
                f.description or "",
                link,
            )
        )
    return out


def panels(report: Report) -> list[Panel]:
    """Every chart of the dashboard with its table: one row per bucket, links per cell."""
    p = report.params
    labels = [bucket_label(pt, p.grouping) for pt in report.points]
    out = []
    for key, title, kind, figures in PANELS:
        series = [
            charts.Series(FIGURES[f].label, [pt.value(f) for pt in report.points]) for f in figures
        ]
        unit = UNITS[FIGURES[figures[0]].unit]
        draw = charts.bars if kind == "bars" else charts.line
        panel = Panel(
            key,
            title,
            draw(title, labels, series, unit),
            list(figures),
            [FIGURES[f].label for f in figures],
        )
        for label, pt in zip(labels, report.points, strict=True):
            span = replace(p, start=pt.start, end=pt.end)
            cells = []
            for f in figures:
                value = pt.value(f)
                # Counts link to the list behind them (the past backlog has none: tickets moved
                # on); means and shares are over the solved tickets, linked from "Solved".
                listed = value and f in ("created", "solved")
                cells.append((format_value(f, value), _link(f, span) if listed else None))
            panel.rows.append(Row(label, cells))
        if key == "backlog":
            panel.note = "The backlog of past days has no list: tickets change since."
        out.append(panel)
    return out


def breakdown_rows(p: Params, by: str, rows: list[tuple[object, dict]], names: dict) -> list[Row]:
    """The breakdown table: one row per value of the dimension, links narrowed to it."""
    column = BREAKDOWNS[by]
    out = []
    for key, sums in rows:
        # "No team" has no ticket-list filter; "unassigned" has one (agent 0).
        listed = key not in (0, "") or by == "agent"
        narrowed = replace(p, **{column: key}) if listed else None
        cells = []
        for f in BREAKDOWN_FIGURES:
            value = FIGURES[f].value(sums)
            link = (
                _link(f, narrowed) if narrowed is not None and f in ("created", "solved") else None
            )
            cells.append((format_value(f, value), link))
        out.append(Row(str(names.get(key, key)), cells))
    return out
