"""API views of the reports: the figures of the console's dashboard, from the same definitions
(supportdesk.reports.metrics) and the same aggregates, so both always agree."""

from __future__ import annotations

from supportdesk.api import report_schemas as schemas
from supportdesk.api.access import actor, organization_id
from supportdesk.api.errors import InvalidInput
from supportdesk.api.operations import operation
from supportdesk.db import utcnow
from supportdesk.reports import params as report_params
from supportdesk.reports import queries
from supportdesk.reports.metrics import FIGURES, local_day
from supportdesk.reports.queries import Params, ReportError


def _params(query: schemas.ReportQuery) -> tuple[Params, str]:
    """The query's Params, narrowed to what the caller may see, and the organization's zone."""
    user = actor()
    zone = user.organization.time_zone
    args = {
        k: (v.isoformat() if hasattr(v, "isoformat") else str(v))
        for k, v in query.model_dump(exclude_none=True).items()
        if k != "by"
    }
    try:
        p = report_params.parse(args, local_day(utcnow(), zone))
    except ReportError as exc:
        raise InvalidInput(f"Invalid value for {exc.field}: {exc}", {exc.field: str(exc)}) from None
    return report_params.scoped(user, p), zone


def _period(p: Params, zone: str) -> schemas.ReportPeriod:
    prev = p.previous()
    return schemas.ReportPeriod(
        start=p.start,
        end=p.end,
        previous_start=prev.start,
        previous_end=prev.end,
        group=p.grouping,
        time_zone=zone,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@operation(
    "GET",
    "/reports/summary",
    tag="Reports",
    summary="Report figures of a period",
    query=schemas.ReportQuery,
    response=schemas.ReportSummary,
    response_example=schemas.REPORT_SUMMARY,
)
def report_summary(query: schemas.ReportQuery):
    """Every figure (see `/reports/figures`) over the period and the period before it, and per
    day, week or month. Agents get the figures of their own tickets."""
    p, zone = _params(query)
    report = queries.report(organization_id(), p)
    return schemas.ReportSummary(
        period=_period(p, zone),
        figures={
            name: schemas.FigureValue(
                value=_round(report.value(name)), previous=_round(report.previous_value(name))
            )
            for name in FIGURES
        },
        buckets=[
            schemas.Bucket(
                start=pt.start,
                end=pt.end,
                figures={name: _round(pt.value(name)) for name in FIGURES},
            )
            for pt in report.points
        ],
    )


@operation(
    "GET",
    "/reports/breakdown",
    tag="Reports",
    summary="Report figures per team, agent, channel, priority, tier or tag",
    query=schemas.BreakdownQuery,
    response=schemas.ReportBreakdown,
    response_example=schemas.REPORT_BREAKDOWN,
)
def report_breakdown(query: schemas.BreakdownQuery):
    """The period's figures per value of `by` (the backlog is not broken down: null)."""
    p, zone = _params(query)
    org = organization_id()
    rows = queries.breakdown(org, p, query.by)
    labels = queries.names(org, query.by, [k for k, _ in rows])
    return schemas.ReportBreakdown(
        period=_period(p, zone),
        by=query.by,
        rows=[
            schemas.BreakdownRow(
                key=str(key),
                label=labels[key],
                figures={
                    name: (None if name == "backlog" else _round(FIGURES[name].value(sums)))
                    for name in FIGURES
                },
            )
            for key, sums in rows
        ],
    )


@operation(
    "GET",
    "/reports/figures",
    tag="Reports",
    summary="List the report figures and their definitions",
    response=schemas.FigureList,
    response_example=schemas.FIGURE_LIST,
)
def report_figure_list():
    """What every figure counts (business or calendar hours, which history entries)."""
    return schemas.FigureList(
        data=[
            schemas.FigureDefinition(
                name=f.name,
                label=f.label,
                unit=f.unit,
                ticket_list=f.ticket_list,
                description=" ".join((f.description or "").split()),
            )
            for f in FIGURES.values()
        ]
    )
