"""Admin pages for teams: senior agents and admins create and edit them."""

from __future__ import annotations

import re

import pytest

from supportdesk.accounts.models import AssignmentStrategy, Team
from supportdesk.extensions import db
from tests.factories import TeamFactory, UserFactory, make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def test_a_senior_agent_creates_a_team_with_members(client, senior_agent, agent):
    login_as(client, senior_agent)
    token = csrf_token(client.get("/admin/teams/new"))
    response = client.post(
        "/admin/teams/new",
        data={
            "csrf_token": token,
            "name": "Billing",
            "description": "Money",
            "members": [agent.id],
        },
    )
    assert response.status_code == 302
    team = db.session.scalar(db.select(Team).where(Team.name == "Billing"))
    assert [m.id for m in team.members] == [agent.id]
    assert "Billing" in client.get("/admin/teams").get_data(as_text=True)


def test_a_duplicate_team_name_is_refused(client, admin, org):
    TeamFactory(organization=org, name="Billing")
    login_as(client, admin)
    token = csrf_token(client.get("/admin/teams/new"))
    response = client.post("/admin/teams/new", data={"csrf_token": token, "name": "billing"})
    assert response.status_code == 422
    assert "Pick another name." in response.get_data(as_text=True)


def test_editing_a_team_replaces_its_members(client, admin, org, agent, senior_agent):
    team = TeamFactory(organization=org, members=[agent])
    login_as(client, admin)
    token = csrf_token(client.get(f"/admin/teams/{team.id}"))
    response = client.post(
        f"/admin/teams/{team.id}",
        data={"csrf_token": token, "name": "Renamed", "members": [senior_agent.id]},
    )
    assert response.status_code == 302
    db.session.expire(team)
    assert team.name == "Renamed" and [m.id for m in team.members] == [senior_agent.id]


def test_members_from_another_organization_are_refused(client, admin, org, other_org):
    team = TeamFactory(organization=org)
    stranger = UserFactory(organization=other_org)
    login_as(client, admin)
    token = csrf_token(client.get(f"/admin/teams/{team.id}"))
    response = client.post(
        f"/admin/teams/{team.id}",
        data={"csrf_token": token, "name": team.name, "members": [stranger.id]},
    )
    assert response.status_code == 422


def test_an_agent_cannot_manage_teams(client, agent, org):
    team = TeamFactory(organization=org)
    login_as(client, agent)
    assert client.get("/admin/teams").status_code == 200
    assert client.get("/admin/teams/new").status_code == 403
    assert client.get(f"/admin/teams/{team.id}").status_code == 403


def test_a_team_of_another_organization_is_not_found(client, admin, other_org):
    team = TeamFactory(organization=other_org)
    login_as(client, admin)
    assert client.get(f"/admin/teams/{team.id}").status_code == 404


def _selected_members(page: str) -> dict[int, str]:
    """The member options the page pre-selects, as a browser submits them: id → label."""
    select = re.search(r'<select[^>]*name="members"[^>]*>(.*?)</select>', page, re.S).group(1)
    found = re.findall(r'<option selected value="(\d+)">([^<]*)</option>', select)
    return {int(value): label for value, label in found}


def test_saving_a_team_keeps_its_deactivated_members(client, admin, org, agent):
    gone = UserFactory(organization=org, name="Gone Agent", active=False)
    UserFactory(organization=org, name="Never Member", active=False)
    team = TeamFactory(
        organization=org,
        members=[agent, gone],
        assignment_strategy=AssignmentStrategy.ROUND_ROBIN,
    )
    login_as(client, admin)
    page = client.get(f"/admin/teams/{team.id}").get_data(as_text=True)
    assert _selected_members(page) == {agent.id: agent.name, gone.id: "Gone Agent (deactivated)"}
    assert "Never Member" not in page
    listing = client.get("/admin/teams").get_data(as_text=True)
    assert "Gone Agent (deactivated)" in listing
    response = client.post(
        f"/admin/teams/{team.id}",
        data={
            "csrf_token": csrf_token(page),
            "name": "Renamed",
            "members": list(_selected_members(page)),
            "strategy": "round_robin",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(m.id for m in team.members) == sorted([agent.id, gone.id])
    # Reactivated, they are back in the rotation without anyone re-adding them.
    agent.away = True
    gone.active = True
    ticket = make_ticket(org, team=team)
    db.session.commit()
    assert ticket.assignee_id == gone.id


def test_a_deactivated_member_is_removed_on_purpose(client, admin, org, agent):
    gone = UserFactory(organization=org, active=False)
    team = TeamFactory(organization=org, members=[agent, gone])
    login_as(client, admin)
    token = csrf_token(client.get(f"/admin/teams/{team.id}"))
    response = client.post(
        f"/admin/teams/{team.id}",
        data={"csrf_token": token, "name": team.name, "members": [agent.id]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [m.id for m in team.members] == [agent.id]
