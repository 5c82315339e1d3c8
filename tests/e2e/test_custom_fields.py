"""Custom fields and saved views in a browser, as an admin and an agent use them."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from supportdesk.extensions import db
from supportdesk.fields.models import CustomField, SavedView
from tests import factories
from tests.e2e.conftest import persist, start_session


def test_a_select_field_from_definition_to_a_saved_view_with_its_count(
    page: Page, desk, browser, browser_context_args
) -> None:
    factories.make_ticket(desk.org, subject="Printer on fire")
    persist()

    # The admin defines a single select field.
    start_session(page, desk.admin)
    page.goto("/admin/fields")
    page.get_by_role("link", name="Add field").click()
    page.get_by_label("Label").fill("Plan")
    page.get_by_label("Key").fill("plan")
    page.get_by_label("Type").select_option("Single select")
    page.get_by_label("Options (select fields)").fill("Free\nPro\nTeam")
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_text("Field “Plan” added.")).to_be_visible()
    expect(page.get_by_role("cell", name="Single select")).to_be_visible()

    # An agent sets it on a ticket.
    agent_page = browser.new_context(**browser_context_args).new_page()
    start_session(agent_page, desk.agent)
    agent_page.goto(f"/tickets/{desk.ticket.number}")
    agent_page.get_by_label("Plan").select_option("Pro")
    agent_page.get_by_role("button", name="Save changes").click()
    expect(agent_page.get_by_text("Ticket updated.")).to_be_visible()
    expect(agent_page.get_by_label("Plan")).to_have_value("Pro")
    expect(agent_page.locator(".history")).to_contain_text("changed Plan from none to Pro")

    # Filters the queue by it (the filter bar submits on change), adds it as a column.
    agent_page.goto("/")
    expect(agent_page.get_by_role("link", name="Printer on fire")).to_be_visible()
    agent_page.locator("form.filters").get_by_label("Plan").select_option("Pro")
    expect(agent_page.get_by_role("link", name="Printer on fire")).to_have_count(0)
    expect(agent_page.get_by_role("link", name=desk.ticket.subject)).to_be_visible()
    agent_page.get_by_text("Columns", exact=True).click()
    agent_page.locator(".columns-picker").get_by_label("Plan").check()
    agent_page.get_by_role("button", name="Show columns").click()
    expect(agent_page.get_by_role("columnheader", name="Plan")).to_be_visible()
    expect(agent_page.locator("td.col-field")).to_have_text(["Pro"])

    # Saves the view and sees it in the sidebar with its count.
    agent_page.get_by_placeholder("View name").fill("Pro customers")
    agent_page.get_by_role("button", name="Save view").click()
    expect(agent_page.get_by_text("View “Pro customers” saved.")).to_be_visible()
    sidebar = agent_page.get_by_role("complementary", name="Queues")
    view_link = sidebar.get_by_role("link", name=re.compile(r"^Pro customers\s*1$"))
    expect(view_link).to_be_visible()
    expect(view_link).to_have_attribute("aria-current", "page")
    expect(agent_page.get_by_role("columnheader", name="Plan")).to_be_visible()

    db.session.expire_all()
    field = db.session.scalar(db.select(CustomField).where(CustomField.key == "plan"))
    assert field.options == ["Free", "Pro", "Team"]
    view = db.session.scalar(db.select(SavedView).where(SavedView.name == "Pro customers"))
    assert view.filters["cf.plan"] == "Pro" and view.columns == ["plan"]


def test_resolving_without_a_required_field_says_which_and_keeps_the_edits(page: Page, desk):
    from supportdesk.fields import service
    from supportdesk.fields.models import FieldType

    service.create_field(
        desk.admin, key="order_number", label="Order number", type=FieldType.TEXT,
        required_on_resolve=True,
    )  # fmt: skip
    persist()
    start_session(page, desk.agent)
    page.goto(f"/tickets/{desk.ticket.number}")
    page.get_by_label("Status").select_option("Resolved")
    page.get_by_label("Priority").select_option("High")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Fill in this field before resolving the ticket: “Order number”."
    )
    expect(page.get_by_text("Required to resolve the ticket.")).to_be_visible()
    expect(page.get_by_label("Priority")).to_have_value("high")
    page.get_by_label("Order number").fill("A-10442")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Ticket updated.")).to_be_visible()
    db.session.expire_all()
    assert desk.ticket.status.value == "resolved"
    assert desk.ticket.custom_fields == {"order_number": "A-10442"}
