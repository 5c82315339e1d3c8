"""The audit log and invitations in the API: admins only, the organization's rows only."""

from __future__ import annotations

import pytest

from supportdesk import audit
from supportdesk.accounts import invitations
from supportdesk.accounts.models import Role
from tests import factories

pytestmark = pytest.mark.integration


def test_an_admin_reads_the_log_newest_first_with_filters(api_as, org, admin, agent):
    first = audit.record(org.id, "auth.sign_in", actor=agent)
    second = audit.record(org.id, "team.created", actor=admin, target=("team", 9, "Billing"))

    everything = api_as(admin).get("/audit-log").get_json()
    ids = [e["id"] for e in everything["data"]]
    assert ids.index(second.id) < ids.index(first.id)
    teams = api_as(admin).get("/audit-log?action=team.created").get_json()["data"]
    assert [(e["action"], e["target_label"], e["actor_type"]) for e in teams] == [
        ("team.created", "Billing", "user")
    ]
    mine = api_as(admin).get(f"/audit-log?actor_user_id={agent.id}").get_json()["data"]
    assert {e["actor_user_id"] for e in mine} == {agent.id}


def test_pages_chain_by_cursor(api_as, org, admin):
    made = [audit.record(org.id, "auth.sign_in", actor=admin).id for _ in range(5)]
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api_as(admin).get(f"/audit-log{query}").get_json()
        seen += [e["id"] for e in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [i for i in seen if i in made] == sorted(made, reverse=True)


def test_another_organization_s_entries_are_never_listed(api_as, admin, other_org):
    stranger = factories.UserFactory(organization=other_org, role=Role.ADMIN)
    audit.record(other_org.id, "auth.sign_in", actor=stranger, target=("agent", 1, "Elsewhere"))

    data = api_as(admin).get("/audit-log").get_json()["data"]
    assert "Elsewhere" not in {e["target_label"] for e in data}


@pytest.mark.parametrize("role", [Role.SENIOR_AGENT, Role.AGENT, Role.VIEWER])
def test_only_admins_read_the_log_and_invitations(api_as, org, role):
    user = factories.UserFactory(organization=org, role=role)
    assert api_as(user).get("/audit-log").status_code == 403
    assert api_as(user).get("/invitations").status_code == 403
    answer = api_as(user).post(
        "/invitations", json={"email": "a@example.com", "name": "A", "role": "agent"}
    )
    assert answer.status_code == 403


def test_an_admin_invites_lists_resends_and_revokes(api_as, admin):
    api = api_as(admin)
    created = api.post(
        "/invitations", json={"email": "Zoe@Example.com", "name": "Zoe", "role": "viewer"}
    )
    assert created.status_code == 201
    invitation = created.get_json()
    assert (invitation["email"], invitation["role"]) == ("zoe@example.com", "viewer")
    listed = api.get("/invitations").get_json()["data"]
    assert [i["id"] for i in listed] == [invitation["id"]]
    again = api.post("/invitations", json={"email": "zoe@example.com", "role": "viewer"})
    assert again.status_code == 409
    assert again.get_json()["error"]["fields"]["email"]
    assert api.post(f"/invitations/{invitation['id']}/resend").status_code == 200
    assert api.post(f"/invitations/{invitation['id']}/revoke").status_code == 200
    assert api.get("/invitations").get_json()["data"] == []


def test_another_organization_s_invitation_is_a_404(api_as, admin, other_org):
    stranger = factories.UserFactory(organization=other_org, role=Role.ADMIN)
    theirs = invitations.invite(stranger, email="q@example.com", name="Q", role=Role.AGENT)
    for action in ("resend", "revoke"):
        assert api_as(admin).post(f"/invitations/{theirs.id}/{action}").status_code == 404


def test_an_unknown_team_is_a_404_naming_nothing_of_other_organizations(api_as, admin, other_org):
    their_team = factories.TeamFactory(organization=other_org)
    answer = api_as(admin).post(
        "/invitations",
        json={"email": "t@example.com", "role": "agent", "team_ids": [their_team.id]},
    )
    assert answer.status_code == 404
