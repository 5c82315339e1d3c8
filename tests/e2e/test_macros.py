"""Canned replies and macros in a browser, as agents use them: `#` in the composer inserts a
canned reply rendered for the ticket; an admin defines a macro, an agent applies it and reads its
changes as one group in the history."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from supportdesk.extensions import db
from supportdesk.macros import service
from supportdesk.tickets.models import Message, Status
from tests.e2e.conftest import Desk, persist, start_session


def canned(page: Page):
    """The composer's list of canned replies."""
    return page.get_by_role("listbox", name="Canned replies")


def test_an_agent_types_hash_ref_and_inserts_the_canned_reply(page: Page, desk: Desk) -> None:
    service.create_reply(
        desk.admin,
        title="Refund approved",
        body="Hi {{ customer.first_name }}, your refund for #{{ ticket.number }} is on its way.",
        shared=True,
    )
    service.create_reply(desk.agent, title="Password reset", body="Use the link we sent.")
    persist()
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")

    box = page.get_by_role("textbox", name="Message")
    box.click()
    box.press_sequentially("Hello.\n#ref")
    options = canned(page).get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Refund approved")
    expect(box).to_have_attribute("aria-controls", "body-canned")
    box.press("Enter")

    expected = f"Hello.\nHi Aisha, your refund for #{desk.ticket.number} is on its way."
    expect(box).to_have_value(expected)
    expect(page.get_by_role("listbox", name="Canned replies")).to_be_hidden()

    # Escape closes the list and leaves the text as typed.
    box.press_sequentially(" #pass")
    expect(canned(page).get_by_role("option")).to_have_count(1)
    box.press("Escape")
    expect(canned(page).get_by_role("option")).to_have_count(0)
    expect(box).to_have_value(expected + " #pass")

    box.fill(expected)
    page.get_by_role("button", name="Send reply to Aisha Bianchi", exact=True).click()
    expect(page.get_by_text("Reply sent to the customer.")).to_be_visible()
    sent = db.session.scalars(db.select(Message.body_text).order_by(Message.id.desc())).first()
    assert sent == expected


def test_arrow_keys_choose_among_several_replies(page: Page, desk: Desk) -> None:
    service.create_reply(desk.admin, title="Refund approved", body="Approved.", shared=True)
    service.create_reply(desk.admin, title="Refund declined", body="Declined.", shared=True)
    persist()
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    box = page.get_by_role("textbox", name="Message")
    box.click()
    box.press_sequentially("#refund")
    expect(canned(page).get_by_role("option")).to_have_count(2)
    expect(canned(page).get_by_role("option", selected=True)).to_contain_text("Refund approved")
    box.press("ArrowDown")
    expect(canned(page).get_by_role("option", selected=True)).to_contain_text("Refund declined")
    box.press("Enter")
    expect(box).to_have_value("Declined.")


def test_an_admin_creates_a_macro_and_an_agent_applies_it(page: Page, desk: Desk) -> None:
    start_session(page, desk.admin)
    page.goto("/admin/macros")
    page.get_by_role("link", name="Add macro").click()
    page.get_by_label("Name").fill("Refund approved")
    page.get_by_label("Text to add").fill("Hi {{ customer.first_name }}, the refund is on its way.")
    page.get_by_label("Add the text as").select_option(label="Public reply to the customer")
    page.get_by_label("Set status").select_option(label="Pending")
    page.get_by_label("Set priority").select_option(label="High")
    page.get_by_label("Add tags").fill("refund, billing")
    page.get_by_role("button", name="Add macro").click()
    expect(page.get_by_text("Macro “Refund approved” saved.")).to_be_visible()
    expect(page.get_by_role("cell", name="Refund approved", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_label("Macro", exact=True).select_option(label="Refund approved")
    page.get_by_role("button", name="Apply macro").click()
    expect(page.get_by_text("Macro “Refund approved” applied.")).to_be_visible()

    expect(page.locator("article .message-body").last).to_have_text(
        "Hi Aisha, the refund is on its way."
    )
    history = page.get_by_role("list", name="Changes of the macro Refund approved")
    expect(history).to_contain_text("changed the status from Open to Pending")
    expect(history).to_contain_text("changed the priority from Medium to High")
    expect(history).to_contain_text("changed the tags")
    expect(history).to_contain_text("replied to the customer")
    expect(page.get_by_text("applied the macro Refund approved")).to_be_visible()
    db.session.expire_all()
    assert desk.ticket.status is Status.PENDING


def test_a_macro_the_ticket_refuses_says_why_and_changes_nothing(page: Page, desk: Desk) -> None:
    service.create_macro(desk.admin, name="Reopen", status="open", reply_body="Reopened.")
    desk.ticket.status = Status.CLOSED
    persist()
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_label("Macro", exact=True).select_option(label="Reopen")
    page.get_by_role("button", name="Apply macro").click()
    expect(page.locator(".alert-error")).to_contain_text("cannot do this")
    db.session.expire_all()
    assert desk.ticket.status is Status.CLOSED
