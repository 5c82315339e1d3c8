"""Account reads: every one scoped to the organization asked for."""

from __future__ import annotations

import pytest

from supportdesk.accounts import queries
from supportdesk.accounts.models import Role
from supportdesk.errors import NotFound
from tests.factories import TeamFactory, UserFactory


def test_list_agents_puts_active_agents_first_then_sorts_by_name(org, other_org):
    zed = UserFactory(organization=org, name="Zed")
    amy = UserFactory(organization=org, name="Amy")
    gone = UserFactory(organization=org, name="Aaron", active=False)
    UserFactory(organization=other_org, name="Abe")

    assert queries.list_agents(org.id) == [amy, zed, gone]


def test_get_agent_refuses_an_agent_of_another_organization(org, other_org):
    mine = UserFactory(organization=org)
    theirs = UserFactory(organization=other_org)

    assert queries.get_agent(org.id, mine.id) is mine
    with pytest.raises(NotFound):
        queries.get_agent(org.id, theirs.id)


def test_list_teams_by_name_with_members(org, other_org, agent):
    support = TeamFactory(organization=org, name="Support", members=[agent])
    billing = TeamFactory(organization=org, name="Billing")
    TeamFactory(organization=other_org, name="Accounts")

    teams = queries.list_teams(org.id)

    assert teams == [billing, support]
    assert teams[1].members == [agent]


def test_get_team_refuses_a_team_of_another_organization(org, other_org):
    mine = TeamFactory(organization=org)
    theirs = TeamFactory(organization=other_org)

    assert queries.get_team(org.id, mine.id) is mine
    with pytest.raises(NotFound):
        queries.get_team(org.id, theirs.id)


def test_find_active_by_email_ignores_case_and_spaces(agent):
    assert queries.find_active_by_email(f"  {agent.email.upper()} ") is agent


def test_find_active_by_email_skips_deactivated_agents(org):
    UserFactory(organization=org, email="gone@example.com", active=False)

    assert queries.find_active_by_email("gone@example.com") is None


def test_assignable_agents_are_the_active_non_viewers_of_the_organization(org, other_org):
    expected = [
        UserFactory(organization=org, name=name, role=role)
        for name, role in [("Ada", Role.ADMIN), ("Bea", Role.AGENT), ("Cy", Role.SENIOR_AGENT)]
    ]
    UserFactory(organization=org, name="Abe", role=Role.VIEWER)
    UserFactory(organization=org, name="Al", active=False)
    UserFactory(organization=other_org, name="Aa")

    assert queries.assignable_agents(org.id) == expected
