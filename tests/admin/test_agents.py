"""Admin pages for agents: create, change role, deactivate; only admins may."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Role, User
from supportdesk.extensions import db
from tests.factories import UserFactory
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def test_an_admin_adds_an_agent_who_can_then_sign_in(client, admin):
    login_as(client, admin)
    token = csrf_token(client.get("/admin/agents/new"))
    response = client.post(
        "/admin/agents/new",
        data={
            "csrf_token": token,
            "name": "Nina New",
            "email": "Nina@Example.com",
            "role": "agent",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    nina = db.session.scalar(db.select(User).where(User.email == "nina@example.com"))
    assert nina.role is Role.AGENT and nina.organization_id == admin.organization_id


@pytest.mark.parametrize(
    "changes, message",
    [
        pytest.param({"password": "short"}, "Use at least 12 characters.", id="short-password"),
        pytest.param({"email": "nope"}, "Invalid email address.", id="bad-email"),
        pytest.param({"role": "owner"}, "Not a valid choice", id="unknown-role"),
    ],
)
def test_bad_agent_input_re_renders_with_the_reason(client, admin, changes, message):
    login_as(client, admin)
    token = csrf_token(client.get("/admin/agents/new"))
    data = {
        "csrf_token": token,
        "name": "X",
        "email": "x@example.com",
        "role": "agent",
        "password": "a long enough password",
    }
    response = client.post("/admin/agents/new", data={**data, **changes})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_an_existing_email_is_refused(client, admin, agent):
    login_as(client, admin)
    token = csrf_token(client.get("/admin/agents/new"))
    response = client.post(
        "/admin/agents/new",
        data={
            "csrf_token": token,
            "name": "Dup",
            "email": agent.email.upper(),
            "role": "agent",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 422
    assert "already used by an agent" in response.get_data(as_text=True)


def test_an_admin_changes_a_role(client, admin, agent):
    login_as(client, admin)
    token = csrf_token(client.get(f"/admin/agents/{agent.id}"))
    response = client.post(
        f"/admin/agents/{agent.id}",
        data={
            "csrf_token": token,
            "name": agent.name,
            "email": agent.email,
            "role": "senior_agent",
        },
    )
    assert response.status_code == 302
    db.session.refresh(agent)
    assert agent.role is Role.SENIOR_AGENT


def test_the_last_admin_cannot_lose_the_admin_role(client, admin):
    login_as(client, admin)
    token = csrf_token(client.get(f"/admin/agents/{admin.id}"))
    response = client.post(
        f"/admin/agents/{admin.id}",
        data={"csrf_token": token, "name": admin.name, "email": admin.email, "role": "agent"},
    )
    assert response.status_code == 422
    assert "Make another agent admin first." in response.get_data(as_text=True)


def test_deactivating_an_agent_signs_them_out(client, admin, agent, app):
    other = app.test_client()
    login_as(other, agent)
    assert other.get("/").status_code == 200
    login_as(client, admin)
    token = csrf_token(client.get("/admin/agents"))
    response = client.post(
        f"/admin/agents/{agent.id}/active", data={"csrf_token": token, "active": "0"}
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    reactivated = client.post(
        f"/admin/agents/{agent.id}/active", data={"csrf_token": token, "active": "1"}
    )
    assert reactivated.status_code == 302
    db.session.refresh(agent)
    assert agent.active


def test_an_admin_cannot_deactivate_themselves(client, admin):
    login_as(client, admin)
    token = csrf_token(client.get("/admin/agents"))
    response = client.post(
        f"/admin/agents/{admin.id}/active", data={"csrf_token": token, "active": "0"}
    )
    assert response.status_code == 302
    assert "You cannot deactivate yourself." in client.get("/admin/agents").get_data(as_text=True)


@pytest.mark.parametrize(
    "role", [Role.SENIOR_AGENT, Role.AGENT, Role.VIEWER], ids=lambda r: r.value
)
def test_only_admins_manage_agents(client, org, role):
    user = UserFactory(organization=org, role=role)
    target = UserFactory(organization=org)
    login_as(client, user)
    page = client.get("/admin/agents")
    assert page.status_code == 200
    assert "Add agent" not in page.get_data(as_text=True)
    token = csrf_token(page)
    assert client.get("/admin/agents/new").status_code == 403
    assert (
        client.post(
            f"/admin/agents/{target.id}/active", data={"csrf_token": token, "active": "0"}
        ).status_code
        == 403
    )


def test_an_agent_of_another_organization_is_not_found(client, admin, other_org):
    stranger = UserFactory(organization=other_org)
    login_as(client, admin)
    assert client.get(f"/admin/agents/{stranger.id}").status_code == 404
