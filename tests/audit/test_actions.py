"""Every audited action, done the way an agent does it (a form or button in the console), then
its entry: actor, action, target, before -> after, client address. One table of cases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from rq import Queue

from supportdesk.accounts import invitations
from supportdesk.accounts.links import Invitation
from supportdesk.accounts.models import AssignmentStrategy, Role
from supportdesk.accounts.service import create_team
from supportdesk.audit.models import ActorType, AuditEntry
from supportdesk.crm.models import CrmConnection, Provider
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.jobs import resolve
from supportdesk.kb.categories import create_category
from supportdesk.kb.models import Category
from supportdesk.kb.service import create_article
from supportdesk.mail.identity.models import SupportAddress
from supportdesk.mail.inbound.models import Decision, InboundEmail, InboundStatus
from supportdesk.sla.models import BusinessCalendar, EscalationRule, SlaPolicy
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token
from supportdesk.webhooks.service import create_endpoint, set_enabled
from tests import factories
from tests.fixtures.audit import BROWSER, IP, Case, World, admin_world, assert_audited
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _sign_in(w: World, password: str = factories.PASSWORD):
    w.client.post("/logout", data={"csrf_token": csrf_token(w.client.get("/account"))})
    token = csrf_token(w.client.get("/login"))
    w.client.post(
        "/login", data={"csrf_token": token, "email": w.agent.email, "password": password}
    )
    return w.agent.id


def _sign_in_wrong(w: World):
    _sign_in(w, "not the password at all")
    return w.agent.id


def _sign_out(w: World):
    login_as(w.client, w.agent)
    w.post("/logout")
    return w.agent.id


def _change_password(w: World):
    login_as(w.client, w.agent)
    w.post(
        "/account",
        {
            "current_password": factories.PASSWORD,
            "password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    return w.agent.id


def _create_agent(w: World):
    w.post(
        "/admin/agents/new",
        {"name": "Nia New", "email": "nia@example.com", "role": "agent", "password": "x" * 14},
    )
    return db.session.scalar(sa.text("SELECT id FROM users WHERE email = 'nia@example.com'"))


def _edit_agent(role: str, name: str):
    def do(w: World):
        w.post(f"/admin/agents/{w.agent.id}", {"name": name, "email": w.agent.email, "role": role})
        return w.agent.id

    return do


def _set_active(active: bool):
    def do(w: World):
        if active:
            w.agent.active = False
            db.session.flush()
        w.post(f"/admin/agents/{w.agent.id}/active", {"active": "1" if active else "0"})
        return w.agent.id

    return do


def _create_token(w: World):
    w.post("/account/tokens", {"name": "CI export", "scope": "read", "expires_in_days": ""})
    return db.session.scalar(sa.text("SELECT id FROM api_tokens WHERE name = 'CI export'"))


def _revoke_any_token(w: World):
    token, _ = create_token(w.agent, name="Laptop script", scope=Scope.READ)
    w.post(f"/admin/tokens/{token.id}/revoke")
    return token.id


def _add_address(w: World):
    w.post("/admin/addresses", {"address": "help@acme.example"})
    return db.session.scalar(
        sa.select(SupportAddress.id).where(SupportAddress.address.like("help@%"))
    )


def _remove_address(w: World):
    row = SupportAddress(organization_id=w.org.id, address="old@example.com", is_default=False)
    db.session.add(row)
    db.session.flush()
    w.post(f"/admin/addresses/{row.id}/delete")
    return row.id


def _create_webhook(w: World):
    w.post(
        "/admin/webhooks/new",
        {"url": "http://127.0.0.1:9/hook", "description": "CRM", "event_types": "ticket.created"},
    )
    return db.session.scalar(sa.text("SELECT id FROM webhook_endpoints WHERE description = 'CRM'"))


def _disable_webhook(w: World):
    endpoint = create_endpoint(w.admin, url="http://127.0.0.1:9/a", event_types=["ticket.created"])
    w.post(f"/admin/webhooks/{endpoint.id}/enabled", {"enabled": "0"})
    return endpoint.id


def _rotate_secret(w: World):
    endpoint = create_endpoint(w.admin, url="http://127.0.0.1:9/b", event_types=["ticket.created"])
    w.post(f"/admin/webhooks/{endpoint.id}/secret")
    return endpoint.id


def _create_team(w: World):
    w.post("/admin/teams/new", {"name": "Billing", "description": "", "strategy": "manual"})
    return db.session.scalar(sa.text("SELECT id FROM teams WHERE name = 'Billing'"))


def _organization(w: World):
    w.post("/admin/organization", {"time_zone": "Europe/Lisbon", "audit_retention_days": "90"})
    return w.org.id


def _single_sign_on(w: World):
    w.post(
        "/admin/sso",
        {
            "enabled": "y",
            "issuer": "https://login.example.com",
            "client_id": "desk",
            "client_secret": "the client secret",
            "allowed_domains": "example.com",
            "jit_role": "agent",
        },
    )
    return db.session.scalar(sa.text("SELECT id FROM sso_settings"))


def _delete_ticket(w: World):
    ticket = factories.make_ticket(w.org, subject="Spam spam")
    w.post(
        f"/tickets/{ticket.number}/delete",
        {"version": str(ticket.version), "reason": "spam"},
    )
    return ticket.id


def _export_customer(w: World):
    customer = factories.CustomerFactory(organization=w.org, email="keep.me@example.com")
    w.post("/admin/privacy/exports", {"email": "keep.me@example.com"}, page="/admin/privacy")
    return customer.id


def _erase_customer(w: World):
    customer = factories.CustomerFactory(organization=w.org, email="forget.me@example.com")
    w.post(
        "/admin/privacy/erase",
        {"email": "forget.me@example.com", "confirmation": "forget.me@example.com"},
        page="/admin/privacy",
    )
    return customer.id


def _retention_policy(w: World):
    w.post(
        "/admin/retention",
        {
            "enabled": "y",
            "closed_ticket_action": "anonymize",
            "closed_ticket_days": "400",
            "inbound_mail_days": "90",
            "export_days": "14",
            "save": "1",
        },
        page="/admin/retention",
    )


def _invite(w: World):
    w.post(
        "/admin/agents/invite",
        {"email": "ivy@example.com", "name": "Ivy New", "role": "agent"},
        page="/admin/agents/invite",
    )
    return db.session.scalar(sa.select(Invitation.id).where(Invitation.email == "ivy@example.com"))


def _pending_invitation(w: World) -> int:
    return invitations.invite(w.admin, email="una@example.com", name="Una", role=Role.AGENT).id


def _resend_invitation(w: World):
    invitation_id = _pending_invitation(w)
    w.post(f"/admin/invitations/{invitation_id}/resend", page="/admin/agents")
    return invitation_id


def _revoke_invitation(w: World):
    invitation_id = _pending_invitation(w)
    w.post(f"/admin/invitations/{invitation_id}/revoke", page="/admin/agents")
    return invitation_id


def _force_reset(w: World):
    w.post(f"/admin/agents/{w.agent.id}/reset-password", page=f"/admin/agents/{w.agent.id}")
    return w.agent.id


def _forgot_password(w: World):
    visitor = w.client.application.test_client()
    visitor.environ_base.update({"REMOTE_ADDR": IP, "HTTP_USER_AGENT": BROWSER})
    token = csrf_token(visitor.get("/password/forgot"))
    visitor.post("/password/forgot", data={"csrf_token": token, "email": w.agent.email})
    # The request only queued the job (same work for every address); run it as queued.
    redis = w.client.application.extensions["redis"]
    [queued] = Queue("emails", connection=redis).jobs
    resolve(queued.func_name)(*queued.args)
    return w.agent.id


def _calendar(w: World) -> BusinessCalendar:
    cal = BusinessCalendar(
        organization_id=w.org.id, name="Office", time_zone="UTC",
        weekly_hours={"0": [["09:00", "17:00"]]}, holidays=[],
    )  # fmt: skip
    db.session.add(cal)
    db.session.flush()
    return cal


def _save_calendar(w: World):
    w.post(
        "/admin/sla/calendars/new",
        {"name": "Lisbon", "time_zone": "Europe/Lisbon", "weekly": "Mon 09:00-17:00"},
        page="/admin/sla/calendars/new",
    )
    return db.session.scalar(
        sa.select(BusinessCalendar.id).where(BusinessCalendar.name == "Lisbon")
    )


def _save_policy(w: World):
    cal = _calendar(w)
    w.post(
        "/admin/sla/policies/new",
        {"name": "Gold", "customer_tier": "enterprise", "calendar_id": str(cal.id),
         "warning_percent": "75", "fr_high": "60"},
        page="/admin/sla/policies/new",
    )  # fmt: skip
    return db.session.scalar(sa.select(SlaPolicy.id).where(SlaPolicy.name == "Gold"))


def _save_rule(w: World):
    w.post(
        "/admin/sla/rules/new",
        {"name": "Breach", "trigger": "first_response_breached", "threshold_minutes": "0",
         "raise_priority": "y", "active": "y"},
        page="/admin/sla/rules/new",
    )  # fmt: skip
    return db.session.scalar(sa.select(EscalationRule.id).where(EscalationRule.name == "Breach"))


def _notification_settings(w: World):
    w.post(
        "/admin/notifications",
        {"ticket_acknowledged": "y", "agent_replied": "y", "sender_name": "Acme Care",
         "accent_color": "#AA3300", "logo_url": ""},
        page="/admin/notifications",
    )  # fmt: skip
    return db.session.scalar(sa.text("SELECT id FROM notification_settings"))


def _make_default_address(w: World):
    now = utcnow()
    old = SupportAddress(
        organization_id=w.org.id, address="first@example.com", is_default=True, verified_at=now
    )
    new = SupportAddress(
        organization_id=w.org.id, address="second@example.com", is_default=False, verified_at=now
    )
    db.session.add_all([old, new])
    db.session.flush()
    w.post(f"/admin/addresses/{new.id}/default", page="/admin/addresses")
    return new.id


def _delete_inbound(w: World):
    row = InboundEmail(
        organization_id=w.org.id, source="http", recipients=[], from_address="x@spam.example",
        subject="Cheap pills", size=3, raw=b"xyz", status=InboundStatus.UNPROCESSED,
        decision=Decision.UNPARSEABLE,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    w.post(f"/admin/inbound/{row.id}/delete", page="/admin/unprocessed")
    return row.id


def _edit_webhook(w: World):
    endpoint = create_endpoint(
        w.admin, url="http://127.0.0.1:9/c", event_types=["ticket.created"], description="Old"
    )
    w.post(
        f"/admin/webhooks/{endpoint.id}/edit",
        {"url": "http://127.0.0.1:9/c", "description": "New", "event_types": "ticket.created"},
        page=f"/admin/webhooks/{endpoint.id}/edit",
    )
    return endpoint.id


def _enable_webhook(w: World):
    endpoint = create_endpoint(w.admin, url="http://127.0.0.1:9/d", event_types=["ticket.created"])
    set_enabled(w.admin, endpoint.id, False)
    w.post(f"/admin/webhooks/{endpoint.id}/enabled", {"enabled": "1"})
    return endpoint.id


def _edit_team(w: World):
    team = create_team(w.admin, name="Sales", description="", strategy=AssignmentStrategy.MANUAL)
    w.post(
        f"/admin/teams/{team.id}",
        {"name": "Sales EU", "description": "", "strategy": "manual"},
        page=f"/admin/teams/{team.id}",
    )
    return team.id


def _export_tickets(w: World):
    w.post("/exports", {"kind": "tickets", "format": "csv", "parameters": ""}, page="/exports")
    return db.session.scalar(sa.text("SELECT id FROM exports"))


def _resend_verification(w: World):
    row = SupportAddress(organization_id=w.org.id, address="new@example.com", is_default=False)
    db.session.add(row)
    db.session.flush()
    w.post(f"/admin/addresses/{row.id}/verify", page="/admin/addresses")
    return row.id


def _crm_connection(w: World) -> CrmConnection:
    connection = CrmConnection(
        organization_id=w.org.id, provider=Provider.HUBSPOT, base_url="https://api.hubapi.com",
        access_token="pat-audit", field_map={},
    )  # fmt: skip
    db.session.add(connection)
    db.session.flush()
    return connection


def _crm_full_sync(w: World):
    connection = _crm_connection(w)
    factories.CustomerFactory(organization=w.org)
    w.post("/admin/crm/full-sync", page="/admin/crm")
    return connection.id


def _crm_disconnect(w: World):
    connection_id = _crm_connection(w).id
    w.post("/admin/crm/disconnect", page="/admin/crm")
    return connection_id


def _kb_category(w: World):
    w.post(
        "/kb/categories/new",
        {"name": "Billing help", "slug": "", "description": ""},
        page="/kb/categories/new",
    )
    return db.session.scalar(sa.select(Category.id).where(Category.name == "Billing help"))


def _kb_category_renamed(w: World):
    category = create_category(w.admin, name="Setup")
    w.post(
        f"/kb/categories/{category.id}",
        {"name": "Getting started", "slug": category.slug, "description": ""},
        page=f"/kb/categories/{category.id}",
    )
    return category.id


def _kb_category_deleted(w: World):
    category_id = create_category(w.admin, name="Old stuff").id
    w.post(f"/kb/categories/{category_id}/delete", page="/kb/categories")
    return category_id


def _kb_article_deleted(w: World):
    article = create_article(w.admin, title="Reset your router", body="Unplug it.")
    w.post(f"/kb/articles/{article.id}/delete", page=f"/kb/articles/{article.id}")
    return article.id


def _help_center(w: World):
    w.post("/kb/help-center", {"title": "Acme Help", "color": "#224488"}, page="/kb/help-center")
    return w.org.id


CASES = [
    pytest.param(Case(_sign_in, "auth.sign_in", "agent", actor="agent"), id="sign-in"),
    pytest.param(
        Case(
            _sign_in_wrong,
            "auth.sign_in_failed",
            "agent",
            after={"reason": "wrong_password"},
            actor="system",
        ),
        id="sign-in-failed",
    ),
    pytest.param(Case(_sign_out, "auth.sign_out", "agent", actor="agent"), id="sign-out"),
    pytest.param(
        Case(_change_password, "password.changed", "agent", actor="agent"), id="password-changed"
    ),
    pytest.param(
        Case(_create_agent, "agent.created", "agent", after={"role": "agent"}), id="agent-created"
    ),
    pytest.param(
        Case(
            _edit_agent("senior_agent", "Alex Agent"),
            "agent.role_changed",
            "agent",
            before={"role": "agent"},
            after={"role": "senior_agent"},
        ),
        id="role-changed",
    ),
    pytest.param(
        Case(
            _edit_agent("agent", "Alexandra Agent"),
            "agent.updated",
            "agent",
            before={"name": "Alex Agent"},
            after={"name": "Alexandra Agent"},
        ),
        id="agent-renamed",
    ),
    pytest.param(
        Case(
            _set_active(False),
            "agent.deactivated",
            "agent",
            before={"active": True},
            after={"active": False},
        ),
        id="deactivated",
    ),
    pytest.param(
        Case(
            _set_active(True),
            "agent.reactivated",
            "agent",
            before={"active": False},
            after={"active": True},
        ),
        id="reactivated",
    ),
    pytest.param(
        Case(_create_token, "api_token.created", "api_token", after={"name": "CI export"}),
        id="token-created",
    ),
    pytest.param(
        Case(_revoke_any_token, "api_token.revoked", "api_token", after={"revoked": True}),
        id="token-revoked",
    ),
    pytest.param(
        Case(_add_address, "support_address.added", "support_address", after={"verified": False}),
        id="address-added",
    ),
    pytest.param(
        Case(
            _remove_address,
            "support_address.removed",
            "support_address",
            before={"address": "old@example.com"},
        ),
        id="address-removed",
    ),
    pytest.param(
        Case(
            _create_webhook,
            "webhook.created",
            "webhook",
            after={"url": "http://127.0.0.1:9/hook", "enabled": True},
        ),
        id="webhook-created",
    ),
    pytest.param(
        Case(
            _disable_webhook,
            "webhook.disabled",
            "webhook",
            before={"enabled": True},
            after={"enabled": False},
        ),
        id="webhook-disabled",
    ),
    pytest.param(Case(_rotate_secret, "webhook.secret_rotated", "webhook"), id="secret-rotated"),
    pytest.param(
        Case(_create_team, "team.created", "team", after={"name": "Billing"}), id="team-created"
    ),
    pytest.param(
        Case(
            _organization,
            "organization.updated",
            "organization",
            after={"time_zone": "Europe/Lisbon", "audit_retention_days": 90},
        ),
        id="organization-settings",
    ),
    pytest.param(
        Case(
            _single_sign_on,
            "sso.updated",
            "sso",
            after={
                "enabled": True,
                "issuer": "https://login.example.com",
                "client_secret_replaced": True,
            },
        ),
        id="single-sign-on-settings",
    ),
    pytest.param(Case(_export_customer, "customer.export_requested", "customer"), id="data-export"),
    pytest.param(Case(_erase_customer, "customer.erased", "customer"), id="data-erased"),
    pytest.param(
        Case(
            _retention_policy,
            "retention.updated",
            "retention",
            after={"closed_ticket_action": "anonymize", "closed_ticket_days": 400},
        ),
        id="retention-policy",
    ),
    pytest.param(
        Case(
            _delete_ticket,
            "ticket.deleted",
            "ticket",
            before={"subject": "Spam spam"},
            after={"reason": "spam"},
        ),
        id="ticket-deleted",
    ),
    pytest.param(
        Case(_invite, "invitation.sent", "invitation", after={"email": "ivy@example.com"}),
        id="invitation-sent",
    ),
    pytest.param(
        Case(_resend_invitation, "invitation.resent", "invitation"), id="invitation-resent"
    ),
    pytest.param(
        Case(
            _revoke_invitation,
            "invitation.revoked",
            "invitation",
            before={"pending": True},
            after={"pending": False},
        ),
        id="invitation-revoked",
    ),
    pytest.param(Case(_force_reset, "password.reset_forced", "agent"), id="reset-forced"),
    pytest.param(
        Case(_forgot_password, "password.reset_requested", "agent", actor="agent"),
        id="reset-requested",
    ),
    pytest.param(
        Case(_save_calendar, "sla_calendar.saved", "sla_calendar", after={"name": "Lisbon"}),
        id="sla-calendar",
    ),
    pytest.param(
        Case(_save_policy, "sla_policy.saved", "sla_policy", after={"name": "Gold"}),
        id="sla-policy",
    ),
    pytest.param(
        Case(_save_rule, "escalation_rule.saved", "escalation_rule", after={"name": "Breach"}),
        id="escalation-rule",
    ),
    pytest.param(
        Case(
            _notification_settings,
            "notification_settings.updated",
            "notification_settings",
            after={"sender_name": "Acme Care"},
        ),
        id="notification-settings",
    ),
    pytest.param(
        Case(
            _make_default_address,
            "support_address.made_default",
            "support_address",
            before={"default": "first@example.com"},
            after={"default": "second@example.com"},
        ),
        id="address-made-default",
    ),
    pytest.param(
        Case(
            _delete_inbound,
            "inbound_email.deleted",
            "inbound_email",
            before={"from": "x@spam.example", "subject": "Cheap pills"},
        ),
        id="mail-deleted",
    ),
    pytest.param(
        Case(
            _edit_webhook,
            "webhook.updated",
            "webhook",
            before={"description": "Old"},
            after={"description": "New"},
        ),
        id="webhook-updated",
    ),
    pytest.param(
        Case(
            _enable_webhook,
            "webhook.enabled",
            "webhook",
            before={"enabled": False},
            after={"enabled": True},
        ),
        id="webhook-enabled",
    ),
    pytest.param(
        Case(
            _edit_team,
            "team.updated",
            "team",
            before={"name": "Sales"},
            after={"name": "Sales EU"},
        ),
        id="team-updated",
    ),
    pytest.param(
        Case(_export_tickets, "export.requested", "export", after={"kind": "tickets"}),
        id="tickets-exported",
    ),
    pytest.param(
        Case(_resend_verification, "support_address.verification_sent", "support_address"),
        id="address-verification-sent",
    ),
    pytest.param(
        Case(_crm_full_sync, "crm.full_sync_started", "crm", after={"customers": 1}),
        id="crm-full-sync",
    ),
    pytest.param(Case(_crm_disconnect, "crm.disconnected", "crm"), id="crm-disconnected"),
    pytest.param(
        Case(_kb_category, "kb_category.created", "kb_category", after={"name": "Billing help"}),
        id="kb-category-created",
    ),
    pytest.param(
        Case(
            _kb_category_renamed,
            "kb_category.updated",
            "kb_category",
            before={"name": "Setup"},
            after={"name": "Getting started"},
        ),
        id="kb-category-updated",
    ),
    pytest.param(
        Case(_kb_category_deleted, "kb_category.deleted", "kb_category"),
        id="kb-category-deleted",
    ),
    pytest.param(
        Case(_kb_article_deleted, "kb_article.deleted", "kb_article", before={"status": "draft"}),
        id="kb-article-deleted",
    ),
    pytest.param(
        Case(_help_center, "help_center.updated", "help_center", after={"title": "Acme Help"}),
        id="help-center-updated",
    ),
]


@pytest.fixture
def world(app, org, admin, agent):
    return admin_world(app, org, admin, agent)


@pytest.mark.parametrize("case", CASES)
def test_an_action_done_in_the_console_is_in_the_audit_log(world, case: Case):
    assert_audited(world, case)


def test_a_refused_change_leaves_no_entry(world):
    world.post(
        f"/admin/agents/{world.admin.id}",
        {"name": "Ada", "email": world.admin.email, "role": "agent"},
    )  # the last admin cannot stop being one

    assert not db.session.scalar(
        sa.select(sa.func.count()).where(
            AuditEntry.organization_id == world.org.id, AuditEntry.action == "agent.role_changed"
        )
    )


def test_an_api_token_s_actions_name_the_token(app, org, admin):
    token, plain = create_token(admin, name="Deploy bot", scope=Scope.READ_WRITE)
    client = app.test_client()
    answer = client.post(
        "/api/v1/invitations",
        json={"email": "zed@example.com", "name": "Zed", "role": "viewer"},
        headers={"Authorization": f"Bearer {plain}"},
        environ_base={"REMOTE_ADDR": IP},
    )
    assert answer.status_code == 201, answer.get_json()

    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "invitation.sent"))
    assert entry.actor_type is ActorType.API_TOKEN
    assert entry.api_token_id == token.id
    assert "Deploy bot" in entry.actor_label
    assert entry.ip_address == IP


def test_secrets_never_reach_the_log(org, admin):
    from supportdesk import audit

    entry = audit.record(
        org.id,
        "webhook.created",
        actor=admin,
        after={
            "url": "https://x",
            "secret": "whsec_abc",
            "nested": {"password": "p", "ok": 1},
            "signing_secret": "s",
            "tokens_revoked": 2,
        },
    )
    assert entry.after == {
        "url": "https://x",
        "secret": "[redacted]",
        "nested": {"password": "[redacted]", "ok": 1},
        "signing_secret": "[redacted]",
        "tokens_revoked": 2,
    }


def test_an_unknown_action_is_refused(org, admin):
    from supportdesk import audit

    with pytest.raises(ValueError, match="not an audit action"):
        audit.record(org.id, "agent.teleported", actor=admin)


def test_the_role_table_is_the_audit_page_s_guard(viewer):
    assert not viewer.can("audit_log.view")
    assert Role.ADMIN.at_least(Role.ADMIN)


def test_a_flood_past_the_sign_in_throttle_leaves_one_entry_per_window(app, org, agent):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": IP})
    email = agent.email
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 5):
        token = csrf_token(client.get("/login"))
        client.post("/login", data={"csrf_token": token, "email": email, "password": "nope" * 4})

    reasons = list(
        db.session.scalars(
            sa.select(AuditEntry.after["reason"].as_string()).where(
                AuditEntry.action == "auth.sign_in_failed", AuditEntry.organization_id == org.id
            )
        )
    )
    assert reasons.count("wrong_password") == app.config["LOGIN_MAX_FAILURES"]
    assert reasons.count("throttled") == 1


# Actions whose entry is checked within their own flow (a link followed, a job run, a provider
# answering), not by a console form in a table: where each is tested.
TESTED_IN_THEIR_FLOW = {
    "audit_log.purged": "tests/audit/test_retention.py",
    "auth.break_glass": "tests/sso/test_sign_in.py",
    "crm.authorized": "tests/crm/test_oauth.py",
    "crm.connected": "tests/crm/test_inbound.py",
    "crm.updated": "tests/crm/test_inbound.py",
    "customer.export_downloaded": "tests/privacy/test_views.py",
    "export.downloaded": "tests/console/test_exports.py",
    "export.expired": "tests/exports/test_expiry.py",
    "invitation.accepted": "tests/auth/test_links.py",
    "kb_article.published": "tests/kb/test_service.py",
    "kb_article.unpublished": "tests/kb/test_service.py",
    "password.reset": "tests/auth/test_links.py",
    "portal_settings.updated": "tests/selfservice/test_service.py",
    "retention.applied": "tests/privacy/test_retention.py",
}


def test_every_action_has_a_case_or_is_tested_in_its_flow():
    from pathlib import Path

    from supportdesk.audit.actions import ACTIONS
    from tests.twofactor.test_audit import CASES as TWO_FACTOR_CASES

    in_tables = {p.values[0].action for p in [*CASES, *TWO_FACTOR_CASES]}
    assert set(ACTIONS) - in_tables == set(TESTED_IN_THEIR_FLOW)
    root = Path(__file__).parents[2]
    for action, path in TESTED_IN_THEIR_FLOW.items():
        assert f'"{action}"' in (root / path).read_text(), f"{action} is not tested in {path}"
