"""The API tokens page: list, create (shown once), revoke."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.tokens.models import ApiToken, Scope
from supportdesk.tokens.service import create_token
from tests.factories import UserFactory
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def test_an_agent_creates_a_token_and_sees_it_exactly_once(client, viewer):
    login_as(client, viewer)
    page = client.get("/account/tokens")
    assert page.status_code == 200
    assert "No tokens yet" in page.get_data(as_text=True)

    created = client.post(
        "/account/tokens",
        data={"csrf_token": csrf_token(page), "name": "Reporting", "scope": "read"},
    )

    html = created.get_data(as_text=True)
    assert created.status_code == 200
    plain = re.search(r"(sdk_[A-Za-z0-9_-]{20,})", html).group(1)
    assert "will not be shown again" in html
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == viewer.id))
    assert token.scope is Scope.READ
    assert plain not in client.get("/account/tokens").get_data(as_text=True)
    assert (
        client.get("/api/v1/agents", headers={"Authorization": f"Bearer {plain}"}).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("data", "status"),
    [pytest.param({"name": ""}, 422, id="no name"), pytest.param({"name": "   "}, 422, id="blank")],
)
def test_a_token_without_a_name_is_refused(client, agent, data, status):
    login_as(client, agent)
    token = csrf_token(client.get("/account/tokens"))

    response = client.post("/account/tokens", data={"csrf_token": token, "scope": "read", **data})

    assert response.status_code == status
    assert "field-error" in response.get_data(as_text=True)


def test_revoking_a_token_stops_it_at_once(client, agent):
    _token, plain = create_token(agent, name="Script", scope=Scope.READ)
    login_as(client, agent)
    page = client.get("/account/tokens")
    token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == agent.id))

    response = client.post(
        f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page)}
    )

    assert response.status_code == 302
    assert "revoked" in client.get("/account/tokens").get_data(as_text=True)
    assert (
        client.get("/api/v1/agents", headers={"Authorization": f"Bearer {plain}"}).status_code
        == 401
    )


def test_an_agent_cannot_revoke_a_colleagues_token(client, agent, org):
    colleague = UserFactory(organization=org)
    theirs, _ = create_token(colleague, name="Theirs", scope=Scope.READ)
    login_as(client, agent)
    page = client.get("/account/tokens")

    response = client.post(
        f"/account/tokens/{theirs.id}/revoke", data={"csrf_token": csrf_token(page)}
    )

    assert response.status_code == 404
    assert theirs.revoked_at is None


def test_revoking_without_a_csrf_token_is_refused(client, agent):
    token, _ = create_token(agent, name="Script", scope=Scope.READ)
    login_as(client, agent)

    response = client.post(f"/account/tokens/{token.id}/revoke", data={})

    assert response.status_code == 400
    assert token.revoked_at is None


def test_the_page_needs_a_signed_in_agent(client):
    assert client.get("/account/tokens").status_code == 302


def test_create_token_prints_a_working_token(app, agent):
    result = app.test_cli_runner().invoke(
        args=[
            "create-token",
            "--email",
            agent.email.upper(),
            "--scope",
            "read-write",
            "--name",
            "Sync",
        ]
    )

    assert result.exit_code == 0, result.output
    plain = [line for line in result.output.splitlines() if line.startswith("sdk_")][0]
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == agent.id))
    assert token.name == "Sync" and token.scope is Scope.READ_WRITE
    assert plain.startswith(token.prefix)


def test_create_token_refuses_an_unknown_agent(app):
    result = app.test_cli_runner().invoke(
        args=["create-token", "--email", "nobody@example.com", "--scope", "read"]
    )

    assert result.exit_code == 1
    assert "No active agent" in result.output


def test_create_token_reports_refused_names(app, agent):
    result = app.test_cli_runner().invoke(
        args=["create-token", "--email", agent.email, "--scope", "read", "--name", "x" * 101]
    )

    assert result.exit_code == 1
    assert "too long" in result.output


def test_a_refused_token_shows_why(client, agent, monkeypatch):
    from supportdesk.tokens import service

    monkeypatch.setattr(service, "MAX_ACTIVE_TOKENS", 0)
    login_as(client, agent)
    token = csrf_token(client.get("/account/tokens"))

    response = client.post(
        "/account/tokens", data={"csrf_token": token, "name": "One more", "scope": "read"}
    )

    assert response.status_code == 422
    assert "Revoke a token you no longer use first." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("choice", "days"),
    [pytest.param("", None, id="never"), pytest.param("30", 30, id="30 days")],
)
def test_a_token_is_created_with_the_chosen_expiry(client, agent, choice, days):
    login_as(client, agent)
    page = client.get("/account/tokens")
    assert "In 90 days" in page.get_data(as_text=True)

    client.post(
        "/account/tokens",
        data={
            "csrf_token": csrf_token(page),
            "name": "Job",
            "scope": "read",
            "expires_in_days": choice,
        },
    )

    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == agent.id))
    lifetime = None if token.expires_at is None else (token.expires_at - token.created_at).days
    assert lifetime == days


def test_an_expiry_not_offered_is_refused(client, agent):
    login_as(client, agent)
    page = client.get("/account/tokens")

    response = client.post(
        "/account/tokens",
        data={
            "csrf_token": csrf_token(page),
            "name": "Job",
            "scope": "read",
            "expires_in_days": "9999",
        },
    )

    assert response.status_code == 422
    assert db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == agent.id)) is None
