"""An admin deletes a spam ticket from its page: a confirmation page says what goes, the ticket
is gone, the deletion record stays on the admins' page; agents are offered no delete."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from supportdesk.extensions import db
from supportdesk.tickets.deletions import TicketDeletion
from tests.e2e.conftest import persist, start_session
from tests.factories import make_ticket


def test_an_admin_deletes_a_ticket_after_confirming_and_the_record_stays(page: Page, desk) -> None:
    spam = make_ticket(desk.org, subject="You won a cruise", tags=["spam"])
    persist()
    number = spam.number
    start_session(page, desk.admin)

    page.goto(f"/tickets/{number}")
    page.get_by_role("link", name="Delete ticket…").click()
    expect(page.get_by_role("heading", name=f"Delete ticket #{number}?")).to_be_visible()
    expect(page.get_by_text("cannot be undone")).to_be_visible()
    page.get_by_label("Reason (kept in the deletion record)").fill("Spam campaign")
    page.get_by_role("button", name=f"Delete ticket #{number} permanently").click()

    expect(page.get_by_text(f"Ticket #{number} deleted.")).to_be_visible()
    assert page.goto(f"/tickets/{number}").status == 404
    page.goto("/")
    page.get_by_role("link", name="Deleted tickets").click()
    row = page.get_by_role("row").filter(has_text=f"#{number} You won a cruise")
    expect(row.get_by_text("Spam campaign")).to_be_visible()
    expect(row.get_by_text(desk.admin.name)).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(db.select(TicketDeletion.reason)) == "Spam campaign"


def test_keeping_the_ticket_deletes_nothing(page: Page, desk) -> None:
    start_session(page, desk.admin)
    page.goto(f"/tickets/{desk.ticket.number}/delete")
    page.get_by_role("link", name="Keep it").click()

    expect(page).to_have_url(f"/tickets/{desk.ticket.number}")
    assert db.session.scalar(db.select(db.func.count()).select_from(TicketDeletion)) == 0


def test_an_agent_is_offered_no_delete_and_is_refused_one(page: Page, desk) -> None:
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()
    expect(page.get_by_role("link", name="Delete ticket…")).to_have_count(0)

    assert page.goto(f"/tickets/{desk.ticket.number}/delete").status == 403
