"""A form a rule refuses, in a browser: the reason at the top and beside the field, the agent's
input still there, nothing saved; corrected, it saves once (supportdesk.submit)."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from tests.e2e.conftest import start_session


def _customers(org) -> list[str]:
    db.session.expire_all()
    query = sa.select(Customer.email).where(Customer.organization_id == org.id)
    return sorted(db.session.scalars(query))


def test_a_refused_customer_keeps_the_input_and_saves_once_corrected(page: Page, desk) -> None:
    before = _customers(desk.org)
    start_session(page, desk.agent)
    page.goto("/customers/new")
    page.get_by_label("Email").fill(desk.customer.email.upper())
    page.get_by_label("Name").fill("Aisha Again")
    page.get_by_label("Company").fill("Driftwood Travel Ltd")
    page.get_by_role("button", name="Add customer").click()

    expect(page.locator(".alert-error")).to_be_visible()
    expect(page.locator(".field-error")).to_have_text("This address belongs to another customer.")
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Name")).to_have_value("Aisha Again")
    expect(page.get_by_label("Company")).to_have_value("Driftwood Travel Ltd")
    assert _customers(desk.org) == before

    page.get_by_label("Email").fill("aisha.again@driftwood-travel.example")
    page.get_by_role("button", name="Add customer").click()
    expect(page.get_by_text("Customer added.")).to_be_visible()
    assert _customers(desk.org) == sorted([*before, "aisha.again@driftwood-travel.example"])
