"""The live console in the browser: two agents in two browser contexts on one desk."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Desk, screenshot, start_session


@pytest.fixture
def second(browser: Browser, browser_context_args: dict) -> Iterator[Page]:
    """A second agent's browser: its own context (cookies, session), its own page."""
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()


def _open_ticket(page: Page, desk: Desk) -> None:
    page.goto(f"/tickets/{desk.ticket.number}")
    page.wait_for_load_state("load")


def test_presence_and_typing_show_to_a_colleague_and_go_when_they_leave(
    page: Page, second: Page, desk: Desk
) -> None:
    start_session(page, desk.agent)
    start_session(second, desk.senior)
    _open_ticket(page, desk)
    _open_ticket(second, desk)
    presence = page.locator("[data-presence]")
    expect(presence).to_contain_text(desk.senior.name, timeout=15000)

    second.get_by_label("Message").fill("Let me check the booking")
    expect(presence).to_contain_text(f"{desk.senior.name} is typing a reply", timeout=10000)

    second.goto("/")
    expect(presence).to_be_hidden(timeout=15000)


def test_a_reply_after_a_colleagues_reply_asks_first_and_keeps_the_draft(
    page: Page, second: Page, desk: Desk
) -> None:
    start_session(page, desk.agent)
    start_session(second, desk.senior)
    _open_ticket(page, desk)
    _open_ticket(second, desk)
    page.get_by_label("Message").fill("Your refund is on its way.")

    second.get_by_label("Message").fill("We refunded you today.")
    second.get_by_role("button", name="Send reply to", exact=False).first.click()
    expect(second.get_by_text("Reply sent to the customer.")).to_be_visible()

    # The first agent sees the colleague's reply arrive while writing.
    expect(page.locator("[data-live-messages]")).to_contain_text("We refunded you today.")
    expect(page.locator("[data-composer-newer]")).to_be_visible()
    page.get_by_role("button", name="Send reply to", exact=False).first.click()

    collision = page.locator("[data-collision]")
    expect(collision).to_contain_text("Your reply was not sent")
    expect(collision).to_contain_text("We refunded you today.")
    expect(page.get_by_label("Message")).to_have_value("Your refund is on its way.")
    screenshot(page, "live-collision.png", full_page=True)

    page.get_by_role("button", name="Send anyway").click()
    expect(page.get_by_text("Reply sent to the customer.")).to_be_visible()
    expect(page.locator("[data-live-messages]")).to_contain_text("Your refund is on its way.")


def test_a_new_ticket_appears_in_a_colleagues_queue_without_a_reload(
    page: Page, second: Page, desk: Desk
) -> None:
    start_session(page, desk.agent)
    start_session(second, desk.senior)
    page.goto("/?queue=all")
    page.wait_for_load_state("load")
    selected = page.get_by_label(f"Select ticket #{desk.ticket.number}", exact=True)
    selected.check()

    second.goto("/tickets/new")
    second.get_by_label("Customer email").fill("noor@example.com")
    second.get_by_label("Subject").fill("Luggage lost in Lisbon")
    second.get_by_label("What the customer needs").fill("My bag never arrived.")
    second.get_by_role("button", name="Open ticket").click()
    expect(second.get_by_text("opened.", exact=False)).to_be_visible()

    row = page.locator("tbody[data-live-rows] tr", has_text="Luggage lost in Lisbon")
    expect(row).to_be_visible(timeout=10000)
    expect(selected).to_be_checked()  # the agent's selection survives the live update
    screenshot(page, "live-queue.png", full_page=True)


def test_a_colleagues_save_updates_the_form_and_keeps_the_agents_own_edit(
    page: Page, second: Page, desk: Desk
) -> None:
    start_session(page, desk.agent)
    start_session(second, desk.senior)
    _open_ticket(page, desk)
    _open_ticket(second, desk)
    page.get_by_label("Subject").fill("Refund for the Lisbon trip")

    second.get_by_label("Priority").select_option("high")
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_text("Ticket updated.")).to_be_visible()

    expect(page.get_by_label("Priority")).to_have_value("high", timeout=10000)
    expect(page.get_by_label("Subject")).to_have_value("Refund for the Lisbon trip")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Ticket updated.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Refund for the Lisbon trip")
    expect(page.get_by_label("Priority")).to_have_value("high")


def test_a_stale_save_keeps_the_agents_other_edits_and_marks_the_colleagues_field(
    page: Page, second: Page, desk: Desk
) -> None:
    start_session(page, desk.agent)
    start_session(second, desk.senior)
    _open_ticket(page, desk)
    _open_ticket(second, desk)
    page.get_by_label("Subject").fill("Refund for the Lisbon trip")
    page.get_by_label("Priority").select_option("low")

    second.get_by_label("Priority").select_option("high")
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_text("Ticket updated.")).to_be_visible()

    # Both changed the priority: the live page marks the clash and keeps the old version.
    expect(page.get_by_label("Priority")).to_have_class(re.compile("live-clash"), timeout=10000)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Changed since you opened it")).to_be_visible()
    expect(page.get_by_label("Subject")).to_have_value("Refund for the Lisbon trip")
    # The field we both changed shows the colleague's value, marked; I decide there again.
    expect(page.get_by_label("Priority")).to_have_value("high")
    expect(page.locator(".field-changed")).to_contain_text("Priority")
    screenshot(page, "live-stale.png", full_page=True)
