"""Admin page of single sign-on: admins only, each organization its own settings, the client
secret stored encrypted and never shown again, refused settings with the reason by the field,
and every change in the audit log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.accounts.models import Role
from supportdesk.audit.models import AuditEntry
from supportdesk.extensions import db
from supportdesk.sso.models import SsoSettings
from supportdesk.sso.service import save_settings
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

SECRET = "s3cr3t-client-value-7781"
VALID = {
    "enabled": "y",
    "provider_name": "Okta",
    "issuer": "https://login.acme.example",
    "client_id": "desk-client",
    "client_secret": SECRET,
    "allowed_domains": "acme.example\nACME.example\n@support.acme.example",
    "jit_role": "agent",
}


def _post(client, data):
    token = csrf_token(client.get("/account"))
    return client.post("/admin/sso", data={"csrf_token": token, **data})


def _settings(org):
    return db.session.scalar(sa.select(SsoSettings).where(SsoSettings.organization_id == org.id))


def test_an_admin_sets_up_single_sign_on_and_the_secret_is_never_shown_again(client, admin, org):
    login_as(client, admin)

    response = _post(client, VALID)

    assert response.status_code == 302
    row = _settings(org)
    assert row.usable and row.allowed_domains == ["acme.example", "support.acme.example"]
    assert row.client_secret == SECRET
    raw = db.session.scalar(
        sa.text("SELECT client_secret FROM sso_settings WHERE id = :id"), {"id": row.id}
    )
    assert SECRET not in raw  # encrypted at rest
    page = client.get("/admin/sso").get_data(as_text=True)
    assert SECRET not in page and "A secret is set" in page
    assert "/login/sso/callback" in page and f"/login/sso/{org.slug}" in page
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "sso.updated"))
    assert entry.actor_user_id == admin.id
    assert entry.after["issuer"] == VALID["issuer"] and entry.after["client_secret_replaced"]
    assert SECRET not in str(entry.after)


def test_an_empty_secret_keeps_the_stored_one_and_a_change_is_recorded_before_and_after(
    client, admin, org
):
    login_as(client, admin)
    _post(client, VALID)

    response = _post(client, {**VALID, "client_secret": "", "sso_only": "y"})

    assert response.status_code == 302
    assert _settings(org).client_secret == SECRET and _settings(org).sso_only
    last = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "sso.updated").order_by(AuditEntry.id)
    ).all()[-1]
    assert last.before == {"sso_only": False} and last.after == {"sso_only": True}


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        pytest.param({"issuer": "ftp://x.example"}, "Enter the issuer URL", id="not-http"),
        pytest.param({"issuer": "http://login.acme.example"}, "must use https://", id="plain-http"),
        pytest.param({"issuer": ""}, "Enter the issuer URL to turn", id="no-issuer"),
        pytest.param({"client_id": ""}, "Enter the client id", id="no-client-id"),
        pytest.param({"client_secret": ""}, "Enter the client secret", id="no-secret"),
        pytest.param({"allowed_domains": ""}, "Allow at least one email domain", id="no-domain"),
        pytest.param({"allowed_domains": "not a domain!"}, "Not a domain", id="bad-domain"),
        pytest.param({"jit_role": "admin"}, "Not a valid choice", id="jit-admin"),
        pytest.param(
            {"enabled": "", "sso_only": "y"}, "Turn single sign-on on before", id="sso-only-off"
        ),
    ],
)
def test_bad_settings_are_refused_with_the_reason_by_the_field(
    client, admin, org, change, field_error
):
    login_as(client, admin)
    data = {k: v for k, v in {**VALID, **change}.items() if v != ""}

    response = _post(client, data)

    assert response.status_code == 422
    assert field_error in response.get_data(as_text=True)
    assert _settings(org) is None
    assert (
        db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "sso.updated")) is None
    )


def test_a_domain_another_organization_signs_in_with_is_refused(client, admin, other_org):
    from tests.factories import UserFactory

    save_settings(
        UserFactory(organization=other_org, role=Role.ADMIN),
        **{
            "enabled": True,
            "provider_name": "",
            "issuer": "https://login.other.example",
            "client_id": "x",
            "client_secret": "y",
            "allowed_domains": "acme.example",
            "jit_enabled": False,
            "jit_role": Role.AGENT,
            "sso_only": False,
        },
    )
    login_as(client, admin)

    response = _post(client, VALID)

    assert response.status_code == 422
    assert "Another organization signs in with acme.example" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["senior_agent", "agent", "viewer"])
def test_only_admins_see_or_change_single_sign_on(client, request, org, role):
    login_as(client, request.getfixturevalue(role))

    assert client.get("/admin/sso").status_code == 403
    assert _post(client, VALID).status_code == 403
    assert _settings(org) is None


def test_signed_out_visitors_are_sent_to_sign_in(client, org):
    assert client.get("/admin/sso").status_code == 302


def test_each_organization_sees_and_changes_only_its_own_settings(client, admin, org, other_org):
    from tests.factories import UserFactory

    other_admin = UserFactory(organization=other_org, role=Role.ADMIN)
    save_settings(
        other_admin,
        enabled=True,
        provider_name="Other IdP",
        issuer="https://login.other.example",
        client_id="other-client",
        client_secret="other-secret",
        allowed_domains="other.example",
        jit_enabled=True,
        jit_role=Role.AGENT,
        sso_only=True,
    )
    login_as(client, admin)

    page = client.get("/admin/sso").get_data(as_text=True)
    assert "other-client" not in page and "login.other.example" not in page
    _post(client, VALID)

    assert _settings(org).client_id == "desk-client"
    assert _settings(other_org).client_id == "other-client"
    assert _settings(other_org).sso_only is True


def test_the_agents_page_links_to_single_sign_on_for_admins_only(client, admin, agent):
    login_as(client, admin)
    assert 'href="/admin/sso"' in client.get("/admin/agents").get_data(as_text=True)
    login_as(client, agent)
    assert 'href="/admin/sso"' not in client.get("/admin/agents").get_data(as_text=True)
