"""Customer reads: one customer, and the searchable, paginated list with ticket counts."""

from __future__ import annotations

import pytest

from supportdesk.customers import queries
from supportdesk.errors import NotFound
from tests.factories import CustomerFactory, make_ticket


def test_get_customer_refuses_a_customer_of_another_organization(org, other_org, customer):
    theirs = CustomerFactory(organization=other_org)

    assert queries.get_customer(org.id, customer.id) is customer
    with pytest.raises(NotFound):
        queries.get_customer(org.id, theirs.id)


def test_list_customers_sorts_by_name_with_ticket_counts(org, other_org):
    bea = CustomerFactory(organization=org, name="Bea")
    al = CustomerFactory(organization=org, name="Al")
    CustomerFactory(organization=other_org, name="Aaron")
    for _ in range(2):
        make_ticket(org, customer=bea)

    rows, has_next = queries.list_customers(org.id)

    assert rows == [(al, 0), (bea, 2)]
    assert has_next is False


@pytest.mark.parametrize(
    ("search", "names"),
    [
        pytest.param("bea", ["Bea Smith"], id="by name, any case"),
        pytest.param("ACME", ["Bea Smith", "Cy Jones"], id="by company"),
        pytest.param("cy.jones@", ["Cy Jones"], id="by email"),
        pytest.param("nobody", [], id="no match"),
    ],
)
def test_list_customers_searches_name_company_and_email(org, search, names):
    CustomerFactory(organization=org, name="Bea Smith", company="Acme")
    CustomerFactory(organization=org, name="Cy Jones", company="ACME Ltd", email="cy.jones@x.com")
    CustomerFactory(organization=org, name="Di", company="Other")

    rows, _ = queries.list_customers(org.id, search=search)

    assert [c.name for c, _ in rows] == names


def test_list_customers_pages_without_gaps_or_repeats(org):
    customers = [CustomerFactory(organization=org, name=f"C{i:02d}") for i in range(7)]

    pages = [queries.list_customers(org.id, page=p, per_page=3) for p in (1, 2, 3)]

    assert [[c for c, _ in rows] for rows, _ in pages] == [
        customers[0:3],
        customers[3:6],
        customers[6:7],
    ]
    assert [has_next for _, has_next in pages] == [True, True, False]


def test_list_customers_takes_two_queries_whatever_the_page_size(org, query_counter):
    for i in range(6):
        make_ticket(org, customer=CustomerFactory(organization=org, name=f"C{i}"))

    counts = []
    for per_page in (2, 6):
        with query_counter() as queries_run:
            queries.list_customers(org.id, per_page=per_page)
        counts.append(queries_run.count)

    assert counts == [2, 2]
