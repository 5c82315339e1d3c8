"""The browser harness itself: Chromium reaches the served app and sees committed data."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in


def test_an_agent_signs_in_and_sees_the_ticket_in_the_queue(page: Page, desk) -> None:
    sign_in(page, desk.agent)
    expect(page.get_by_role("link", name="Refund for a cancelled booking")).to_be_visible()


def test_a_console_page_without_a_session_asks_to_sign_in(page: Page, desk) -> None:
    page.goto(f"/tickets/{desk.ticket.number}")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
