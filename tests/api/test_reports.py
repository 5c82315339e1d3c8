"""Reports in the API: the dashboard's numbers, per role, never another organization's."""

from __future__ import annotations

import re

import pytest

from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.jobs.reports import refresh_reports
from supportdesk.reports.metrics import FIGURES
from supportdesk.tickets.models import Channel, Status
from tests.factories import OrganizationFactory, UserFactory, make_staff, make_ticket
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration


@pytest.fixture
def staff(app):
    staff = make_staff()
    make_ticket(staff.org, assignee=staff.agent, team=staff.team, tags=["vip"])
    make_ticket(staff.org, assignee=staff.senior_agent, channel=Channel.EMAIL)
    make_ticket(staff.org, assignee=staff.agent, status=Status.RESOLVED)
    other = OrganizationFactory()
    for _ in range(4):
        make_ticket(other, assignee=UserFactory(organization=other, role=Role.ADMIN))
    db.session.commit()
    refresh_reports()
    return staff


@pytest.mark.parametrize(
    ("role", "created"),
    [
        pytest.param(Role.ADMIN, 3, id="admin"),
        pytest.param(Role.SENIOR_AGENT, 3, id="lead"),
        pytest.param(Role.AGENT, 2, id="agent-own"),
        pytest.param(Role.VIEWER, 0, id="viewer-own"),
    ],
)
def test_the_summary_counts_what_the_role_may_see_in_its_organization(api_as, staff, role, created):
    body = api_as(staff.by_role(role)).get("/reports/summary?days=7&group=week").get_json()
    assert body["figures"]["created"]["value"] == created
    assert body["period"]["group"] == "week"
    assert sum(b["figures"]["created"] for b in body["buckets"]) == created


def test_the_api_and_the_dashboard_show_the_same_figures(api_as, client, staff):
    body = api_as(staff.admin).get("/reports/summary?days=7&tag=vip").get_json()
    login_as(client, staff.admin)
    html = client.get("/reports?days=7&tag=vip").get_data(as_text=True)
    for name in ("created", "solved", "backlog"):
        label = FIGURES[name].label
        shown = re.search(rf'>{label}</h2>\s*<p class="kpi-value">(?:<a [^>]+>)?([\d,]+)', html)
        assert int(shown.group(1)) == body["figures"][name]["value"], name


def test_a_breakdown_names_its_rows(api_as, staff):
    rows = api_as(staff.admin).get("/reports/breakdown?days=7&by=agent").get_json()["rows"]
    assert {r["label"]: r["figures"]["created"] for r in rows} == {
        staff.agent.name: 2,
        staff.senior_agent.name: 1,
    }


def test_an_agent_asking_for_another_agent_is_refused(api_as, staff):
    response = api_as(staff.agent).get(f"/reports/summary?agent={staff.senior_agent.id}")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("start=2026-11-20&end=2026-11-01", "start", id="reversed"),
        pytest.param("group=year", "group", id="grouping"),
        pytest.param("by=mood", "by", id="breakdown"),
        pytest.param("days=0", "days", id="days"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(api_as, staff, query, field):
    path = "/reports/breakdown" if field == "by" else "/reports/summary"
    response = api_as(staff.admin).get(f"{path}?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_the_figures_are_listed_with_their_definitions(api_as, staff):
    data = api_as(staff.agent).get("/reports/figures").get_json()["data"]
    assert [f["name"] for f in data] == list(FIGURES)
    assert all(f["description"] for f in data)
