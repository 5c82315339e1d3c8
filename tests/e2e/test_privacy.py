"""An admin exports a customer's data and downloads it, erases a customer after typing their
email, and previews a retention policy before enabling it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from tests.e2e.conftest import persist, screenshot, start_session
from tests.factories import make_ticket


def test_an_admin_exports_a_customer_and_downloads_the_archive(page: Page, desk) -> None:
    email = desk.customer.email
    start_session(page, desk.admin)
    page.goto("/")
    page.get_by_role("link", name="Customer data").click()
    page.get_by_label("Customer email").fill(email)
    page.get_by_role("button", name="Export their data").click()

    expect(page.get_by_text("Export requested")).to_be_visible()
    expect(page.locator(".export-status")).to_have_text("Ready")
    screenshot(page, "gdpr-export.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    data = Path(download.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert json.loads(archive.read("profile.json"))["email"] == email


def test_an_admin_erases_a_customer_after_typing_their_email(page: Page, desk) -> None:
    email, customer_id = desk.customer.email, desk.customer.id
    start_session(page, desk.admin)
    page.goto("/admin/privacy")
    page.get_by_label("Customer email").fill(email)
    page.get_by_role("button", name="Erase their data…").click()

    expect(page.get_by_text("It cannot be undone.")).to_be_visible()
    confirm = page.get_by_label("Type the customer's email address to confirm")
    confirm.fill("not-them@example.com")
    page.get_by_role("button", name="Erase this customer for good").click()
    expect(page.get_by_text("This is not the customer's email address.")).to_be_visible()
    screenshot(page, "gdpr-erase.png", full_page=True)

    page.get_by_label("Type the customer's email address to confirm").fill(email)
    page.get_by_role("button", name="Erase this customer for good").click()
    expect(page.get_by_text("The customer was erased")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).email.endswith("@erased.invalid")


def test_an_admin_previews_the_retention_policy_before_saving(page: Page, desk) -> None:
    import datetime as dt

    from supportdesk.db import utcnow
    from supportdesk.tickets.models import Status

    old = make_ticket(desk.org, subject="Printer on fire", status=Status.CLOSED)
    old.closed_at = utcnow() - dt.timedelta(days=400)
    persist()
    start_session(page, desk.admin)
    page.goto("/admin/retention")
    page.get_by_label("Closed tickets").select_option("anonymize")
    page.get_by_label("… once closed for (days)").fill("365")
    page.get_by_role("button", name="Preview").click()

    preview = page.locator(".retention-preview")
    expect(preview.get_by_text("Preview of these values")).to_be_visible()
    expect(preview.get_by_text("Printer on fire")).to_be_visible()
    screenshot(page, "gdpr-retention.png", full_page=True)
    page.get_by_label("Apply this policy every hour").check()
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("Retention policy saved and enabled.")).to_be_visible()
