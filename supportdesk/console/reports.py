"""Console report pages: the dashboard of a period, with charts, tables and drill-down links."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from supportdesk.accounts.queries import assignment_choices
from supportdesk.console import bp
from supportdesk.customers.models import Tier
from supportdesk.db import utcnow
from supportdesk.replica import reads_replica
from supportdesk.reports import csat, pages, queries
from supportdesk.reports import params as report_params
from supportdesk.reports.metrics import FIGURES, local_day
from supportdesk.reports.queries import ReportError
from supportdesk.tickets.models import Channel, Priority


@bp.get("/reports")
@reads_replica
def report_dashboard():
    """How the team (or, for agents, the agent) is doing over a period, against the one before."""
    org = current_user.organization_id
    today = local_day(utcnow(), current_user.organization.time_zone)
    errors: dict[str, str] = {}
    try:
        p = report_params.parse(request.args, today)
        by = report_params.breakdown_of(request.args)
    except ReportError as exc:
        errors[exc.field] = str(exc)
        p, by = report_params.parse({}, today), None
    p = report_params.scoped(current_user, p)
    team_view = current_user.can("report.view_team")
    by = by or ("team" if team_view else "channel")
    report = queries.report(org, p)
    rows = queries.breakdown(org, p, by)
    agents, teams = assignment_choices(org) if team_view else ([], [])
    zone = current_user.organization.time_zone
    # The portal's ratings table (migration 0029) is always there: no schema look-up per view.
    satisfaction = (csat.csat(org, p, zone), csat.csat(org, p.previous(), zone))
    return render_template(
        "console/reports.html",
        p=p,
        args=report_params.query_args(p),
        by=by,
        errors=errors,
        today=today,
        team_view=team_view,
        kpis=pages.kpis(report, today),
        satisfaction=satisfaction,
        queue_url=url_for("console.queue"),
        panels=pages.panels(report),
        breakdown_headers=[FIGURES[f].label for f in pages.BREAKDOWN_FIGURES],
        breakdown=pages.breakdown_rows(p, by, rows, queries.names(org, by, [k for k, _ in rows])),
        breakdowns=queries.BREAKDOWNS,
        groupings=queries.GROUPINGS,
        presets=report_params.PRESETS,
        agents=agents,
        teams=teams,
        channels=list(Channel),
        priorities=list(Priority),
        tiers=list(Tier),
    ), (400 if errors else 200)
