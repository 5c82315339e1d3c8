"""The customer's side in a real browser: a customer asks for a sign-in link, follows it from the
mail, reads and answers their request with a file, and closes it; a visitor sends the contact
form; a customer rates a resolution from the email and adds a comment the agent then sees."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Channel, Status, Ticket
from tests.e2e.conftest import LiveServer, persist, screenshot, start_session
from tests.e2e.pages.test_accessibility import violations

SIGN_IN = re.compile(r"https?://\S+/help/[\w-]+/portal/link/[\w-]+")
RATE = re.compile(r"Good: (https?://\S+/portal/rate/\S+/good)")


def _mail_text(live_server: LiveServer, to: str, kind: str) -> str:
    """The plain text of the newest `kind` email to `to`, as it was written to the mail folder."""
    db.session.rollback()  # see what the server's threads committed
    email_id = db.session.scalar(
        sa.select(EmailMessage.id)
        .where(EmailMessage.to_address == to, EmailMessage.kind == kind)
        .order_by(EmailMessage.id.desc())
    )
    raw = (Path(live_server.app.config["MAIL_DIR"]) / f"email-{email_id}.eml").read_bytes()
    return message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()


def test_a_customer_signs_in_by_mail_replies_with_a_file_and_closes(
    page: Page, desk, live_server: LiveServer, tmp_path
) -> None:
    tickets.add_note(desk.agent, desk.ticket, "Internal: refund is stuck in finance")
    tickets.reply(desk.agent, desk.ticket, "We have asked finance; can you send the receipt?")
    persist()
    page.goto("/help/acme/portal/")
    page.get_by_label("Email").fill(desk.customer.email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_text("we sent it a sign-in link")).to_be_visible()
    screenshot(page, "portal-sign-in.png")
    assert violations(page) == []

    link = SIGN_IN.search(_mail_text(live_server, desk.customer.email, "portal_sign_in")).group(0)
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    screenshot(page, "portal-list.png", full_page=True)
    assert violations(page) == []
    page.get_by_role("link", name="Refund for a cancelled booking").click()
    expect(page.get_by_text("can you send the receipt?")).to_be_visible()
    expect(page.get_by_text("refund is stuck in finance")).to_have_count(0)

    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    page.get_by_label("Your reply").fill("Here is the receipt.")
    page.get_by_label("Attach files").set_input_files(str(receipt))
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply was added")).to_be_visible()
    expect(page.get_by_role("link", name="receipt.pdf")).to_be_visible()
    screenshot(page, "portal-ticket.png", full_page=True)
    assert violations(page) == []

    page.get_by_role("button", name="Close this request").click()
    expect(page.get_by_text("Your request is closed")).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_count(0)
    db.session.rollback()
    ticket = db.session.get(Ticket, desk.ticket.id)
    assert ticket.status is Status.CLOSED


@pytest.fixture
def no_time_trap(live_server: LiveServer, monkeypatch):
    """A browser fills the form faster than a person: the time trap's own tests are elsewhere."""
    monkeypatch.setitem(live_server.app.config, "CONTACT_MIN_SECONDS", 0)


def test_a_visitor_opens_a_request_with_the_contact_form(
    page: Page, desk, live_server: LiveServer, no_time_trap
) -> None:
    page.goto("/help/acme/portal/contact")
    expect(page.get_by_role("heading", name="Contact Acme Support")).to_be_visible()
    page.get_by_label("Your name").fill("Pat Visitor")
    page.get_by_label("Email").fill("pat@visitor.example")
    page.get_by_label("Subject").fill("Invoice address is wrong")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("How can we help?").fill("Please change the invoice address to Lisbon.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("We received your request")).to_be_visible()
    screenshot(page, "portal-contact.png", full_page=True)
    assert violations(page) == []
    db.session.rollback()
    ticket = db.session.scalars(
        sa.select(Ticket).where(Ticket.subject == "Invoice address is wrong")
    ).one()
    assert ticket.channel is Channel.WEB
    confirmation = _mail_text(live_server, "pat@visitor.example", "ticket_acknowledged")
    assert f"received as ticket #{ticket.number}" in confirmation


def test_a_customer_rates_from_the_email_and_the_agent_sees_it(
    page: Page, desk, live_server: LiveServer
) -> None:
    tickets.change_status(desk.agent, desk.ticket, Status.RESOLVED)
    persist()
    link = RATE.search(_mail_text(live_server, desk.customer.email, "ticket_resolved")).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Thank you for your rating!")).to_be_visible()
    page.get_by_label("Anything you would like to add?").fill("Quick and kind, thanks!")
    page.get_by_role("button", name="Send comment").click()
    expect(page.get_by_text("Thank you for your comment!")).to_be_visible()
    screenshot(page, "portal-rating.png", full_page=True)
    assert violations(page) == []

    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    card = page.get_by_role("region", name="Satisfaction")
    expect(card.get_by_text("Good")).to_be_visible()
    expect(card.get_by_text("Quick and kind, thanks!")).to_be_visible()
    expect(page.get_by_text("rated the resolution")).to_be_visible()
    screenshot(page, "portal-console-rating.png", full_page=True)


def test_an_admin_sets_the_survey_delay_and_sees_the_embed_snippet(page: Page, desk) -> None:
    start_session(page, desk.admin)
    page.goto("/admin/organization")
    page.get_by_role("link", name="portal and survey settings").click()
    expect(page.get_by_role("heading", name="Customer portal and surveys")).to_be_visible()
    expect(page.get_by_text('<iframe src="')).to_be_visible()
    page.get_by_label("Send the survey after (hours)").fill("-3")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".field-error")).to_be_visible()
    page.get_by_label("Send the survey after (hours)").fill("24")
    page.get_by_label("Customers see the requests of their whole company").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Portal and survey settings saved.")).to_be_visible()
    expect(page.get_by_label("Send the survey after (hours)")).to_have_value("24")
    screenshot(page, "portal-admin.png", full_page=True)
    db.session.rollback()
    from supportdesk.selfservice.service import settings_for

    saved = settings_for(desk.org.id)
    assert (saved.csat_delay_hours, saved.company_tickets) == (24, True)


def test_the_embeddable_form_works_framed_by_another_site(
    page: Page, desk, live_server: LiveServer, no_time_trap, httpserver
) -> None:
    embed = f"{live_server.url}/help/acme/portal/contact/embed"
    # Another site (a real server of its own, on another port) frames the form.
    httpserver.expect_request("/shop").respond_with_data(
        f'<!doctype html><html lang="en"><title>Acme shop</title><h1>Shop</h1>'
        f'<iframe src="{embed}" title="Contact us" width="800" height="900"></iframe></html>',
        content_type="text/html",
    )
    page.goto(httpserver.url_for("/shop"))
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Contact Acme Support")).to_be_visible()
    frame.get_by_label("Email").fill("framed@visitor.example")
    frame.get_by_label("Subject").fill("Sent from the shop")
    frame.get_by_label("How can we help?").fill("Where is my parcel?")
    frame.get_by_role("button", name="Send request").click()
    expect(frame.get_by_text("We received your request")).to_be_visible()
    db.session.rollback()
    channel = db.session.scalar(
        sa.select(Ticket.channel).where(Ticket.subject == "Sent from the shop")
    )
    assert channel is Channel.WEB


def test_without_script_the_customer_picks_another_rating_and_sends_it(
    browser, desk, live_server: LiveServer
) -> None:
    tickets.change_status(desk.agent, desk.ticket, Status.RESOLVED)
    persist()
    link = RATE.search(_mail_text(live_server, desk.customer.email, "ticket_resolved")).group(1)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(link)
        expect(page.get_by_role("radio", name="Good")).to_be_checked()  # what the link named
        page.get_by_role("radio", name="Okay").check()
        page.get_by_role("button", name="Send my rating").click()
        expect(page.get_by_role("heading", name="Thank you for your rating!")).to_be_visible()
        expect(page.locator(".rating.rating-okay")).to_be_visible()
    finally:
        context.close()
