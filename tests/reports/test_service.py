"""The daily aggregates: kept by the refresh job as tickets change, equal to a rebuild from the
history, and equal to the ticket lists their drill-down links open."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import sqlalchemy as sa
import time_machine
from werkzeug.datastructures import MultiDict

from supportdesk.console.filters import parse_queue_filter
from supportdesk.customers.models import Tier
from supportdesk.extensions import db
from supportdesk.jobs.reports import refresh_reports
from supportdesk.reports import queries, service
from supportdesk.reports.links import ticket_list_args
from supportdesk.reports.metrics import MEASURES
from supportdesk.reports.models import DIMENSIONS, ReportDirty
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Channel, Priority, Ticket
from supportdesk.tickets.queries import queue_conditions
from supportdesk.tickets.transitions import next_statuses
from tests import factories

START = dt.datetime(2026, 3, 20, 8, 0, tzinfo=dt.UTC)  # across the DST change in Berlin
ZONE = "Europe/Berlin"


def _play(seed: int, steps: int, refresh_every: int) -> factories.Staff:
    """Open and work tickets through the services at random times; refresh now and then."""
    rng = random.Random(seed)
    staff = factories.make_staff()
    staff.org.time_zone = ZONE
    other_team = factories.TeamFactory(organization=staff.org, members=[staff.admin])
    customers = [
        factories.CustomerFactory(organization=staff.org, tier=tier)
        for tier in (Tier.FREE, Tier.PREMIUM, Tier.ENTERPRISE)
    ]
    db.session.commit()
    at = START
    opened: list[Ticket] = []
    for step in range(steps):
        at += dt.timedelta(minutes=rng.randint(5, 9 * 60))
        with time_machine.travel(at, tick=False):
            action = rng.random()
            if not opened or action < 0.3:
                opened.append(
                    factories.make_ticket(
                        staff.org,
                        customer=rng.choice(customers),
                        priority=rng.choice(list(Priority)),
                        channel=rng.choice(list(Channel)),
                        team=rng.choice([None, staff.team, other_team]),
                        assignee=rng.choice([None, staff.agent, staff.senior_agent]),
                        tags=rng.sample(["billing", "bug", "vip"], rng.randint(0, 2)),
                    )
                )
            else:
                ticket = rng.choice(opened)
                if action < 0.55:
                    tickets.reply(staff.admin, ticket, f"Reply {step}")
                elif action < 0.85:
                    target = rng.choice(next_statuses(ticket.status))
                    tickets.change_status(staff.admin, ticket, target)
                elif action < 0.92:
                    tickets.customer_reply(
                        ticket, db.session.get(type(customers[0]), ticket.customer_id), "Again"
                    )
                else:
                    tickets.assign(
                        staff.admin, ticket, assignee_id=staff.agent.id, team_id=other_team.id
                    )
            db.session.commit()
        if step % refresh_every == 0:
            refresh_reports()
    refresh_reports()
    return staff


def _aggregates(org_id: int) -> tuple[dict, dict]:
    """Both aggregate tables of an organization, row by row."""
    return queries.daily_rows(org_id), queries.total_rows(org_id)


def _totals_of(daily: dict) -> dict:
    """What report_daily_totals must hold: report_daily summed per value of each dimension."""
    out: dict = {}
    for (tag, day, *values), sums in daily.items():
        for dimension, value in (("", ""), *zip(DIMENSIONS, values, strict=True)):
            target = out.setdefault((tag, dimension, str(value), day), dict.fromkeys(MEASURES, 0))
            for m in MEASURES:
                target[m] += sums[m]
    return {k: v for k, v in out.items() if any(v.values())}


def test_a_rebuild_from_the_history_equals_the_incremental_aggregates(app):
    staff = _play(seed=14, steps=120, refresh_every=7)
    incremental = _aggregates(staff.org.id)
    assert incremental[0] and incremental[1]  # something was counted
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportDirty)) == 0
    service.rebuild(staff.org.id, commit=False)
    assert _aggregates(staff.org.id) == incremental


def test_the_totals_are_the_daily_rows_summed_per_dimension(app):
    staff = _play(seed=8, steps=80, refresh_every=5)
    daily, totals = _aggregates(staff.org.id)
    assert totals == _totals_of(daily)


def test_refreshing_twice_changes_nothing(app):
    staff = _play(seed=3, steps=40, refresh_every=100)
    before = _aggregates(staff.org.id)
    ids = list(
        db.session.scalars(sa.select(Ticket.id).where(Ticket.organization_id == staff.org.id))
    )
    service.mark(ids, organization_ids=dict.fromkeys(ids, staff.org.id))
    refresh_reports()
    assert _aggregates(staff.org.id) == before


def test_a_deleted_ticket_leaves_the_figures(app):
    staff = _play(seed=5, steps=30, refresh_every=100)
    ticket = db.session.scalars(
        sa.select(Ticket).where(Ticket.organization_id == staff.org.id)
    ).first()
    tickets.delete_ticket(staff.admin, ticket)
    db.session.commit()
    refresh_reports()
    incremental = _aggregates(staff.org.id)
    service.rebuild(staff.org.id, commit=False)
    assert _aggregates(staff.org.id) == incremental


def _count(staff, args: dict) -> int:
    f = parse_queue_filter(MultiDict(args), None, ZONE)
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Ticket)
        .where(*queue_conditions(staff.org.id, staff.admin.id, f))
    )


# Each filter of the report against the same filter of the ticket list.
FILTERS = [
    {},
    {"channel": "email"},
    {"priority": "high"},
    {"tier": "premium"},
    {"tag": "bug"},
    {"assignee_id": 0},
    {"channel": "web", "priority": "high"},  # two filters: read from report_daily
    {"tag": "bug", "assignee_id": 0},
]


def test_every_figure_equals_the_count_of_its_ticket_list(app):
    staff = _play(seed=21, steps=90, refresh_every=50)
    team = staff.team.id
    first, last = START.date(), (START + dt.timedelta(days=60)).date()
    for filters in [*FILTERS, {"team_id": team}, {"assignee_id": staff.agent.id}]:
        params = queries.Params(first, last, "week", **filters)
        report = queries.report(staff.org.id, params)
        assert report.value("created") == _count(staff, ticket_list_args("created", params))
        for point in report.points:
            for figure in ("created", "solved"):
                args = ticket_list_args(figure, replace_range(params, point.start, point.end))
                assert point.value(figure) == _count(staff, args), (filters, figure, point.start)
        backlog = ticket_list_args("backlog", params)
        assert report.value("backlog") == _count(staff, backlog), filters


@pytest.mark.parametrize(
    "filters",
    [
        pytest.param({}, id="no-filter"),
        pytest.param({"channel": "email"}, id="one-filter"),
        pytest.param({"tag": "bug"}, id="tag"),
        pytest.param({"channel": "email", "priority": "high"}, id="two-filters"),
    ],
)
def test_a_breakdown_sums_the_daily_rows_whichever_table_it_reads(app, filters):
    staff = _play(seed=21, steps=90, refresh_every=50)
    params = queries.Params(START.date(), (START + dt.timedelta(days=30)).date(), **filters)
    daily = queries.daily_rows(staff.org.id)
    for by, column in queries.BREAKDOWNS.items():
        expected: dict = {}
        for (tag, day, *values), sums in daily.items():
            row = dict(zip(DIMENSIONS, values, strict=True), tag=tag)
            if not params.start <= day <= params.end:
                continue
            if (by == "tag" and tag == "") or (by != "tag" and tag != (params.tag or "")):
                continue
            if any(row[k] != v for k, v in params.filters().items()):
                continue
            target = expected.setdefault(row[column], dict.fromkeys(MEASURES, 0))
            for m in MEASURES:
                target[m] += sums[m]
        assert dict(queries.breakdown(staff.org.id, params, by)) == expected, by


def replace_range(params, start, end):
    import dataclasses

    return dataclasses.replace(params, start=start, end=end)
