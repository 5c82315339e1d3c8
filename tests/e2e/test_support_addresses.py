"""An admin adds an outside support address, sees it unverified, and it becomes verified once
the verification email comes back in through the inbound endpoint (as forwarding would)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from supportdesk.mail.identity.support_addresses import create_default_address
from tests.e2e.conftest import LiveServer, persist, start_session
from tests.fixtures.mail import verification_email

ORDERS = "orders@beta.example"
TOKEN = "e2e-inbound-token"  # noqa: S105 (a test value)


@pytest.fixture
def inbound_endpoint(live_server: LiveServer) -> Iterator[None]:
    """POST /inbound/email switched on for this test."""
    live_server.app.config["INBOUND_TOKEN"] = TOKEN
    yield
    live_server.app.config["INBOUND_TOKEN"] = None


def test_an_added_address_is_verified_when_its_email_comes_back(
    page: Page, desk, live_server: LiveServer, inbound_endpoint
) -> None:
    create_default_address(desk.org)  # support@acme.<MAIL_DOMAIN>, where the admin forwards
    persist()
    start_session(page, desk.admin)
    page.goto("/admin/addresses")
    page.get_by_label("Address").fill(ORDERS)
    page.get_by_role("button", name="Add address").click()
    expect(page.get_by_text("We mailed a one-time code to orders@beta.example")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=ORDERS)
    expect(row.get_by_text("Unverified")).to_be_visible()
    expect(row.get_by_role("button", name="Send a new code")).to_be_visible()

    # What we sent (the embedded default writes it as an .eml file), forwarded back to us.
    email = verification_email(ORDERS)
    sent = Path(live_server.app.config["MAIL_DIR"]) / f"email-{email.id}.eml"
    forwarded = f"Delivered-To: {ORDERS}\r\n".encode() + sent.read_bytes()
    answer = page.request.post(
        "/inbound/email?to=support@acme.supportdesk.localhost",
        data=forwarded,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "message/rfc822"},
    )
    assert answer.ok and answer.json()["decision"] == "address_verification"

    page.reload()
    row = page.get_by_role("row").filter(has_text=ORDERS)
    expect(row.get_by_text("Verified", exact=True)).to_be_visible()
    expect(row.get_by_role("button", name="Send a new code")).to_have_count(0)
    expect(row.get_by_role("button", name="Make default")).to_be_visible()
