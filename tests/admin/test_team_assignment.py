"""The assignment strategy on the team form."""

from __future__ import annotations

from supportdesk.accounts.models import AssignmentStrategy, Team
from supportdesk.extensions import db
from tests.fixtures.web import csrf_token, login_as


def test_a_lead_sets_the_team_assignment_strategy(client, senior_agent, agent, org):
    login_as(client, senior_agent)
    token = csrf_token(client.get("/admin/teams/new"))
    response = client.post(
        "/admin/teams/new",
        data={
            "csrf_token": token,
            "name": "Night",
            "members": [agent.id],
            "strategy": "least_loaded",
        },
    )
    assert response.status_code == 302
    team = db.session.scalar(db.select(Team).where(Team.name == "Night"))
    assert team.assignment_strategy is AssignmentStrategy.LEAST_LOADED
    page = client.get(f"/admin/teams/{team.id}").get_data(as_text=True)
    assert '<option selected value="least_loaded">' in page
    assert "Least loaded" in client.get("/admin/teams").get_data(as_text=True)
