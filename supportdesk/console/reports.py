"""Console report pages: the dashboard of a period, with charts, tables and drill-down links, and
the summary emails of its figures an agent subscribes to (supportdesk.reports.digest)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from supportdesk.accounts.queries import assignment_choices
from supportdesk.admin.forms import ConfirmForm
from supportdesk.console import bp
from supportdesk.customers.models import Tier
from supportdesk.db import utcnow
from supportdesk.i18n import lazy_gettext as _l
from supportdesk.params import INT4_MAX
from supportdesk.replica import reads_replica
from supportdesk.reports import csat, digest, pages, queries
from supportdesk.reports import params as report_params
from supportdesk.reports.metrics import FIGURES, local_day
from supportdesk.reports.models import Frequency
from supportdesk.reports.queries import ReportError
from supportdesk.submit import Saved, act, submit
from supportdesk.tickets.models import Channel, Priority
from supportdesk.web import Form


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
        summary_form=SummaryForm(team=p.team_id if team_view and p.team_id else ""),
        summaries={row.frequency.value for row in digest.subscriptions(current_user)},
    ), (400 if errors else 200)


class SummaryForm(Form):
    """ "Email me this summary": weekly or monthly, and (for leads) the team on the page."""

    frequency = SelectField(
        _l("How often"),
        choices=[
            SelectChoice(Frequency.WEEKLY.value, _l("Weekly")),
            SelectChoice(Frequency.MONTHLY.value, _l("Monthly")),
        ],
        validators=[DataRequired()],
    )
    team = HiddenField()


def _summaries_page(form: SummaryForm | None = None) -> str:
    rows = digest.subscriptions(current_user)
    org = current_user.organization_id
    team_names = (
        {t.id: t.name for t in assignment_choices(org)[1]}
        if current_user.can("report.view_team")
        else {}
    )
    zone = current_user.shown_time_zone
    return render_template(
        "console/report_subscriptions.html",
        subscriptions=[
            (row, team_names.get(row.team_id, ""), digest.next_period(row, zone)) for row in rows
        ],
        form=form or SummaryForm(),
        confirm=ConfirmForm(),
        team_view=current_user.can("report.view_team"),
        zone=zone,
    )


def _team_id(value: str) -> int | None:
    """The form's team: none, or an id (anything else names no team: refused by the service)."""
    if not value:
        return None
    return int(value) if value.isascii() and value.isdigit() and int(value) <= INT4_MAX else 0


@bp.get("/reports/summaries")
def report_subscriptions():
    """The agent's summary emails: what they get, when the next one comes, unsubscribe."""
    return _summaries_page()


@bp.post("/reports/summaries")
def report_subscription_create():
    """Subscribe to the summary of the reports page (weekly or monthly)."""
    form = SummaryForm()
    team = (form.team.data or "").strip()
    return submit(
        form,
        lambda: digest.subscribe(
            current_user,
            form.frequency.data,
            _team_id(team),
        ),
        done=lambda row: Saved(
            gettext("You will get this summary weekly by email.")
            if row.frequency is Frequency.WEEKLY
            else gettext("You will get this summary monthly by email."),
            url_for("console.report_subscriptions"),
        ),
        page=lambda _: _summaries_page(form),
    )


@bp.post("/reports/summaries/<int:subscription_id>/delete")
def report_subscription_delete(subscription_id: int):
    """Unsubscribe from one summary email."""
    back = url_for("console.report_subscriptions")
    return act(
        lambda: digest.unsubscribe(current_user, subscription_id),
        done=lambda row: Saved(
            gettext("You will no longer get the weekly summary.")
            if row.frequency is Frequency.WEEKLY
            else gettext("You will no longer get the monthly summary."),
            back,
        ),
        back=back,
    )
