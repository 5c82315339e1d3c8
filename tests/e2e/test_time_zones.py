"""An agent picks a time zone on the account page; the ticket page then shows times in it."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import persist, start_session

OPENED = dt.datetime(2026, 11, 27, 13, 5, tzinfo=dt.UTC)


def _opened_at_a_known_time(desk) -> None:
    desk.ticket.created_at = OPENED
    persist()


def _opened(page: Page):
    return page.locator("dt:has-text('Opened') + dd time")


def test_an_agent_picks_a_zone_and_the_ticket_page_shows_times_in_it(page: Page, desk) -> None:
    _opened_at_a_known_time(desk)
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    expect(_opened(page)).to_have_text("27 Nov 2026, 13:05 UTC")

    page.goto("/account")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.get_by_role("status")).to_have_text("Times now show in Europe/Berlin.")

    page.goto(f"/tickets/{desk.ticket.number}")
    expect(_opened(page)).to_have_text("27 Nov 2026, 14:05 CET")
    expect(_opened(page)).to_have_attribute("datetime", "2026-11-27T13:05:00Z")


def test_the_browser_s_own_zone_is_one_click_away(browser: Browser, base_url: str, desk) -> None:
    _opened_at_a_known_time(desk)
    context = browser.new_context(base_url=base_url, timezone_id="America/New_York")
    page = context.new_page()
    try:
        start_session(page, desk.agent)
        page.goto("/account")
        page.get_by_role("button", name="Use this browser's zone: America/New York").click()
        expect(page.get_by_role("status")).to_have_text("Times now show in America/New_York.")
        # Already chosen: the offer is gone.
        expect(page.get_by_role("button", name="Use this browser's zone")).to_be_hidden()

        page.goto(f"/tickets/{desk.ticket.number}")
        expect(_opened(page)).to_have_text("27 Nov 2026, 08:05 EST")
    finally:
        context.close()


def test_no_offer_when_times_already_show_in_the_browser_s_zone(
    browser: Browser, base_url: str, desk
) -> None:
    # The agent follows the organization's zone, which is the browser's: nothing to offer.
    context = browser.new_context(base_url=base_url, timezone_id="UTC")
    page = context.new_page()
    try:
        start_session(page, desk.agent)
        page.goto("/account")
        expect(page.get_by_label("Time zone")).to_have_value("")
        expect(page.get_by_role("button", name="Use this browser's zone")).to_be_hidden()
    finally:
        context.close()
