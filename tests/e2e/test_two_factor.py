"""Two-factor authentication in a real browser: an agent sets it up by reading the key off the
page (the code computed as an authenticator app would), signs in with a code, and with a
recovery code; an organization's requirement sends agents to the set-up before the console; an
admin resets a lost phone."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from supportdesk.accounts.models import TwoFactorPolicy
from supportdesk.extensions import db
from tests.e2e.conftest import persist, screenshot, sign_in
from tests.factories import PASSWORD
from tests.twofactor.helpers import enrol


def _password_step(page: Page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _set_up_from_the_page(page: Page, shot: str | None = None) -> list[str]:
    """Read the key as a person would, type the app's code; returns the recovery codes shown."""
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_text("Can't scan it? Enter the key by hand").click()
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    if shot:
        screenshot(page, shot, full_page=True)
    page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    return secret, codes


def test_an_agent_sets_up_two_factor_then_signs_in_with_a_code(page: Page, desk) -> None:
    sign_in(page, desk.agent)
    page.goto("/account")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    secret, _ = _set_up_from_the_page(page, shot="twofa-setup.png")
    screenshot(page, "twofa-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I saved them: go to the console").click()
    page.get_by_role("button", name="Sign out").click()

    _password_step(page, desk.agent)
    expect(page.get_by_role("heading", name="Enter your authentication code")).to_be_visible()
    screenshot(page, "twofa-code-page.png", full_page=True)
    page.goto("/account")  # no page opens before the code
    expect(page).to_have_url(re.compile(r"/login"))

    _password_step(page, desk.agent)
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_text("That code is not correct").first).to_be_visible()
    # The code of the step after the one the set-up used: a phone 30 s ahead is still accepted.
    page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/account")
    expect(page.locator("#two-factor")).to_contain_text("10 recovery codes left")
    page.get_by_role("link", name="Manage two-factor authentication").click()
    expect(page.get_by_text("10 unused recovery codes left.")).to_be_visible()
    screenshot(page, "twofa-settings.png", full_page=True)


def test_an_agent_who_lost_the_phone_signs_in_with_a_recovery_code(page: Page, desk) -> None:
    _, codes = enrol(desk.agent)
    persist()

    _password_step(page, desk.agent)
    page.get_by_label("Authentication code").fill(codes[0].upper())
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("You signed in with a recovery code; 9 left.")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    _password_step(page, desk.agent)
    page.get_by_label("Authentication code").fill(codes[0])
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_text("That code is not correct").first).to_be_visible()


def test_the_organization_requirement_sends_agents_to_set_up_first(page: Page, desk) -> None:
    sign_in(page, desk.admin)
    page.goto("/admin/organization")
    page.get_by_label("Two-factor authentication").select_option(label="Required for every agent")
    page.get_by_role("button", name="Save settings").click()
    # The admin has none yet: the console sends them to the set-up at once.
    expect(page.get_by_text("Acme Support requires two-factor authentication")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    _password_step(page, desk.agent)
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup$"))
    screenshot(page, "twofa-required.png", full_page=True)
    page.goto(f"/tickets/{desk.ticket.number}")
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup$"))
    _set_up_from_the_page(page)
    page.get_by_role("link", name="I saved them: go to the console").click()
    expect(page.get_by_role("link", name=desk.ticket.subject)).to_be_visible()


def test_an_admin_resets_the_two_factor_of_an_agent_who_lost_the_phone(page: Page, desk) -> None:
    enrol(desk.agent)
    desk.org.two_factor_policy = TwoFactorPolicy.NOBODY
    db.session.flush()
    persist()
    sign_in(page, desk.admin)
    page.goto("/admin/agents")
    expect(page.get_by_role("row").filter(has_text=desk.agent.email)).to_contain_text("On")
    page.get_by_role("link", name=desk.agent.name).click()
    page.locator("#two-factor").scroll_into_view_if_needed()
    screenshot(page, "twofa-admin-agent.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset two-factor authentication").click()
    expect(
        page.get_by_text(f"Two-factor authentication of {desk.agent.name} is reset")
    ).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, desk.agent)  # the password alone again
