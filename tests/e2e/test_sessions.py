"""Sign-out in a real browser: the remember cookie goes, copied cookies die, other sessions end."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import sign_in

REMEMBER_COOKIE = "remember_token"


def _expect_sign_in_page(page: Page) -> None:
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def _fresh_browser(browser: Browser, args: dict, cookies: list) -> Page:
    """Another browser profile holding only `cookies` (copied from the signed-in one)."""
    context = browser.new_context(**args)
    context.add_cookies(cookies)
    return context.new_page()


@pytest.mark.parametrize("remember", [False, True], ids=["session only", "keep me signed in"])
def test_sign_out_signs_out_and_copied_cookies_stop_working(
    page: Page, context: BrowserContext, browser: Browser, browser_context_args, desk, remember
) -> None:
    sign_in(page, desk.agent, remember=remember)
    copied = context.cookies()
    assert (REMEMBER_COOKIE in {c["name"] for c in copied}) is remember
    ticket_url = f"/tickets/{desk.ticket.number}"

    page.get_by_role("button", name="Sign out").click()

    _expect_sign_in_page(page)
    assert REMEMBER_COOKIE not in {c["name"] for c in context.cookies()}
    page.goto(ticket_url)
    page.reload()
    _expect_sign_in_page(page)
    thief = _fresh_browser(browser, browser_context_args, copied)
    thief.goto(ticket_url)
    _expect_sign_in_page(thief)
    thief.context.close()


def test_keep_me_signed_in_survives_a_browser_restart_until_sign_out(
    page: Page, context: BrowserContext, browser: Browser, browser_context_args, desk
) -> None:
    sign_in(page, desk.agent, remember=True)
    remembered = [c for c in context.cookies() if c["name"] == REMEMBER_COOKIE]

    restarted = _fresh_browser(browser, browser_context_args, remembered)
    restarted.goto("/")
    expect(restarted.get_by_role("button", name="Sign out")).to_be_visible()

    restarted.get_by_role("button", name="Sign out").click()
    _expect_sign_in_page(restarted)
    page.reload()
    _expect_sign_in_page(page)  # one session: signing it out anywhere ends it everywhere
    restarted.context.close()


def test_the_account_page_signs_out_another_session(
    page: Page, browser: Browser, browser_context_args, desk
) -> None:
    laptop = browser.new_context(**browser_context_args).new_page()
    sign_in(laptop, desk.agent)
    sign_in(page, desk.agent)

    page.goto("/account")
    rows = page.locator("table.sessions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="This device")).to_have_count(1)
    expect(rows.first).to_contain_text("127.0.0.1")
    rows.filter(has_not_text="This device").get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("status").filter(has_text="Signed out")).to_be_visible()
    expect(page.locator("table.sessions tbody tr")).to_have_count(1)
    laptop.reload()
    _expect_sign_in_page(laptop)
    page.goto("/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    laptop.context.close()


def test_sign_out_everywhere_else_keeps_only_this_browser(
    page: Page, browser: Browser, browser_context_args, desk
) -> None:
    others = [browser.new_context(**browser_context_args).new_page() for _ in range(2)]
    for other in others:
        sign_in(other, desk.agent)
    sign_in(page, desk.agent)
    page.goto("/account")
    page.once("dialog", lambda dialog: dialog.accept())

    page.get_by_role("button", name="Sign out everywhere else").click()

    expect(
        page.get_by_role("status").filter(has_text="Signed out 2 other sessions")
    ).to_be_visible()
    for other in others:
        other.reload()
        _expect_sign_in_page(other)
        other.context.close()
