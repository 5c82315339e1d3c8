"""An agent merges a duplicate ticket into the first one from the console and follows the link
back; then splits a message that is really a new question off into its own ticket."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from supportdesk.tickets import service
from tests.e2e.conftest import persist, start_session
from tests.factories import make_ticket


def test_an_agent_merges_a_duplicate_and_follows_the_link(page: Page, desk) -> None:
    duplicate = make_ticket(
        desk.org,
        customer=desk.customer,
        subject="Where is my refund?",
        body="Writing again about the refund for my cancelled booking.",
    )
    persist()
    first, second = desk.ticket.number, duplicate.number
    start_session(page, desk.agent)

    page.goto(f"/tickets/{second}")
    page.get_by_role("link", name="Merge into another ticket…").click()
    expect(page.get_by_role("heading", name=f"Merge ticket #{second} into…")).to_be_visible()
    page.get_by_role("link", name=f"#{first} Refund for a cancelled booking").click()

    expect(page.get_by_role("heading", name=f"Merge #{second} into #{first}?")).to_be_visible()
    expect(page.get_by_label(f"Ticket #{first}")).to_contain_text("Keeps both conversations")
    expect(page.get_by_label(f"Ticket #{second}")).to_contain_text(
        f"Closes, with a link to #{first}"
    )
    page.get_by_role("button", name=f"Merge #{second} into #{first}").click()

    expect(page.get_by_text(f"Ticket #{second} was merged into #{first}.")).to_be_visible()
    expect(page).to_have_url(f"/tickets/{first}")
    conversation = page.get_by_role("region", name="Conversation")
    expect(conversation.get_by_text("Writing again about the refund")).to_be_visible()
    page.get_by_role("link", name=f"#{second}", exact=True).click()

    expect(page).to_have_url(f"/tickets/{second}")
    expect(page.get_by_text("This ticket was merged into")).to_be_visible()
    expect(page.get_by_role("link", name="Merge into another ticket…")).to_have_count(0)
    page.get_by_role("link", name=f"#{first} Refund for a cancelled booking").first.click()
    expect(page).to_have_url(f"/tickets/{first}")


def test_an_agent_splits_a_new_question_off(page: Page, desk) -> None:
    service.customer_reply(desk.ticket, desk.customer, "Also: can I change my seat on the return?")
    persist()
    number = desk.ticket.number
    start_session(page, desk.agent)

    page.goto(f"/tickets/{number}")
    question = page.locator("article.message").filter(has_text="change my seat")
    question.get_by_role("link", name="Split into a new ticket…").click()

    expect(
        page.get_by_role("heading", name="Split this message into a new ticket?")
    ).to_be_visible()
    subject = page.get_by_label("Subject of the new ticket")
    expect(subject).to_have_value("Also: can I change my seat on the return?")
    subject.fill("Seat change on the return flight")
    page.get_by_role("button", name="Split into a new ticket").click()

    expect(page.get_by_text(f"(split off #{number})")).to_be_visible()
    expect(page.get_by_role("heading", name="Seat change on the return flight")).to_be_visible()
    expect(page.get_by_text("can I change my seat")).to_be_visible()
    page.get_by_role("link", name=f"#{number}", exact=True).click()
    expect(page).to_have_url(f"/tickets/{number}")
    expect(page.locator("article.message").filter(has_text="change my seat")).to_have_count(0)


def test_a_viewer_is_offered_neither(page: Page, desk) -> None:
    start_session(page, desk.viewer)
    page.goto(f"/tickets/{desk.ticket.number}")
    expect(page.get_by_role("heading", name="Details")).to_be_visible()
    expect(page.get_by_role("link", name="Merge into another ticket…")).to_have_count(0)
    expect(page.get_by_role("link", name="Split into a new ticket…")).to_have_count(0)
    assert page.goto(f"/tickets/{desk.ticket.number}/merge").status == 403
