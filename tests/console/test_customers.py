"""Customer list, page, creation and editing."""

from __future__ import annotations

import pytest

from supportdesk.customers.models import Customer, Tier
from supportdesk.extensions import db
from tests.factories import CustomerFactory, make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def test_the_customer_list_shows_ticket_counts_and_searches(client, agent, org, other_org):
    anna = CustomerFactory(organization=org, name="Anna Smith", company="Initech")
    CustomerFactory(organization=org, name="Ben Jones")
    CustomerFactory(organization=other_org, name="Anna Elsewhere")
    make_ticket(org, customer=anna)
    make_ticket(org, customer=anna)
    login_as(client, agent)
    html = client.get("/customers?q=anna").get_data(as_text=True)
    assert "Anna Smith" in html and "Ben Jones" not in html and "Anna Elsewhere" not in html
    assert '<td class="num">2</td>' in html


def test_the_customer_list_costs_the_same_queries_for_any_page(client, agent, org, query_counter):
    for n in range(60):
        CustomerFactory(organization=org, name=f"Customer {n:02d}")
    login_as(client, agent)
    with query_counter() as first:
        client.get("/customers")
    with query_counter() as second:
        client.get("/customers?page=2")
    assert first.count == second.count


def test_the_customer_page_costs_three_queries_however_many_tickets(
    client, agent, org, customer, query_counter
):
    counts = []
    login_as(client, agent)
    client.get(f"/customers/{customer.id}")  # the organization's cache (accounts.orgcache)
    for _ in range(2):
        with query_counter() as queries:
            assert client.get(f"/customers/{customer.id}").status_code == 200
        counts.append(queries.count)
        for _ in range(30):
            make_ticket(org, customer=customer)
    # The agent's session with the bell's unread count, the customer, their latest 50 tickets.
    # The organization's CRM connection comes from its cache (crm.queries.shown_connection).
    assert counts == [3, 3]


def test_the_customer_page_lists_their_tickets(client, agent, org, customer):
    make_ticket(org, customer=customer, subject="Broken invoice")
    login_as(client, agent)
    html = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "Broken invoice" in html and customer.email in html


def test_a_customer_of_another_organization_is_not_found(client, agent, other_org):
    stranger = CustomerFactory(organization=other_org)
    login_as(client, agent)
    assert client.get(f"/customers/{stranger.id}").status_code == 404
    token = csrf_token(client.get("/"))
    response = client.post(
        f"/customers/{stranger.id}",
        data={"csrf_token": token, "email": "x@example.com", "tier": "free"},
    )
    assert response.status_code == 404


def test_an_agent_adds_a_customer_and_duplicates_are_refused_case_insensitively(client, agent):
    login_as(client, agent)
    token = csrf_token(client.get("/customers/new"))
    data = {"csrf_token": token, "email": "Zoe@Example.com", "name": "Zoe", "tier": "premium"}
    created = client.post("/customers/new", data=data)
    assert created.status_code == 302
    again = client.post("/customers/new", data={**data, "email": "zoe@EXAMPLE.com"})
    assert again.status_code == 409  # a conflict with a stored customer, as in the API
    assert "This address belongs to another customer." in again.get_data(as_text=True)
    zoe = db.session.scalar(db.select(Customer).where(Customer.email == "zoe@example.com"))
    assert zoe.tier is Tier.PREMIUM


def test_editing_a_customer_saves_and_validates(client, agent, org, customer):
    other = CustomerFactory(organization=org)
    login_as(client, agent)
    token = csrf_token(client.get(f"/customers/{customer.id}"))
    taken = client.post(
        f"/customers/{customer.id}",
        data={"csrf_token": token, "email": other.email, "name": "X", "tier": "basic"},
    )
    assert taken.status_code == 409
    saved = client.post(
        f"/customers/{customer.id}",
        data={"csrf_token": token, "email": customer.email, "name": "Renamed", "tier": "basic"},
    )
    assert saved.status_code == 302
    db.session.refresh(customer)
    assert customer.name == "Renamed" and customer.tier is Tier.BASIC


def test_a_viewer_cannot_edit_customers(client, viewer, customer):
    login_as(client, viewer)
    page = client.get(f"/customers/{customer.id}")
    assert "Save customer" not in page.get_data(as_text=True)
    response = client.post(
        f"/customers/{customer.id}",
        data={"csrf_token": csrf_token(page), "email": customer.email, "tier": "free"},
    )
    assert response.status_code == 403
    assert client.get("/customers/new").status_code == 403
