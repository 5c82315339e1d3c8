"""The composer and the keyboard in the browser, as an agent uses them: the reply ⇄ note switch,
drafts that survive a reload, Cc, Markdown preview, send-and-next, and the shortcuts."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from supportdesk.extensions import db
from supportdesk.tickets.models import Message, MessageKind, Status
from tests import factories
from tests.e2e.conftest import Desk, persist, start_session


@pytest.fixture
def mail_dir(desk: Desk, e2e_app, tmp_path: Path) -> Iterator[Path]:
    """This test's own mail folder (email ids restart with every test's empty tables)."""
    saved = e2e_app.config["MAIL_DIR"]
    e2e_app.config["MAIL_DIR"] = str(tmp_path)
    yield tmp_path
    e2e_app.config["MAIL_DIR"] = saved


def composer(page: Page):
    return page.locator("#composer")


def test_switching_to_note_mode_changes_colour_heading_and_button(page: Page, desk: Desk) -> None:
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    box = composer(page)
    send = page.get_by_role("button", name="Send reply to Aisha Bianchi", exact=True)
    expect(send).to_be_visible()
    expect(box).to_have_class(re.compile(r"\bcomposer-public\b"))
    expect(box.get_by_text("aisha.bianchi@driftwood-travel.example")).to_be_visible()
    reply_colour = box.evaluate("el => getComputedStyle(el).backgroundColor")

    page.get_by_role("radio", name="Internal note").check()

    expect(box).to_have_class(re.compile(r"\bcomposer-internal\b"))
    expect(page.get_by_role("heading", name=re.compile("Internal note"))).to_be_visible()
    expect(page.get_by_role("button", name="Add internal note")).to_be_visible()
    expect(send).to_have_count(0)
    expect(page.get_by_label("Cc")).to_be_hidden()
    assert box.evaluate("el => getComputedStyle(el).backgroundColor") != reply_colour


def _mouse_click(page: Page, selector: str) -> None:
    """A click where the pointer is, as a person gives it: no actionability check, no retargeting
    to the element Playwright was asked about. The point must be on a mode radio itself.

    The point is taken once the element has held still for a poll (the live stream may still be
    merging the page's own change above the composer), so the check and the click see one layout.
    """
    find_point = """(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        const point = [box.x + box.width / 2, box.y + box.height / 2];
        const under = document.elementFromPoint(point[0], point[1]);
        const still = window.lastPointOf === selector + point.join(",");
        window.lastPointOf = selector + point.join(",");
        return still ? {point: point, under: under ? under.name || under.tagName : null} : null;
    }"""
    found = page.wait_for_function(find_point, arg=selector, polling=100).json_value()
    under = found["under"]
    assert under == "kind", f"the click at the pill {selector} lands on a {under!r}, not the radio"
    page.mouse.click(*found["point"])


def _kinds_of_messages(ticket_id: int) -> list[str]:
    """The committed kinds of the ticket's messages, oldest first."""
    with db.engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(Message.kind).where(Message.ticket_id == ticket_id).order_by(Message.id)
            ).scalars()
        )


def test_a_click_anywhere_on_a_mode_pill_picks_that_kind_and_sends_it(
    page: Page, desk: Desk, mail_dir: Path
) -> None:
    # The radios are invisible, each covering its pill: a click on the pill's text or its key
    # hint must pick that mode, and the form must post the kind the pill shows.
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    before = _kinds_of_messages(desk.ticket.id)

    _mouse_click(page, ".mode-option-internal kbd")
    expect(page.get_by_role("radio", name="Internal note")).to_be_checked()
    page.get_by_label("Message").fill("Waiting on finance, do not promise a date.")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.get_by_role("status")).to_contain_text("Internal note added.")
    assert _kinds_of_messages(desk.ticket.id) == [*before, MessageKind.INTERNAL]
    assert list(mail_dir.glob("**/*.eml")) == []

    _mouse_click(page, ".mode-option-internal")  # stays a note
    expect(page.get_by_role("radio", name="Internal note")).to_be_checked()
    _mouse_click(page, ".mode-option-public")
    expect(page.get_by_role("radio", name="Reply to customer")).to_be_checked()
    page.get_by_label("Message").fill("The refund is on its way.")
    page.get_by_role("button", name="Send reply to Aisha Bianchi", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Reply sent")
    kinds = [*before, MessageKind.INTERNAL, MessageKind.PUBLIC]
    assert _kinds_of_messages(desk.ticket.id) == kinds
    assert len(list(mail_dir.glob("**/*.eml"))) == 1


def test_a_draft_survives_a_reload_and_is_cleared_by_sending(page: Page, desk: Desk) -> None:
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_role("radio", name="Internal note").check()
    page.get_by_label("Message").fill("Checking with **finance** first.")
    expect(composer(page)).to_contain_text("Draft saved")

    page.reload()
    expect(page.get_by_label("Message")).to_have_value("Checking with **finance** first.")
    expect(page.get_by_role("radio", name="Internal note")).to_be_checked()

    page.get_by_role("button", name="Add internal note").click()
    note = page.locator("article.message-internal")
    expect(note.locator(".message-body strong")).to_have_text("finance")
    page.reload()
    expect(page.get_by_label("Message")).to_have_value("")


def test_the_preview_renders_markdown_safely(page: Page, desk: Desk) -> None:
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_label("Message").fill("- **one**\n- [site](https://example.com)\n\n<b>raw</b>")
    page.get_by_role("tab", name="Preview").click()
    preview = page.locator("[data-composer-preview]")
    expect(preview.locator("li strong")).to_have_text("one")
    expect(preview.locator("a")).to_have_attribute("rel", "noopener nofollow")
    expect(preview).to_contain_text("<b>raw</b>")
    page.get_by_role("tab", name="Write").click()
    expect(page.get_by_label("Message")).to_be_focused()


def test_a_reply_with_cc_is_emailed_with_cc(page: Page, desk: Desk, mail_dir: Path) -> None:
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_label("Cc").fill("not-an-address")
    page.get_by_label("Message").fill("Your **refund** is on its way.")
    page.get_by_role("button", name="Send reply to Aisha Bianchi", exact=True).click()
    expect(page.locator("#cc-error")).to_contain_text("not-an-address is not a valid email")
    expect(page.get_by_label("Message")).to_have_value("Your **refund** is on its way.")

    page.get_by_label("Cc").fill("marco.rossi@driftwood-travel.example")
    page.get_by_role("button", name="Send reply to Aisha Bianchi", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Reply sent to the customer.")
    reply = page.locator("article.message-agent").last
    expect(reply).to_contain_text("Cc: marco.rossi@driftwood-travel.example")
    expect(page.get_by_role("region", name="History")).to_contain_text(
        "replied to the customer (Cc marco.rossi@driftwood-travel.example)"
    )
    expect(reply.locator(".message-body strong")).to_have_text("refund")
    [eml] = sorted(mail_dir.glob("**/*.eml"))
    sent = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert sent["To"].addresses[0].addr_spec == "aisha.bianchi@driftwood-travel.example"
    assert [a.addr_spec for a in sent["Cc"].addresses] == ["marco.rossi@driftwood-travel.example"]
    assert "<strong>refund</strong>" in sent.get_body(("html",)).get_content()
    assert "Your refund is on its way." in sent.get_body(("plain",)).get_content()


def test_send_and_next_opens_the_next_ticket_of_the_queue(page: Page, desk: Desk) -> None:
    second = factories.make_ticket(desk.org, subject="Second in line", assignee=desk.agent)
    first = factories.make_ticket(desk.org, subject="First in line", assignee=desk.agent)
    persist()
    start_session(page, desk.agent)
    page.goto("/?queue=mine&sort=number&dir=desc")
    page.get_by_role("link", name="First in line").click()
    page.get_by_label("Message").fill("Done here.")
    page.get_by_role("button", name="Send and go to next ticket").click()

    expect(page).to_have_url(re.compile(rf"/tickets/{second.number}\b"))
    expect(page.get_by_role("status")).to_contain_text(f"Next: #{second.number}")
    assert first.number != second.number


def test_a_reply_on_a_closed_ticket_says_what_will_happen(page: Page, desk: Desk) -> None:
    factories.make_ticket(desk.org, subject="Old one", status=Status.CLOSED)
    persist()
    start_session(page, desk.agent)
    page.goto("/?queue=closed")
    page.get_by_role("link", name="Old one").click()
    expect(composer(page)).to_contain_text("their mail opens a new ticket")


def test_keyboard_moves_opens_replies_and_lists_shortcuts(page: Page, desk: Desk) -> None:
    factories.make_ticket(desk.org, subject="Another ticket")
    persist()
    start_session(page, desk.agent)
    page.goto("/")
    rows = page.locator("table.tickets tbody tr")
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile("is-selected"))
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("is-selected"))
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile("is-selected"))
    subject = rows.nth(0).locator(".col-subject a").inner_text()

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Show this list")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(subject)
    page.wait_for_load_state("load")  # the scripts run once the page is parsed
    page.keyboard.press("n")
    expect(page.get_by_label("Message")).to_be_focused()
    expect(page.get_by_role("radio", name="Internal note")).to_be_checked()
    page.keyboard.type("r and n typed here stay text")
    expect(page.get_by_role("radio", name="Internal note")).to_be_checked()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status")).to_contain_text("Internal note added.")
    page.wait_for_load_state("load")

    page.keyboard.press("r")
    expect(page.get_by_role("radio", name="Reply to customer")).to_be_checked()
    expect(page.get_by_label("Message")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search tickets")).to_be_focused()
