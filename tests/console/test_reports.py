"""The report dashboard: what each role sees, tenancy, bad input, and links that match charts."""

from __future__ import annotations

import re

import pytest

from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.jobs.reports import refresh_reports
from supportdesk.tickets.models import Channel, Status
from tests.factories import OrganizationFactory, UserFactory, make_staff, make_ticket
from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration


@pytest.fixture
def world(app):
    """Two organizations with tickets, counted into the aggregates."""
    staff = make_staff()
    make_ticket(staff.org, assignee=staff.agent, team=staff.team, subject="Printer on fire")
    make_ticket(staff.org, assignee=staff.senior_agent, channel=Channel.EMAIL, subject="VPN")
    make_ticket(staff.org, assignee=staff.agent, status=Status.RESOLVED, subject="Done")
    other = OrganizationFactory()
    other_agent = UserFactory(organization=other, role=Role.ADMIN)
    for _ in range(5):
        make_ticket(other, assignee=other_agent)
    db.session.commit()
    refresh_reports()
    return staff


def _kpi(html: str, label: str) -> str:
    match = re.search(
        rf'title="[^"]*">{label}</h2>\s*<p class="kpi-value">(?:<a href="([^"]+)"[^>]*>)?([\d,.—%]+)',
        html,
    )
    assert match, label
    return match.group(2)


@pytest.mark.parametrize(
    ("role", "created", "team_view"),
    [
        pytest.param(Role.ADMIN, "3", True, id="admin-sees-the-organization"),
        pytest.param(Role.SENIOR_AGENT, "3", True, id="lead-sees-the-organization"),
        pytest.param(Role.AGENT, "2", False, id="agent-sees-their-own"),
        pytest.param(Role.VIEWER, "0", False, id="viewer-sees-their-own"),
    ],
)
def test_each_role_sees_its_figures_and_never_another_organization(
    client, world, role, created, team_view
):
    login_as(client, world.by_role(role))
    response = client.get("/reports?days=7")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _kpi(html, "Created") == created
    assert ('name="team"' in html) is team_view
    assert "<svg" in html and 'role="img"' in html


def test_an_agent_asking_for_someone_else_is_refused(client, world):
    login_as(client, world.agent)
    assert client.get(f"/reports?agent={world.senior_agent.id}").status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("start=2026-13-01", "Start", id="bad-date"),
        pytest.param("start=2026-11-20&end=2026-11-01", "Start", id="reversed"),
        pytest.param("group=year", "Group", id="bad-grouping"),
        pytest.param("channel=fax", "Channel", id="bad-channel"),
        pytest.param("team=abc", "Team", id="bad-team"),
        pytest.param("days=5000", "Days", id="too-long"),
    ],
)
def test_bad_parameters_answer_400_naming_the_field(client, world, query, field):
    login_as(client, world.admin)
    response = client.get(f"/reports?{query}")
    assert response.status_code == 400
    assert f"{field}:" in response.get_data(as_text=True)


def test_the_created_figure_links_to_a_list_of_as_many_tickets(client, world):
    login_as(client, world.admin)
    html = client.get("/reports?days=7&channel=email").get_data(as_text=True)
    link = re.search(r'title="[^"]*">Created</h2>\s*<p class="kpi-value"><a href="([^"]+)"', html)
    assert _kpi(html, "Created") == "1"
    listed = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "VPN" in listed and "Printer on fire" not in listed


def test_the_dashboard_is_in_the_main_navigation(client, world):
    login_as(client, world.agent)
    assert 'href="/reports"' in client.get("/").get_data(as_text=True)
