"""Accounts in a real browser: an admin invites an agent who follows the mailed link, sets a
password and signs in; an agent resets a forgotten password; an admin browses the audit log."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage
from tests.e2e.conftest import LiveServer, sign_in

NEW_PASSWORD = "correct horse battery staple"
LINK = re.compile(r"https?://\S+/(?:password/reset|invitations)/[A-Za-z0-9_-]+")


def _mailed_link(live_server: LiveServer, to: str, kind: str) -> str:
    """The link in the newest `kind` email to `to`, read from the message as it was sent."""
    db.session.rollback()  # see what the server's threads committed
    email_id = db.session.scalar(
        sa.select(EmailMessage.id)
        .where(EmailMessage.to_address == to, EmailMessage.kind == kind)
        .order_by(EmailMessage.id.desc())
    )
    raw = (Path(live_server.app.config["MAIL_DIR"]) / f"email-{email_id}.eml").read_bytes()
    text = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    return LINK.search(text).group(0)


def test_an_invited_agent_sets_a_password_from_the_email_and_signs_in(
    page: Page, desk, live_server: LiveServer
) -> None:
    sign_in(page, desk.admin)
    page.goto("/admin/agents")
    page.get_by_role("link", name="Invite agent").click()
    page.get_by_label("Name").fill("Nia New")
    page.get_by_label("Email").fill("nia@example.com")
    page.get_by_label("Role").select_option("agent")
    page.get_by_label("Teams").select_option(label="Billing")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to nia@example.com")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="nia@example.com")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.goto(_mailed_link(live_server, "nia@example.com", "agent_invitation"))
    expect(page.get_by_role("heading", name="Join Acme Support")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Activate my account").click()
    expect(page.get_by_text("Welcome to Acme Support!")).to_be_visible()

    page.get_by_label("Email").fill("nia@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Nia New Agent"))).to_be_visible()


def test_an_agent_resets_a_forgotten_password(page: Page, desk, live_server: LiveServer) -> None:
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(desk.agent.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_text("If an active agent account uses")).to_be_visible()

    link = _mailed_link(live_server, desk.agent.email, "password_reset")
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill("not the same at all")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("The two entries differ.")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()

    sign_in(page, desk.agent, password=NEW_PASSWORD)
    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()


def test_an_admin_browses_and_filters_the_audit_log(page: Page, desk) -> None:
    sign_in(page, desk.admin)
    page.goto(f"/admin/agents/{desk.agent.id}")
    page.get_by_label("Role").select_option("senior_agent")
    page.get_by_role("button", name="Save agent").click()

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    page.get_by_label("Action").select_option(label="Agent role changed")
    page.get_by_role("button", name="Apply").click()
    row = page.get_by_role("row").filter(has_text="Agent role changed")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Alex Agent")
    expect(row).to_contain_text('after: {"role": "senior_agent"}')
    expect(page.get_by_role("row").filter(has_text="Signed in")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert "agent.role_changed" in Path(download.value.path()).read_text()
