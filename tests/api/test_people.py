"""Agent and team endpoints."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import AssignmentStrategy
from supportdesk.api.errors import fields_renamed
from supportdesk.errors import ValidationFailed
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.integration


def test_agents_are_listed_with_role_and_teams(api, org, agent):
    colleague = UserFactory(organization=org, name="Zoe", active=False)
    team = TeamFactory(organization=org, name="Billing", members=[agent])

    agents = api.get("/agents").get_json()["data"]

    assert [a["name"] for a in agents] == [agent.name, "Zoe"]
    assert agents[0]["teams"] == [{"id": team.id, "name": "Billing"}]
    assert agents[0]["role"] == "agent"
    assert agents[1] == {**agents[1], "id": colleague.id, "active": False}


def test_agents_show_whether_they_are_away(api, org, agent):
    UserFactory(organization=org, name="Zoe", away=True)

    agents = api.get("/agents").get_json()["data"]

    assert [(a["name"], a["away"]) for a in agents] == [(agent.name, False), ("Zoe", True)]


def test_teams_show_their_assignment_strategy(api, org):
    TeamFactory(organization=org, name="Accounts")
    TeamFactory(
        organization=org, name="Billing", assignment_strategy=AssignmentStrategy.LEAST_LOADED
    )

    teams = api.get("/teams").get_json()["data"]

    assert [(t["name"], t["assignment_strategy"]) for t in teams] == [
        ("Accounts", "manual"),
        ("Billing", "least_loaded"),
    ]


def test_the_document_describes_away_and_the_strategy(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["Agent"]["properties"]["away"]["type"] == "boolean"
    assert "away" in schemas["Agent"]["required"]
    strategy = schemas["Team"]["properties"]["assignment_strategy"]
    assert "assignment_strategy" in schemas["Team"]["required"]
    resolved = schemas[strategy["$ref"].rsplit("/", 1)[1]] if "$ref" in strategy else strategy
    assert resolved["enum"] == ["manual", "round_robin", "least_loaded"]


def test_teams_are_listed_with_members(api, org, agent):
    TeamFactory(organization=org, name="Billing", members=[agent])
    TeamFactory(organization=org, name="Accounts")

    teams = api.get("/teams").get_json()["data"]

    assert [t["name"] for t in teams] == ["Accounts", "Billing"]
    assert teams[1]["members"] == [{"id": agent.id, "name": agent.name, "email": agent.email}]


@pytest.mark.parametrize("path", ["/agents", "/teams"])
def test_people_lists_cost_the_same_queries_for_any_size(api, org, query_counter, path):
    api.get(path)
    counts = []
    for n in (1, 10):
        for _ in range(n):
            members = [UserFactory(organization=org)]
            TeamFactory(organization=org, members=members)
        with query_counter() as queries:
            api.get(path)
        counts.append(queries.count)
    assert counts[0] == counts[1] <= 4, counts


def test_service_fields_are_renamed_for_the_api():
    with pytest.raises(ValidationFailed) as raised, fields_renamed({"team": "team_id"}):
        raise ValidationFailed("No such team.", {"team": "Choose a team.", "tags": "Bad."})

    assert raised.value.fields == {"team_id": "Choose a team.", "tags": "Bad."}


def test_agents_show_whether_they_use_two_factor(api, org, agent, other_org):
    from tests.twofactor.helpers import enrol

    colleague = UserFactory(organization=org, name="Zoe")
    enrol(colleague)
    enrol(UserFactory(organization=other_org))

    agents = api.get("/agents").get_json()["data"]

    assert [(a["name"], a["two_factor"]) for a in agents] == [(agent.name, False), ("Zoe", True)]
