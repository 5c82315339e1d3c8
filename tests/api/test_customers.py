"""Customer endpoints: list and search, get, create, update."""

from __future__ import annotations

import pytest

from supportdesk.customers.models import Tier
from tests.factories import CustomerFactory

pytestmark = pytest.mark.integration


def test_customers_are_created_read_and_updated(api):
    created = api.post(
        "/customers", json={"email": "Dana@Example.com", "name": "Dana", "tier": "premium"}
    )
    assert created.status_code == 201
    customer = created.get_json()
    assert customer["email"] == "dana@example.com"
    assert created.headers["Location"] == f"/api/v1/customers/{customer['id']}"

    assert api.get(f"/customers/{customer['id']}").get_json() == customer

    updated = api.patch(f"/customers/{customer['id']}", json={"company": "FBI"}).get_json()
    assert updated["company"] == "FBI"
    assert updated["tier"] == "premium" and updated["name"] == "Dana"


def test_a_duplicate_email_is_refused(api, customer):
    created = api.post("/customers", json={"email": customer.email.upper()})
    other = CustomerFactory(organization_id=customer.organization_id)
    moved = api.patch(f"/customers/{other.id}", json={"email": customer.email})

    for response in (created, moved):
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "conflict"
        assert "email" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "email", id="missing email"),
        pytest.param({"email": "not-an-address"}, "email", id="bad email"),
        pytest.param({"email": "a@example.com", "tier": "gold"}, "tier", id="unknown tier"),
        pytest.param({"email": "a@example.com", "name": "x" * 201}, "name", id="long name"),
        pytest.param(
            {"email": "a@example.com", "external_ids": {}}, "external_ids", id="unknown field"
        ),
    ],
)
def test_invalid_customers_are_refused(api, body, field):
    response = api.post("/customers", json=body)

    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_the_list_searches_and_pages(api, org):
    for i in range(5):
        CustomerFactory(organization=org, name=f"Person {i}", tier=Tier.BASIC)
    CustomerFactory(organization=org, name="Zed", company="Acme")

    first = api.get("/customers?limit=4").get_json()
    second = api.get(f"/customers?limit=4&page={first['next_page']}").get_json()
    found = api.get("/customers?q=acme").get_json()

    assert len(first["data"]) == 4 and first["next_page"] == 2
    assert len(second["data"]) == 2 and second["next_page"] is None
    assert [c["name"] for c in found["data"]] == ["Zed"]


def test_listing_customers_costs_the_same_queries_for_any_page_size(api, org, query_counter):
    for _ in range(20):
        CustomerFactory(organization=org)
    api.get("/customers")
    counts = {}
    for limit in (2, 20):
        with query_counter() as queries:
            assert len(api.get(f"/customers?limit={limit}").get_json()["data"]) == limit
        counts[limit] = queries.count
    assert counts[2] == counts[20] <= 3, counts
