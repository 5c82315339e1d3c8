"""Mentions and the bell in the browser: one agent mentions a colleague in a note; the colleague
signs in, sees the unread count, opens the notification and it is read."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from supportdesk.extensions import db
from supportdesk.notifications import queries
from tests.e2e.conftest import Desk, start_session


def bell(page: Page):
    return page.locator("a.bell-link")


def test_a_mention_reaches_the_colleague_through_the_bell(page: Page, desk: Desk) -> None:
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    message = page.get_by_label("Message")
    message.click()
    message.press_sequentially("Refund approved? @sam")
    picker = page.get_by_role("listbox")
    expect(picker.get_by_role("option")).to_have_count(1)
    expect(picker).to_contain_text("Sam Senior")
    message.press("Enter")  # picks the highlighted colleague, inserts the handle
    handle = desk.senior.email.split("@")[0]
    expect(message).to_have_value(f"Refund approved? @{handle} ")
    message.press_sequentially("please confirm")
    page.get_by_role("radio", name="Internal note").check()
    page.get_by_role("button", name="Add internal note").click()

    expect(page.get_by_role("status")).to_contain_text("Internal note added.")
    expect(page.locator("article.message-internal .mention")).to_have_text(f"@{handle}")
    expect(bell(page)).to_contain_text("0 unread")  # Alex is not told of his own note
    page.get_by_role("button", name="Sign out").click()

    start_session(page, desk.senior)
    page.goto("/")
    expect(bell(page)).to_contain_text("Notifications, 1 unread")
    bell(page).click()
    menu = page.locator("[data-bell-menu]")
    expect(menu).to_be_visible()
    item = menu.get_by_role("button", name="Alex Agent mentioned you")
    expect(item).to_contain_text(f"#{desk.ticket.number}")
    item.click()

    expect(page).to_have_url(f"/tickets/{desk.ticket.number}")
    expect(page.locator("article.message-internal").last).to_contain_text("please confirm")
    expect(bell(page)).to_contain_text("Notifications, 0 unread")
    db.session.expire_all()
    assert queries.unread_count(desk.senior.id) == 0


def test_the_bell_and_the_list_work_without_script(browser: Browser, desk: Desk, base_url) -> None:
    from supportdesk.tickets import service as tickets

    handle = desk.senior.email.split("@")[0]
    for n in range(2):
        tickets.add_note(desk.agent, desk.ticket, f"@{handle} check {n}")
    db.session.commit()
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        start_session(page, desk.senior)
        page.goto("/")
        bell(page).click()  # a plain link: the list page
        expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
        rows = page.locator("li.notification")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("check 1")  # newest first
        rows.first.get_by_role("button", name="Mark read").click()
        expect(page.get_by_role("status")).to_contain_text("Notification marked read.")
        expect(bell(page)).to_contain_text("Notifications, 1 unread")
        page.get_by_role("button", name="Mark all read").click()
        expect(bell(page)).to_contain_text("Notifications, 0 unread")
        expect(page.locator("li.notification.is-unread")).to_have_count(0)
    finally:
        context.close()
