"""API views for the organization's agents and teams (read only)."""

from __future__ import annotations

from supportdesk.accounts import queries
from supportdesk.api import examples, schemas
from supportdesk.api.access import organization_id
from supportdesk.api.operations import operation
from supportdesk.twofactor.service import enrolled_user_ids

TAG = "Agents and teams"


@operation(
    "GET",
    "/agents",
    tag=TAG,
    summary="List agents",
    response=schemas.AgentList,
    response_example=examples.AGENT_LIST,
)
def agent_list():
    """Every agent of the organization (active first, by name) with role, teams and whether they
    use two-factor authentication."""
    agents = queries.list_agents(organization_id())
    enrolled = enrolled_user_ids(organization_id())
    return schemas.AgentList(
        data=[
            schemas.Agent.model_validate(a).model_copy(update={"two_factor": a.id in enrolled})
            for a in agents
        ]
    )


@operation(
    "GET",
    "/teams",
    tag=TAG,
    summary="List teams",
    response=schemas.TeamList,
    response_example=examples.TEAM_LIST,
)
def team_list():
    """Every team of the organization, by name, with its members."""
    teams = queries.list_teams(organization_id())
    return schemas.TeamList(data=[schemas.Team.model_validate(t) for t in teams])
