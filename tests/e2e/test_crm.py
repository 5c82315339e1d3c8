"""An admin connects HubSpot (a fake HubSpot on a local server), tests the connection and reads
what is wrong, fixes it, syncs the customers; an agent sees the sync on the customer page and
refreshes the customer from the CRM after their tier changed there."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.crm.fakes import FakeHubSpot, FakeSalesforce
from tests.e2e.conftest import screenshot, start_session


def test_an_admin_connects_hubspot_and_an_agent_refreshes_a_customer(
    page: Page, desk, httpserver
) -> None:
    hubspot = FakeHubSpot(httpserver).install()
    start_session(page, desk.admin)
    page.goto("/")
    page.get_by_role("link", name="CRM").click()
    expect(page.get_by_role("heading", name="Not connected")).to_be_visible()

    page.get_by_label("CRM", exact=True).select_option("hubspot")
    page.get_by_label("API address").fill(hubspot.url)
    page.get_by_label("Private app access token").fill("pat-na1-mistyped")
    page.get_by_role("button", name="Save connection").click()
    expect(page.get_by_text("HubSpot connection saved.")).to_be_visible()
    expect(page.get_by_label("Private app access token")).to_have_value("")

    page.get_by_role("button", name="Test connection").click()
    expect(
        page.get_by_role("alert").filter(has_text="The connection does not work")
    ).to_contain_text(
        "HubSpot refused the access token (401): it was revoked or mistyped. "
        "Paste a current private-app token."
    )
    screenshot(page, "crm-admin-broken.png", full_page=True)

    page.get_by_label("Private app access token").fill(hubspot.token)
    page.get_by_role("button", name="Save connection").click()
    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_text("HubSpot answered: the connection works.")).to_be_visible()

    page.get_by_role("button", name="Sync all customers").click()
    expect(page.get_by_text("1 customer queued for the CRM.")).to_be_visible()
    expect(page.get_by_role("cell", name="Sent")).to_be_visible()
    screenshot(page, "crm-log.png", full_page=True)
    contact = hubspot.contact(desk.customer.email)
    assert contact is not None and contact["properties"]["lastname"] == "Bianchi"

    page.get_by_role("button", name="Sign out").click()
    start_session(page, desk.agent)
    page.goto(f"/customers/{desk.customer.id}")
    card = page.locator(".crm-card")
    expect(card.get_by_text("Synced")).to_be_visible()
    expect(card.get_by_text(contact["id"])).to_be_visible()

    hubspot.edit(desk.customer.email, supportdesk_tier="premium", hubspot_owner_id="41629779")
    card.get_by_role("button", name="Refresh from CRM").click()
    expect(page.get_by_text("Updated from HubSpot: tier Free → Premium.")).to_be_visible()
    expect(page.locator(".content-head .badge")).to_have_text("Premium")
    screenshot(page, "crm-customer.png", full_page=True)

    # The customer's ticket shows what the CRM knows, next to the customer.
    page.goto(f"/tickets/{desk.ticket.number}")
    facts = page.locator("#crm-facts")
    expect(facts).to_contain_text("HubSpot")
    expect(facts).to_contain_text(contact["id"])
    expect(facts).to_contain_text("Premium")
    expect(page.locator("#crm-facts-owner")).to_have_text("Maria Rossi")
    expect(facts.get_by_text("Synced")).to_be_visible()
    screenshot(page, "crm-ticket.png", full_page=True)


def test_an_admin_connects_salesforce_by_signing_in_and_picks_who_wins_conflicts(
    page: Page, desk, httpserver
) -> None:
    salesforce = FakeSalesforce(httpserver).install()
    start_session(page, desk.admin)
    page.goto("/admin/crm")
    page.get_by_label("CRM", exact=True).select_option("salesforce")
    page.get_by_label("API address").fill(salesforce.url)
    page.get_by_label("Consumer key (client id)").fill(salesforce.client_id)
    page.get_by_label("Consumer secret").fill(salesforce.client_secret)
    page.get_by_label("Company: wins a conflict").select_option("supportdesk")
    page.get_by_role("button", name="Save connection").click()
    expect(page.get_by_text("Salesforce connection saved.")).to_be_visible()
    expect(page.locator("#crm-not-signed-in")).to_be_visible()
    expect(page.get_by_label("Company: wins a conflict")).to_have_value("supportdesk")
    screenshot(page, "crm-salesforce-unsigned.png", full_page=True)

    # Through Salesforce's authorize endpoint (the fake) and back to our callback.
    page.get_by_role("button", name="Connect Salesforce").click()
    expect(page.get_by_text(f"Salesforce is connected ({salesforce.url})")).to_be_visible()
    expect(page.locator(".content-head .badge")).to_have_text("Salesforce: Working")
    expect(page.get_by_label("Refresh token")).to_have_value("")
    assert salesforce.refresh_token not in page.content()
    (exchange,) = salesforce.calls("POST", "/services/oauth2/token")
    assert exchange.body["grant_type"] == "authorization_code" and exchange.body["code_verifier"]

    page.get_by_role("button", name="Sync all customers").click()
    expect(page.get_by_role("cell", name="Sent")).to_be_visible()
    assert salesforce.contact(str(desk.customer.id)) is not None
    screenshot(page, "crm-salesforce-connected.png", full_page=True)
