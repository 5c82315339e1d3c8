"""Two-factor pages: the code step of signing in (no session before it), the agent's set-up and
settings, the organization's requirement closing the console, and the admin reset; every route
by role and tenant, and CSRF."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk.accounts.models import Role, TwoFactorPolicy
from supportdesk.audit.models import AuditEntry
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.sessions.models import AgentSession
from supportdesk.twofactor import service
from tests.factories import PASSWORD, UserFactory
from tests.fixtures.web import csrf_token, login_as
from tests.twofactor.helpers import code_at, enrol

pytestmark = pytest.mark.integration


def _password_step(client, user, *, remember=False, next_url=None):
    page = client.get("/login")
    data = {"csrf_token": csrf_token(page), "email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data=data)


def _code_step(client, code: str):
    token = csrf_token(client.get("/login/code"))
    return client.post("/login/code", data={"csrf_token": token, "code": code})


def _sessions(user) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(AgentSession.user_id == user.id))


def _last_entry(org, action: str) -> AuditEntry | None:
    return db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.organization_id == org.id, AuditEntry.action == action)
        .order_by(AuditEntry.id.desc())
    )


# Signing in with a second factor -----------------------------------------------------------


def test_a_right_password_leads_to_the_code_page_and_no_session(client, agent):
    enrol(agent)
    response = _password_step(client, agent)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code"
    assert _sessions(agent) == 0
    page = client.get("/login/code").get_data(as_text=True)
    assert "Enter your authentication code" in page and agent.email in page


@pytest.mark.parametrize(
    "path",
    ["/", "/account", "/account/two-factor", "/account/two-factor/setup", "/admin/agents"],
)
def test_between_password_and_code_no_page_is_open(client, agent, path):
    enrol(agent)
    _password_step(client, agent)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_right_code_signs_in_and_goes_where_the_agent_was_going(client, agent):
    secret, _ = enrol(agent, now=utcnow() - dt.timedelta(minutes=2))
    _password_step(client, agent, next_url="/account")
    response = _code_step(client, code_at(secret, utcnow()))
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    entry = _last_entry(agent.organization, "auth.sign_in")
    assert entry.after["second_factor"] == "totp" and entry.after["remember"] is False


def test_keep_me_signed_in_carries_through_the_code_step(client, agent):
    secret, _ = enrol(agent, now=utcnow() - dt.timedelta(minutes=2))
    _password_step(client, agent, remember=True)
    response = _code_step(client, code_at(secret, utcnow()))
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))
    record = db.session.scalar(sa.select(AgentSession).where(AgentSession.user_id == agent.id))
    assert record.remember is True


def test_a_wrong_code_re_renders_and_stays_on_record(client, agent):
    enrol(agent)
    _password_step(client, agent)
    response = _code_step(client, "000000")
    assert response.status_code == 422
    assert service.WRONG_CODE in response.get_data(as_text=True)
    assert _sessions(agent) == 0
    entry = _last_entry(agent.organization, "two_factor.code_failed")
    assert entry.after == {"purpose": "sign_in", "reason": "wrong_code"}


def test_wrong_codes_are_throttled(app, client, agent):
    secret, _ = enrol(agent, now=utcnow() - dt.timedelta(minutes=2))
    _password_step(client, agent)
    for _ in range(app.config["TWO_FACTOR_MAX_FAILURES"]):
        assert _code_step(client, "000000").status_code == 422
    response = _code_step(client, code_at(secret, utcnow()))
    assert response.status_code == 429
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert _sessions(agent) == 0


def test_a_recovery_code_signs_in_and_says_how_many_are_left(client, agent):
    _, codes = enrol(agent)
    _password_step(client, agent)
    response = _code_step(client, codes[0])
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "You signed in with a recovery code; 9 left." in page.get_data(as_text=True)
    entry = _last_entry(agent.organization, "auth.sign_in")
    assert entry.after["second_factor"] == "recovery_code"


def test_the_code_page_expires(app, client, agent):
    secret, _ = enrol(agent)
    _password_step(client, agent)
    later = utcnow() + dt.timedelta(seconds=app.config["TWO_FACTOR_PENDING_SECONDS"] + 1)
    with time_machine.travel(later, tick=False):
        response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _sessions(agent) == 0


def test_the_code_page_without_a_password_step_sends_to_sign_in(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_an_agent_without_two_factor_signs_in_with_the_password_alone(client, agent):
    response = _password_step(client, agent)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_an_agent_deactivated_between_the_steps_cannot_finish(client, agent):
    secret, _ = enrol(agent, now=utcnow() - dt.timedelta(minutes=2))
    _password_step(client, agent)
    agent.active = False
    db.session.flush()
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


# Set-up and settings from the account ------------------------------------------------------


def test_an_agent_sets_up_two_factor_from_the_account_page(client, agent):
    login_as(client, agent)
    assert "/account/two-factor" in client.get("/account").get_data(as_text=True)
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    factor = service.factor_of(agent)
    assert "<svg" in page and f'data-secret="{factor.pending_secret}"' in page

    response = client.post(
        "/account/two-factor/setup",
        data={"csrf_token": csrf_token(page), "code": code_at(factor.pending_secret, utcnow())},
    )

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "will not be shown again" in body and body.count("<li><code>") == 10
    db.session.expire_all()
    assert service.is_enabled(agent)


def test_a_wrong_set_up_code_re_renders_the_page_with_the_same_secret(client, agent):
    login_as(client, agent)
    page = client.get("/account/two-factor/setup")
    secret = service.factor_of(agent).pending_secret
    response = client.post(
        "/account/two-factor/setup", data={"csrf_token": csrf_token(page), "code": "12"}
    )
    assert response.status_code == 422
    assert secret in response.get_data(as_text=True)
    assert not service.is_enabled(agent)


def test_new_recovery_codes_from_the_settings_page(client, agent):
    secret, old = enrol(agent, now=utcnow() - dt.timedelta(minutes=2))
    login_as(client, agent)
    page = client.get("/account/two-factor")
    assert "10 unused recovery codes left." in page.get_data(as_text=True)
    response = client.post(
        "/account/two-factor/recovery-codes",
        data={"csrf_token": csrf_token(page), "regenerate-code": code_at(secret, utcnow())},
    )
    assert response.status_code == 200
    assert "Your earlier recovery codes no longer work." in response.get_data(as_text=True)
    assert old[0] not in response.get_data(as_text=True)


def test_turning_off_with_a_wrong_code_shows_the_error_beside_the_field(client, agent):
    enrol(agent)
    login_as(client, agent)
    page = client.get("/account/two-factor")
    response = client.post(
        "/account/two-factor/disable",
        data={"csrf_token": csrf_token(page), "disable-code": "999999"},
    )
    assert response.status_code == 422
    assert 'id="disable-code-error"' in response.get_data(as_text=True)
    assert service.is_enabled(agent)


def test_turning_off_with_a_recovery_code(client, agent):
    _, codes = enrol(agent)
    login_as(client, agent)
    page = client.get("/account/two-factor")
    response = client.post(
        "/account/two-factor/disable",
        data={"csrf_token": csrf_token(page), "disable-code": codes[1]},
    )
    assert response.status_code == 302
    assert not service.is_enabled(agent)


# The organization's requirement --------------------------------------------------------------


@pytest.mark.parametrize(
    "policy, role, gated",
    [
        pytest.param(TwoFactorPolicy.EVERYONE, Role.VIEWER, True, id="everyone-viewer"),
        pytest.param(TwoFactorPolicy.ADMINS, Role.ADMIN, True, id="admins-admin"),
        pytest.param(TwoFactorPolicy.ADMINS, Role.SENIOR_AGENT, False, id="admins-senior"),
        pytest.param(TwoFactorPolicy.NOBODY, Role.ADMIN, False, id="nobody-admin"),
    ],
)
def test_the_requirement_sends_covered_agents_to_set_up(client, org, policy, role, gated):
    org.two_factor_policy = policy
    user = UserFactory(organization=org, role=role)
    response = _password_step(client, user)
    assert response.status_code == 302
    for path in ["/", "/account", "/admin/agents", "/account/tokens"]:
        answer = client.get(path)
        if gated:
            assert answer.status_code == 302, path
            assert answer.headers["Location"] == "/account/two-factor/setup"
        else:
            assert answer.status_code in (200, 403), path


def test_a_covered_agent_can_use_the_console_once_set_up(client, org, agent):
    org.two_factor_policy = TwoFactorPolicy.EVERYONE
    db.session.flush()
    _password_step(client, agent)
    page = client.get("/account/two-factor/setup")
    assert "requires two-factor authentication for your account" in page.get_data(as_text=True)
    secret = service.factor_of(agent).pending_secret
    client.post(
        "/account/two-factor/setup",
        data={"csrf_token": csrf_token(page), "code": code_at(secret, utcnow())},
    )
    assert client.get("/").status_code == 200


def test_a_covered_agent_can_still_sign_out(client, org, agent):
    org.two_factor_policy = TwoFactorPolicy.EVERYONE
    db.session.flush()
    _password_step(client, agent)
    token = csrf_token(client.get("/account/two-factor/setup"))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_api_tokens_are_not_gated_by_the_requirement(client, org, agent):
    from supportdesk.tokens.models import Scope
    from supportdesk.tokens.service import create_token

    _, plain = create_token(agent, name="script", scope=Scope.READ)
    org.two_factor_policy = TwoFactorPolicy.EVERYONE
    db.session.flush()
    response = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200


def test_the_admin_sets_the_requirement_on_the_organization_page(client, org, admin):
    login_as(client, admin)
    page = client.get("/admin/organization")
    assert 'name="two_factor_policy"' in page.get_data(as_text=True)
    response = client.post(
        "/admin/organization",
        data={
            "csrf_token": csrf_token(page),
            "time_zone": org.time_zone,
            "audit_retention_days": "365",
            "two_factor_policy": "admins",
        },
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert org.two_factor_policy is TwoFactorPolicy.ADMINS
    # The admin has no second factor yet: the console now sends them to set it up.
    assert client.get("/").headers["Location"] == "/account/two-factor/setup"


def test_an_unknown_requirement_re_renders_the_organization_page(client, org, admin):
    login_as(client, admin)
    page = client.get("/admin/organization")
    response = client.post(
        "/admin/organization",
        data={
            "csrf_token": csrf_token(page),
            "time_zone": org.time_zone,
            "audit_retention_days": "365",
            "two_factor_policy": "owners",
        },
    )
    assert response.status_code == 422
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert org.two_factor_policy is TwoFactorPolicy.NOBODY


# Admin reset: route × role × tenant ------------------------------------------------------------


@pytest.mark.parametrize(
    "role, same_org, status, reset",
    [
        pytest.param(Role.ADMIN, True, 302, True, id="admin-own-org"),
        pytest.param(Role.SENIOR_AGENT, True, 403, False, id="senior-own-org"),
        pytest.param(Role.AGENT, True, 403, False, id="agent-own-org"),
        pytest.param(Role.VIEWER, True, 403, False, id="viewer-own-org"),
        pytest.param(Role.ADMIN, False, 404, False, id="admin-other-org"),
    ],
)
def test_admin_reset_by_role_and_tenant(client, org, other_org, role, same_org, status, reset):
    actor = UserFactory(organization=org, role=role)
    target = UserFactory(organization=org if same_org else other_org)
    enrol(target)
    login_as(client, actor)
    token = csrf_token(client.get("/account"))
    response = client.post(
        f"/admin/agents/{target.id}/two-factor/reset", data={"csrf_token": token}
    )
    assert response.status_code == status
    assert service.is_enabled(target) is not reset


def test_the_agent_page_shows_two_factor_and_the_reset(client, admin, agent):
    enrol(agent)
    login_as(client, admin)
    page = client.get(f"/admin/agents/{agent.id}").get_data(as_text=True)
    assert "Reset two-factor authentication" in page and "10 recovery codes left" in page
    listing = client.get("/admin/agents").get_data(as_text=True)
    assert "Two-factor" in listing


@pytest.mark.parametrize(
    "path",
    [
        "/login/code",
        "/account/two-factor/setup",
        "/account/two-factor/recovery-codes",
        "/account/two-factor/disable",
        "/admin/agents/{id}/two-factor/reset",
    ],
)
def test_every_two_factor_form_refuses_a_post_without_csrf(client, agent, admin, path):
    enrol(agent)
    login_as(client, admin)
    response = client.post(path.format(id=agent.id), data={"code": "123456"})
    assert response.status_code == 400
    assert service.is_enabled(agent)


@pytest.mark.parametrize(
    "path", ["/account/two-factor", "/account/two-factor/setup"], ids=["settings", "setup"]
)
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_role_manages_their_own_two_factor(client, org, role, path):
    login_as(client, UserFactory(organization=org, role=role))
    assert client.get(path).status_code == 200
