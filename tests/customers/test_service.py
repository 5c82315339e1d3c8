"""Customer writes: address normalisation, find-or-create, create and edit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.customers import service
from supportdesk.customers.models import Customer, Tier
from supportdesk.errors import Conflict, ValidationFailed
from supportdesk.extensions import db
from tests.factories import CustomerFactory


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("ada@example.com", "ada@example.com", id="already normal"),
        pytest.param("  Ada@Example.COM\n", "ada@example.com", id="case and spaces"),
        pytest.param("first.last+tag@example.co.uk", "first.last+tag@example.co.uk",
                     id="dots and plus"),
    ],
)  # fmt: skip
def test_normalise_email_lower_cases_and_trims(given, expected):
    assert service.normalise_email(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param(None, id="none"),
        pytest.param("no-at-sign", id="no at sign"),
        pytest.param("two@@example.com", id="two at signs"),
        pytest.param("ada@localhost", id="no domain dot"),
    ],
)
def test_normalise_email_refuses_what_is_not_an_address(given):
    with pytest.raises(ValidationFailed) as raised:
        service.normalise_email(given, field="customer_email")

    assert list(raised.value.fields) == ["customer_email"]


def test_find_or_create_creates_a_new_customer(org):
    customer = service.find_or_create(org.id, "New@Example.com", " Newt ")

    assert (customer.id is not None, customer.email, customer.name) == (
        True,
        "new@example.com",
        "Newt",
    )


def test_find_or_create_finds_the_customer_whatever_the_case(org, customer):
    found = service.find_or_create(org.id, f" {customer.email.upper()} ")

    assert found is customer
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Customer.organization_id == org.id)) == 1
    )


def test_find_or_create_fills_in_a_missing_name_but_keeps_an_existing_one(org):
    nameless = CustomerFactory(organization=org, name="")
    named = CustomerFactory(organization=org, name="Kept")

    service.find_or_create(org.id, nameless.email, "Filled")
    service.find_or_create(org.id, named.email, "Ignored")

    assert (nameless.name, named.name) == ("Filled", "Kept")


def test_the_same_address_is_a_different_customer_in_another_organization(org, other_org):
    mine = service.find_or_create(org.id, "shared@example.com")
    theirs = service.find_or_create(other_org.id, "shared@example.com")

    assert mine.id != theirs.id
    assert (mine.organization_id, theirs.organization_id) == (org.id, other_org.id)


def test_find_or_create_survives_a_concurrent_create_of_the_same_address(org, customer, mocker):
    # Another transaction inserted the address between our lookup and our insert.
    real_find = service.find_by_email
    mocker.patch.object(
        service, "find_by_email", side_effect=[None, real_find(org.id, customer.email)]
    )

    found = service.find_or_create(org.id, customer.email)

    assert found is customer
    # The failed insert was rolled back to its savepoint: the session still works.
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Customer.organization_id == org.id)) == 1
    )


def test_create_customer_stores_the_details(org, agent):
    customer = service.create_customer(
        agent, email="Big@Corp.com", name=" Bea ", tier=Tier.ENTERPRISE, company=" Corp "
    )

    assert (customer.organization_id, customer.email, customer.name, customer.tier) == (
        org.id,
        "big@corp.com",
        "Bea",
        Tier.ENTERPRISE,
    )
    assert customer.company == "Corp"


def test_create_customer_refuses_an_address_the_organization_has(agent, customer):
    with pytest.raises(Conflict) as raised:
        service.create_customer(agent, email=customer.email.upper())

    assert "email" in raised.value.fields


def test_create_customer_allows_an_address_another_organization_has(agent, other_org):
    CustomerFactory(organization=other_org, email="shared@example.com")

    assert service.create_customer(agent, email="shared@example.com").email == "shared@example.com"


def test_viewers_cannot_create_or_edit_customers(viewer, customer):
    with pytest.raises(PermissionDenied):
        service.create_customer(viewer, email="x@example.com")
    with pytest.raises(PermissionDenied):
        service.update_customer(
            viewer, customer, email=customer.email, name="X", tier=Tier.FREE, company=""
        )


def test_update_customer_changes_the_details(agent, customer):
    service.update_customer(
        agent, customer, email="NEW@example.com", name=" New ", tier=Tier.PREMIUM, company=" Co "
    )

    assert (customer.email, customer.name, customer.tier, customer.company) == (
        "new@example.com",
        "New",
        Tier.PREMIUM,
        "Co",
    )


def test_update_customer_may_keep_its_own_address(agent, customer):
    service.update_customer(
        agent, customer, email=customer.email.upper(), name="Same", tier=Tier.FREE, company=""
    )

    assert customer.email == customer.email.lower()


def test_update_customer_refuses_another_customers_address(org, agent, customer):
    other = CustomerFactory(organization=org)

    with pytest.raises(Conflict):
        service.update_customer(
            agent, customer, email=other.email, name="X", tier=Tier.FREE, company=""
        )


def test_display_name_falls_back_to_the_email(org):
    assert CustomerFactory(organization=org, name="").display_name.endswith("@example.com")
    assert CustomerFactory(organization=org, name="Bea").display_name == "Bea"
