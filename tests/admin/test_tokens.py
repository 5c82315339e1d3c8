"""Admins list every API token of their organization and revoke any of them."""

from __future__ import annotations

import pytest

from supportdesk.tokens.models import Scope
from supportdesk.tokens.queries import find_usable_token
from supportdesk.tokens.service import create_token
from tests.factories import UserFactory
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def test_the_admin_page_lists_every_token_of_the_organization_only(client, admin, agent, other_org):
    create_token(agent, name="CRM sync", scope=Scope.READ_WRITE)
    create_token(UserFactory(organization=other_org), name="Foreign job", scope=Scope.READ)
    login_as(client, admin)

    page = client.get("/admin/tokens")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "CRM sync" in html and agent.name in html
    assert "Foreign job" not in html
    assert 'href="/admin/tokens"' in client.get("/admin/agents").get_data(as_text=True)


def test_an_admin_revokes_an_agents_token(client, admin, agent):
    token, plain = create_token(agent, name="Leaked", scope=Scope.READ)
    login_as(client, admin)
    page = client.get("/admin/tokens")

    response = client.post(
        f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(page)}
    )

    assert response.status_code == 302
    assert find_usable_token(plain) is None
    assert "Revoked" in client.get("/admin/tokens").get_data(as_text=True)


def test_another_organizations_token_is_not_found(client, admin, other_org):
    foreign, plain = create_token(UserFactory(organization=other_org), name="X", scope=Scope.READ)
    login_as(client, admin)
    page = client.get("/admin/tokens")

    response = client.post(
        f"/admin/tokens/{foreign.id}/revoke", data={"csrf_token": csrf_token(page)}
    )

    assert response.status_code == 404
    assert find_usable_token(plain) is not None


@pytest.mark.parametrize("role", ["senior_agent", "agent", "viewer"])
def test_only_admins_see_or_revoke_the_organizations_tokens(client, request, admin, role):
    token, plain = create_token(admin, name="Admin's", scope=Scope.READ)
    login_as(client, request.getfixturevalue(role))
    page = client.get("/account")

    assert client.get("/admin/tokens").status_code == 403
    revoke = client.post(f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(page)})
    assert revoke.status_code == 403
    assert find_usable_token(plain) is not None


def test_revoking_needs_a_csrf_token(client, admin, agent):
    token, plain = create_token(agent, name="Job", scope=Scope.READ)
    login_as(client, admin)

    assert client.post(f"/admin/tokens/{token.id}/revoke").status_code == 400
    assert find_usable_token(plain) is not None
