"""An agent's day in the browser: open a ticket, reply, note, change properties, search, filter,
page through the queue, and work on one ticket with a colleague at the same time."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from supportdesk.extensions import db
from supportdesk.tickets.models import Priority, Status, Ticket
from tests import factories
from tests.e2e.conftest import Desk, persist, start_session


@pytest.fixture
def mail_dir(desk: Desk, e2e_app, tmp_path: Path) -> Iterator[Path]:
    """This test's own mail folder, set after the desk's mail went out.

    The shared folder names files by email id, and ids restart with every test's empty tables.
    """
    saved = e2e_app.config["MAIL_DIR"]
    e2e_app.config["MAIL_DIR"] = str(tmp_path)
    yield tmp_path
    e2e_app.config["MAIL_DIR"] = saved


def mail_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("**/*.eml"))


def read_ticket(number: int) -> dict:
    """The ticket row as committed (read afresh, not from the test's identity map)."""
    with db.engine.connect() as connection:
        row = connection.execute(sa.select(Ticket.__table__).where(Ticket.number == number))
        return dict(row.mappings().one())


def history(page: Page):
    return page.get_by_role("region", name="History")


def test_an_agent_logs_a_phone_call_as_a_new_ticket(page: Page, desk: Desk) -> None:
    start_session(page, desk.agent)
    page.goto("/")
    page.get_by_role("link", name="New ticket").click()
    page.get_by_label("Customer email").fill("noah.keller@alpine-rail.example")
    page.get_by_label("Customer name").fill("Noah Keller")
    page.get_by_label("Subject").fill("Seat reservation missing on ticket AR-5521")
    page.get_by_label("What the customer needs").fill(
        "Called at 10:05.\nHe needs a seat for Friday."
    )
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("Team").select_option(label="Billing")
    page.get_by_label("Assignee").select_option(label="Alex Agent")
    page.get_by_label("Tags").fill("phone, rail")
    page.get_by_role("button", name="Open ticket").click()

    expect(page.get_by_role("status")).to_contain_text("Ticket #2 opened.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Seat reservation missing")
    expect(page.get_by_label("Priority")).to_have_value("high")
    expect(page.get_by_label("Assignee")).to_have_value(str(desk.agent.id))
    expect(page.get_by_label("Team")).to_have_value(str(desk.team.id))
    expect(page.get_by_label("Tags")).to_have_value("phone, rail")
    expect(history(page)).to_contain_text("Alex Agent opened the ticket")


def test_a_public_reply_is_shown_and_its_email_lands_in_the_mail_folder(
    page: Page, desk: Desk, mail_dir: Path
) -> None:
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_label("Message").fill("Hello Aisha,\nthe refund left our bank today.")
    page.get_by_role("button", name="Send reply to Aisha Bianchi", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Reply sent to the customer.")
    reply = page.locator("article.message").last
    expect(reply).to_contain_text("the refund left our bank today.")
    expect(reply).to_contain_text("Reply to customer")
    expect(history(page)).to_contain_text("Alex Agent replied to the customer")
    [eml] = mail_files(mail_dir)
    sent = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert sent["To"].addresses[0].addr_spec == "aisha.bianchi@driftwood-travel.example"
    assert "the refund left our bank today." in sent.get_body(("plain",)).get_content()


def test_an_internal_note_is_shown_to_agents_and_emails_nobody(
    page: Page, desk: Desk, mail_dir: Path
) -> None:
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_role("radio", name="Internal note").check()
    page.get_by_label("Message").fill("Finance says the refund batch runs on Thursdays.")
    page.get_by_role("button", name="Add internal note").click()

    expect(page.get_by_role("status")).to_contain_text("Internal note added.")
    note = page.locator("article.message-internal")
    expect(note).to_contain_text("refund batch runs on Thursdays")
    expect(note).to_contain_text("Internal note")
    expect(history(page)).to_contain_text("Alex Agent added an internal note")
    assert mail_files(mail_dir) == []


def test_property_changes_are_saved_and_appear_in_the_history(page: Page, desk: Desk) -> None:
    factories.TeamFactory(organization=desk.org, name="Escalations", members=[desk.senior])
    persist()
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_label("Status").select_option(label="Pending")
    page.get_by_label("Priority").select_option(label="Critical")
    page.get_by_label("Assignee").select_option(label="Sam Senior")
    page.get_by_label("Team").select_option(label="Escalations")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status")).to_contain_text("Ticket updated.")
    events = history(page)
    expect(events).to_contain_text("changed the status from Open to Pending")
    expect(events).to_contain_text("changed the priority from Medium to Critical")
    expect(events).to_contain_text("changed the assignee from none to Sam Senior")
    expect(events).to_contain_text("changed the team from Billing to Escalations")
    row = read_ticket(desk.ticket.number)
    assert (row["status"], row["priority"]) == (Status.PENDING, Priority.CRITICAL)
    assert row["assignee_id"] == desk.senior.id


def test_the_search_box_finds_a_ticket_by_a_word_of_its_conversation(
    page: Page, desk: Desk
) -> None:
    factories.make_ticket(desk.org, subject="Invoice address is wrong", body="Please fix it.")
    persist()
    start_session(page, desk.agent)
    page.goto("/")
    search = page.get_by_role("searchbox", name="Search tickets")
    search.fill("refund")
    search.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for “refund”")
    expect(page.get_by_role("link", name="Refund for a cancelled booking")).to_be_visible()
    expect(page.get_by_text("Invoice address is wrong")).to_have_count(0)


def test_a_queue_filter_narrows_the_list(page: Page, desk: Desk) -> None:
    factories.make_ticket(desk.org, subject="Site down for everyone", priority=Priority.CRITICAL)
    factories.make_ticket(desk.org, subject="Typo in the footer", priority=Priority.LOW)
    persist()
    start_session(page, desk.agent)
    page.goto("/")
    page.get_by_role("link", name="All open").click()
    rows = page.locator("table.tickets tbody tr")
    expect(rows).to_have_count(3)
    # The rows are there as soon as the HTML is parsed; the page's (deferred) scripts, which
    # make a select submit the filter bar, have run by the load event.
    page.wait_for_load_state("load")

    # The filter bar submits when a select changes.
    page.locator("form.filters select[name=priority]").select_option(label="Critical")

    expect(page).to_have_url(re.compile(r"[?&]priority=critical"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Site down for everyone")


@pytest.fixture
def page_size_two(e2e_app) -> Iterator[None]:
    """Two tickets a page, so a handful of tickets makes three pages."""
    saved = e2e_app.config["PAGE_SIZE"]
    e2e_app.config["PAGE_SIZE"] = 2
    yield
    e2e_app.config["PAGE_SIZE"] = saved


def test_pagination_moves_to_the_next_page_and_back(
    page: Page, desk: Desk, page_size_two: None
) -> None:
    for n in range(4):
        factories.make_ticket(desk.org, subject=f"Luggage claim {n}")
    persist()
    start_session(page, desk.agent)
    page.goto("/")
    page.get_by_role("link", name="All tickets").click()
    subjects = page.locator("table.tickets td.col-subject > a")
    expect(subjects).to_have_count(2)
    first_page = subjects.all_inner_texts()

    page.get_by_role("link", name="Next →").click()
    expect(subjects).to_have_count(2)
    second_page = subjects.all_inner_texts()
    assert not set(first_page) & set(second_page)

    page.get_by_role("link", name="← Previous").click()
    expect(subjects).to_have_count(2)
    assert subjects.all_inner_texts() == first_page


def test_a_colleagues_save_in_between_reaches_my_form_live_and_both_stand(
    page: Page, desk: Desk, browser: Browser, browser_context_args: dict
) -> None:
    number = desk.ticket.number
    start_session(page, desk.agent)
    page.goto(f"/tickets/{number}")
    colleague = browser.new_context(**browser_context_args).new_page()
    start_session(colleague, desk.senior)
    colleague.goto(f"/tickets/{number}")

    # The agent raises the priority and saves first.
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Ticket updated.")

    # The colleague's open page follows (the live console): the new priority and version...
    expect(colleague.get_by_label("Priority")).to_have_value("high")
    colleague.get_by_label("Assignee").select_option(label="Sam Senior")
    colleague.get_by_label("Status").select_option(label="Pending")
    colleague.get_by_role("button", name="Save changes").click()

    # ...so their save is not refused needlessly, and nothing of either is lost. (A save from a
    # page that did not follow is refused and merged per field: test_live, tests/console.)
    expect(colleague.get_by_role("status")).to_contain_text("Ticket updated.")
    row = read_ticket(number)
    assert (row["priority"], row["assignee_id"], row["status"]) == (
        Priority.HIGH,
        desk.senior.id,
        Status.PENDING,
    )
    colleague.context.close()


@pytest.mark.parametrize(
    ("who", "width", "rows"),
    [
        ("agent", 1280, 2),
        # An admin's fifteen links: one row of them at 1,440 px, two at 1,280 (then the bar is
        # taller than the stylesheet's 7rem, and app.js pads by its height).
        ("admin", 1440, 2),
        ("admin", 1280, 3),
    ],
)
def test_a_jump_to_the_composer_lands_below_the_sticky_top_bar(
    page: Page, desk: Desk, who: str, width: int, rows: int
) -> None:
    """`scroll-padding-top`: an anchor (and the `r`/`n` keys) scroll the composer into view
    below the top bar, not under it."""
    start_session(page, getattr(desk, who))
    page.set_viewport_size({"width": width, "height": 600})
    page.goto(f"/tickets/{desk.ticket.number}#composer")
    bar = page.locator(".topbar").bounding_box()
    composer = page.locator("#composer").bounding_box()
    assert bar is not None and composer is not None
    assert composer["y"] >= bar["y"] + bar["height"] - 1
    # The bar's rows: its links' rows, plus the search and the buttons below them.
    link_rows = page.evaluate(
        "() => new Set([...document.querySelectorAll('.topnav a')]"
        ".map((a) => Math.round(a.getBoundingClientRect().top))).size"
    )
    assert link_rows + 1 == rows
