"""Single sign-on in a real browser: an admin sets it up on the admin page; an agent clicks
"Sign in with SSO", the tests' identity provider (real HTTP, approving at once) sends the browser
back, and the agent lands in the console. A refused sign-in says why on the sign-in page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from supportdesk.sso import provider
from tests.e2e.conftest import LiveServer, persist, screenshot, sign_in
from tests.fixtures.oidc import CLIENT_ID, CLIENT_SECRET, TestIdentityProvider


@pytest.fixture
def idp(live_server: LiveServer, httpserver) -> Iterator[TestIdentityProvider]:
    """The tests' identity provider; the served app accepts its plain-http issuer."""
    provider.forget_cached()
    live_server.app.config["SSO_ALLOW_HTTP"] = True
    yield TestIdentityProvider(httpserver).serve()
    live_server.app.config["SSO_ALLOW_HTTP"] = False
    provider.forget_cached()


def _set_up_in_the_admin_page(page: Page, desk, idp: TestIdentityProvider) -> None:
    sign_in(page, desk.admin)
    page.goto("/admin/agents")
    page.get_by_role("link", name="Single sign-on").click()
    page.get_by_label("Single sign-on is on").check()
    page.get_by_label("Provider name").fill("Acme ID")
    page.get_by_label("Issuer URL").fill(idp.issuer)
    page.get_by_label("Client id").fill(CLIENT_ID)
    page.get_by_label("Client secret").fill(CLIENT_SECRET)
    page.get_by_label("Allowed email domains").fill("example.com")
    page.get_by_role("button", name="Save single sign-on").click()
    expect(page.get_by_text("agents can sign in with SSO")).to_be_visible()
    expect(page.get_by_text("A secret is set")).to_be_visible()
    screenshot(page, "sso-admin.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()


def test_an_agent_signs_in_with_sso_and_lands_in_the_console(
    page: Page, desk, idp: TestIdentityProvider
) -> None:
    _set_up_in_the_admin_page(page, desk, idp)

    page.goto("/login")
    screenshot(page, "sso-login.png")
    page.get_by_role("link", name="Sign in with SSO").click()
    page.get_by_label("Work email").fill(desk.agent.email)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("link", name="Refund for a cancelled booking")).to_be_visible()
    expect(page.locator(".whoami")).to_contain_text(desk.agent.name)
    assert idp.token_requests and idp.token_requests[0]["code_verifier"]

    # next time, this browser is offered its organization's provider by name (the person is
    # still signed in at the provider, which asks nothing)
    idp.email = desk.agent.email
    page.get_by_role("button", name="Sign out").click()
    screenshot(page, "sso-login-remembered.png")
    page.get_by_role("link", name="Sign in with Acme ID").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_refused_sign_in_says_why_on_the_sign_in_page(
    page: Page, desk, idp: TestIdentityProvider
) -> None:
    _set_up_in_the_admin_page(page, desk, idp)
    idp.claims["aud"] = "someone-else"
    persist()

    page.goto("/login/sso")
    page.get_by_label("Work email").fill(desk.agent.email)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("alert")).to_contain_text("issued for another application")
    expect(page.get_by_role("heading", name="Sign in to your help desk")).to_be_visible()
    screenshot(page, "sso-refused.png")
