"""API v1 schemas and examples of the reports (the same figures as the console's dashboard)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from supportdesk.api.schemas import MAX_ID, Input, Output, Tag
from supportdesk.customers.models import Tier
from supportdesk.reports.metrics import FIGURES
from supportdesk.reports.queries import BREAKDOWNS, MAX_DAYS
from supportdesk.tickets.models import Channel, Priority

FigureName = Literal[tuple(FIGURES)]


def _iso_date(value: object) -> object:
    # Lax pydantic reads "0" or "1700000000" as a date (seconds since 1970): only YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("Use a date as YYYY-MM-DD.")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class ReportQuery(Input):
    """A period of local days in the organization's time zone, its grouping and filters.

    Without `start`, the `days` (default 30) ending `end` (default today). Agents get their own
    figures; asking for another agent's needs a senior agent or an admin.
    """

    start: IsoDate | None = Field(
        default=None,
        description="First day (inclusive); a period longer than 1,098 days is refused (422).",
    )
    end: IsoDate | None = Field(default=None, description="Last day (inclusive); default today.")
    days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    group: Literal["day", "week", "month"] = "day"
    team: int | None = Field(default=None, ge=1, le=MAX_ID)
    agent: Annotated[int, Field(ge=1, le=MAX_ID)] | Literal["none"] | None = Field(
        default=None, description="An agent's id, or `none` for unassigned tickets."
    )
    channel: Literal[tuple(c.value for c in Channel)] | None = None
    priority: Literal[tuple(p.value for p in Priority)] | None = None
    tier: Literal[tuple(t.value for t in Tier)] | None = None
    tag: Tag | None = None


class BreakdownQuery(ReportQuery):
    """A report's period and filters, broken down by one dimension."""

    by: Literal[tuple(BREAKDOWNS)] = Field(description="The dimension of the rows.")


class FigureValue(Output):
    """A figure over the period and over the period before it (null: nothing to average)."""

    value: float | None
    previous: float | None


class Bucket(Output):
    """One day, week or month of the period (clipped to it) and its figures."""

    start: dt.date
    end: dt.date
    figures: dict[str, float | None]


class ReportPeriod(Output):
    """The period a report covers and the one it is compared with."""

    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    group: str
    time_zone: str


class ReportSummary(Output):
    """Every figure of the period, with the previous period's, and the figures per bucket."""

    period: ReportPeriod
    figures: dict[str, FigureValue]
    buckets: list[Bucket]


class BreakdownRow(Output):
    """The figures of one value of the dimension (a team, an agent, a channel…)."""

    key: str = Field(description="The id (teams, agents; 0: none) or the value itself.")
    label: str
    figures: dict[str, float | None]


class ReportBreakdown(Output):
    """The period's figures per value of one dimension, most tickets created first."""

    period: ReportPeriod
    by: str
    rows: list[BreakdownRow]


class FigureDefinition(Output):
    """What a figure counts: its unit, the ticket list behind it, and its exact definition."""

    name: str
    label: str
    unit: str
    ticket_list: str
    description: str


class FigureList(Output):
    """Every figure the reports compute."""

    data: list[FigureDefinition]


_PERIOD = {
    "start": "2026-11-01",
    "end": "2026-11-28",
    "previous_start": "2026-10-04",
    "previous_end": "2026-10-31",
    "group": "week",
    "time_zone": "Europe/Berlin",
}
REPORT_SUMMARY = {
    "period": _PERIOD,
    "figures": {
        "created": {"value": 412, "previous": 388},
        "solved": {"value": 398, "previous": 371},
        "first_response_hours": {"value": 2.4, "previous": 3.1},
    },
    "buckets": [
        {"start": "2026-11-01", "end": "2026-11-01", "figures": {"created": 9, "solved": 7}},
        {"start": "2026-11-02", "end": "2026-11-08", "figures": {"created": 104, "solved": 99}},
    ],
}
REPORT_BREAKDOWN = {
    "period": _PERIOD,
    "by": "team",
    "rows": [
        {"key": "3", "label": "Billing", "figures": {"created": 230, "solved": 221}},
        {"key": "0", "label": "No team", "figures": {"created": 12, "solved": 4}},
    ],
}
FIGURE_LIST = {
    "data": [
        {
            "name": "created",
            "label": "Created",
            "unit": "tickets",
            "ticket_list": "created",
            "description": "Created: one per ticket, on the local day of its created entry.",
        }
    ]
}
