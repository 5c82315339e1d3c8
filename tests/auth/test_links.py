"""Invitations and password resets end to end: the form, the mail through a real SMTP server,
the link read from the delivered mail and followed, the password set, the sign-in. Expiry with a
frozen clock, single use, newer links, sign-in invalidating links, no enumeration, rate limit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk.accounts.links import Invitation, PasswordReset
from supportdesk.accounts.models import Role, User
from supportdesk.audit.models import AuditEntry
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.sessions.models import AgentSession
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token
from tests import factories
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

NEW_PASSWORD = "a long new passphrase"
LINK = re.compile(r"https?://\S+/(?:password/reset|invitations)/[A-Za-z0-9_-]+")


def _post(client, path: str, data: dict, *, page: str | None = None):
    token = csrf_token(client.get(page or path))
    return client.post(path, data={"csrf_token": token, **data})


def _delivered_links(smtp, run_worker, to: str) -> list[str]:
    """Send the queued mail, then read every link mailed to `to` from the text parts received."""
    run_worker()
    links = []
    for message in smtp.mailbox.messages:
        if message["To"].addresses[0].addr_spec == to:
            text = message.get_body(("plain",)).get_content()
            html = message.get_body(("html",)).get_content()
            found = LINK.findall(text)
            assert found and found[0] in html  # the same link in both parts
            links.append(found[0])
    return links


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _sign_in(client, email: str, password: str):
    return _post(client, "/login", {"email": email, "password": password})


# -- invitations ------------------------------------------------------------------------------


def test_an_invited_agent_follows_the_mailed_link_sets_a_password_and_signs_in(
    app, client, org, admin, smtp, run_worker
):
    team = factories.TeamFactory(organization=org, name="Billing")
    login_as(client, admin)
    answer = _post(
        client,
        "/admin/agents/invite",
        {"name": "Nia New", "email": "Nia@Example.com", "role": "senior_agent", "teams": team.id},
    )
    assert answer.status_code == 302
    pending = client.get("/admin/agents").get_data(as_text=True)
    assert "Pending invitations" in pending and "nia@example.com" in pending

    [link] = _delivered_links(smtp, run_worker, "nia@example.com")
    visitor = app.test_client()
    page = visitor.get(_path(link))
    assert page.status_code == 200 and "Join " in page.get_data(as_text=True)
    assert "You were invited as senior agent with the address" in page.get_data(as_text=True)
    done = _post(
        visitor,
        _path(link),
        {"name": "Nia N.", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert done.status_code == 302

    user = db.session.scalar(sa.select(User).where(User.email == "nia@example.com"))
    assert (user.name, user.role, [t.name for t in user.teams]) == (
        "Nia N.",
        Role.SENIOR_AGENT,
        ["Billing"],
    )
    assert _sign_in(visitor, "nia@example.com", NEW_PASSWORD).status_code == 302
    assert visitor.get("/").status_code == 200
    # single use: the link is dead now
    assert visitor.get(_path(link)).status_code == 410
    actions = set(
        db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.organization_id == user.organization_id)
        )
    )
    assert {"invitation.sent", "invitation.accepted", "agent.created"} <= actions


def test_the_invitation_mail_escapes_what_the_admin_typed(client, org, admin, smtp, run_worker):
    login_as(client, admin)
    _post(
        client,
        "/admin/agents/invite",
        {"name": "<script>alert(1)</script>", "email": "x@example.com", "role": "agent"},
    )
    run_worker()
    [message] = smtp.mailbox.messages
    html = message.get_body(("html",)).get_content()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_resending_kills_the_old_link_and_revoking_kills_the_new_one(
    app, client, org, admin, smtp, run_worker
):
    login_as(client, admin)
    _post(
        client, "/admin/agents/invite", {"name": "Ola", "email": "ola@example.com", "role": "agent"}
    )
    invitation_id = db.session.scalar(
        sa.select(Invitation.id).where(Invitation.email == "ola@example.com")
    )
    [first] = _delivered_links(smtp, run_worker, "ola@example.com")
    _post(client, f"/admin/invitations/{invitation_id}/resend", {}, page="/admin/agents")
    [second] = set(_delivered_links(smtp, run_worker, "ola@example.com")) - {first}
    visitor = app.test_client()
    assert visitor.get(_path(first)).status_code == 410
    assert visitor.get(_path(second)).status_code == 200

    _post(client, f"/admin/invitations/{invitation_id}/revoke", {}, page="/admin/agents")
    assert visitor.get(_path(second)).status_code == 410
    client.get("/admin/agents")  # shows the flash
    assert "ola@example.com" not in client.get("/admin/agents").get_data(as_text=True)


def test_an_invitation_link_expires(app, client, org, admin, smtp, run_worker):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login_as(client, admin)
        _post(
            client,
            "/admin/agents/invite",
            {"name": "Eve", "email": "eve@example.com", "role": "agent"},
        )
        [link] = _delivered_links(smtp, run_worker, "eve@example.com")
    visitor = app.test_client()
    days = app.config["INVITATION_DAYS"]
    with time_machine.travel(start + dt.timedelta(days=days) - dt.timedelta(minutes=1), tick=False):
        assert visitor.get(_path(link)).status_code == 200
    with time_machine.travel(start + dt.timedelta(days=days, minutes=1), tick=False):
        assert visitor.get(_path(link)).status_code == 410


def test_another_organization_s_invitation_is_not_found(client, admin, other_org):
    stranger = factories.UserFactory(organization=other_org, role=Role.ADMIN)
    from supportdesk.accounts import invitations

    theirs = invitations.invite(stranger, email="t@example.com", name="T", role=Role.AGENT)
    login_as(client, admin)
    for action in ("resend", "revoke"):
        answer = _post(client, f"/admin/invitations/{theirs.id}/{action}", {}, page="/admin/agents")
        assert answer.status_code == 404
    assert theirs.revoked_at is None


def test_agents_cannot_invite(client, agent):
    login_as(client, agent)
    assert client.get("/admin/agents/invite").status_code == 403


# -- password resets --------------------------------------------------------------------------


def _forgot(client, email: str):
    return _post(client, "/password/forgot", {"email": email})


def test_a_forgotten_password_is_reset_from_the_mailed_link(
    app, client, org, agent, smtp, run_worker
):
    email, agent_id = agent.email, agent.id
    other_browser = app.test_client()
    login_as(other_browser, agent)
    token, plain = create_token(agent, name="Script", scope=Scope.READ)

    answer = _forgot(client, email)
    assert answer.status_code == 302
    [link] = _delivered_links(smtp, run_worker, email)
    page = client.get(_path(link))
    assert page.status_code == 200 and "API tokens keep working" in page.get_data(as_text=True)
    done = _post(client, _path(link), {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302

    assert other_browser.get("/").status_code == 302  # every session ended
    assert _sign_in(client, email, factories.PASSWORD).status_code == 401
    assert _sign_in(client, email, NEW_PASSWORD).status_code == 302
    assert client.get(_path(link)).status_code == 410  # used once
    api = app.test_client().get("/api/v1/agents", headers={"Authorization": f"Bearer {plain}"})
    assert api.status_code == 200  # API tokens are kept, as the page says
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "password.reset"))
    assert entry.actor_user_id == agent_id


def test_known_and_unknown_addresses_get_the_same_answer(client, org, agent, smtp, run_worker):
    email = agent.email
    known = _forgot(client, email)
    unknown = _forgot(client, "nobody@example.com")

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    run_worker()
    assert [m["To"].addresses[0].addr_spec for m in smtp.mailbox.messages] == [email]
    assert not db.session.scalar(
        sa.select(sa.func.count())
        .select_from(EmailMessage)
        .where(EmailMessage.to_address == "nobody@example.com")
    )


def test_asking_does_the_same_work_for_known_and_unknown_addresses(
    app, org, agent, smtp, run_worker, query_counter
):
    """No lookup in the request (its time would tell addresses apart): each answer runs the
    same statements and queues the same job; the job alone finds the agent and mails them."""
    from rq import Queue

    from supportdesk.accounts.resets import SEND_RESET_JOB
    from tests.fixtures.audit import BROWSER, IP

    def ask(email: str) -> list[str]:
        visitor = app.test_client()
        visitor.environ_base.update({"REMOTE_ADDR": IP, "HTTP_USER_AGENT": BROWSER})
        token = csrf_token(visitor.get("/password/forgot"))
        with query_counter() as queries:
            answer = visitor.post("/password/forgot", data={"csrf_token": token, "email": email})
        assert answer.status_code == 302
        return queries.statements

    agent_id, email = agent.id, agent.email  # the worker ends the test's session
    assert ask(email) == ask("nobody@example.com")
    queued = Queue("emails", connection=app.extensions["redis"]).jobs
    assert [(job.func_name, job.args[0]) for job in queued] == [
        (SEND_RESET_JOB, email),
        (SEND_RESET_JOB, "nobody@example.com"),
    ]
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset))

    run_worker()
    [entry] = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "password.reset_requested")
    ).all()
    assert (entry.actor_user_id, entry.ip_address, entry.user_agent) == (agent_id, IP, BROWSER)
    assert [m["To"].addresses[0].addr_spec for m in smtp.mailbox.messages] == [email]


def test_a_reset_asked_for_while_redis_is_down_is_not_lost(
    app, client, org, agent, smtp, run_worker
):
    """The request keeps no row for a sweep to find: with Redis down its job runs in the web
    process after the commit, so the link is made and its mail queued all the same."""
    from redis import Redis

    email = agent.email
    working, app.extensions["redis"] = (
        app.extensions["redis"],
        Redis.from_url("redis://127.0.0.1:1/0"),
    )
    try:
        assert _forgot(client, email).status_code == 302
    finally:
        app.extensions["redis"].close()
        app.extensions["redis"] = working
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 1
    # Its email is an outbox row like any other: the sweep sends it once Redis is back.
    from supportdesk.jobs.email import sweep_emails

    assert sweep_emails() == 1
    assert len(_delivered_links(smtp, run_worker, email)) == 1


def test_the_flashed_answer_is_the_same_sentence_for_any_address(app, org, agent):
    def flashed(email: str) -> str:
        visitor = app.test_client()
        _forgot(visitor, email)
        page = visitor.get("/login").get_data(as_text=True)
        [flashes] = re.findall(r'<div class="flashes">.*?</div>', page, re.DOTALL)
        return flashes.replace(email, "<address>")

    known = flashed(agent.email)
    assert "If an active agent account uses" in known
    assert known == flashed("nobody@example.com")


def test_a_newer_link_and_a_sign_in_invalidate_older_links(
    app, client, org, agent, smtp, run_worker
):
    email = agent.email
    _forgot(client, email)
    [first] = _delivered_links(smtp, run_worker, email)
    _forgot(client, email)
    [second] = set(_delivered_links(smtp, run_worker, email)) - {first}
    assert client.get(_path(first)).status_code == 410
    assert client.get(_path(second)).status_code == 200

    assert _sign_in(app.test_client(), email, factories.PASSWORD).status_code == 302
    assert client.get(_path(second)).status_code == 410


def test_a_reset_link_expires(app, client, org, agent, smtp, run_worker):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        _forgot(client, agent.email)
        [link] = _delivered_links(smtp, run_worker, agent.email)
    minutes = app.config["PASSWORD_RESET_MINUTES"]
    with time_machine.travel(start + dt.timedelta(minutes=minutes - 1), tick=False):
        assert client.get(_path(link)).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=minutes + 1), tick=False):
        assert client.get(_path(link)).status_code == 410
        answer = _post(
            client,
            _path(link),
            {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
            page="/password/forgot",
        )
        assert answer.status_code == 410


def test_reset_requests_are_rate_limited_alike_for_known_and_unknown_addresses(
    app, org, agent, run_worker
):
    limit = app.config["RESET_REQUESTS_PER_EMAIL"]
    agent_id = agent.id
    for email in (agent.email, "nobody@example.com"):
        client = app.test_client()
        answers = [_forgot(client, email).status_code for _ in range(limit + 1)]
        assert answers == [302] * limit + [429]
    run_worker()  # the requests queued the jobs that issue the links
    sent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PasswordReset)
        .where(PasswordReset.user_id == agent_id)
    )
    assert sent == limit


def test_an_admin_forces_a_reset(app, client, org, admin, agent, smtp, run_worker):
    email, agent_id, admin_id, admin_name = agent.email, agent.id, admin.id, admin.name
    browser = app.test_client()
    login_as(browser, agent)
    login_as(client, admin)

    answer = _post(
        client, f"/admin/agents/{agent.id}/reset-password", {}, page=f"/admin/agents/{agent.id}"
    )
    assert answer.status_code == 302
    assert browser.get("/").status_code == 302  # signed out at once
    assert not db.session.scalar(
        sa.select(sa.func.count()).where(
            AgentSession.user_id == agent_id, AgentSession.revoked_at.is_(None)
        )
    )
    [link] = _delivered_links(smtp, run_worker, email)
    [message] = smtp.mailbox.messages
    assert admin_name in message.get_body(("plain",)).get_content()
    assert app.test_client().get(_path(link)).status_code == 200
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "password.reset_forced")
    )
    assert (entry.actor_user_id, entry.target_id) == (admin_id, agent_id)


def test_a_reset_of_another_organization_s_agent_is_not_found(client, admin, other_org):
    stranger = factories.UserFactory(organization=other_org)
    login_as(client, admin)
    answer = _post(client, f"/admin/agents/{stranger.id}/reset-password", {}, page="/admin/agents")
    assert answer.status_code == 404


def test_the_lockout_message_points_to_the_reset_page(app, client, org, agent):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        answer = _sign_in(client, agent.email, "wrong password here")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 429
    assert "ask an admin to reset" not in text
    assert "Forgot your password?" in text


def test_mail_carrying_a_link_is_never_previewed(client, org, admin, agent, run_worker):
    login_as(client, admin)
    _forgot(app_client := client, agent.email)
    run_worker()  # the request only queued the job that writes the email
    email = db.session.scalar(sa.select(EmailMessage).where(EmailMessage.kind == "password_reset"))
    assert email.body_hidden
    page = app_client.get(f"/admin/mail/{email.id}").get_data(as_text=True)
    assert "/password/reset/" not in page
