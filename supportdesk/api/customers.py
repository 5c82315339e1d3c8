"""API views for customers: list (search, pages), get, create, update."""

from __future__ import annotations

from flask import url_for

from supportdesk.api import examples, schemas
from supportdesk.api.access import actor, organization_id
from supportdesk.api.operations import operation
from supportdesk.customers import queries, service
from supportdesk.extensions import db

TAG = "Customers"
CUSTOMER_ID = {"customer_id": "The customer's id."}
_THE_CUSTOMER = {"customer_id": "$response.body#/id"}
CUSTOMER_LINKS = {
    "GetCustomer": ("customer_get", _THE_CUSTOMER),
    "UpdateCustomer": ("customer_update", _THE_CUSTOMER),
}


@operation(
    "GET",
    "/customers",
    tag=TAG,
    summary="List customers",
    query=schemas.CustomerListQuery,
    response=schemas.CustomerPage,
    response_example=examples.CUSTOMER_PAGE,
)
def customer_list(query: schemas.CustomerListQuery):
    """Customers by name; `q` searches name, email and company. Numbered pages (`page`)."""
    rows, has_next = queries.list_customers(
        organization_id(), search=query.q, page=query.page, per_page=query.limit
    )
    return schemas.CustomerPage(
        data=[schemas.Customer.model_validate(customer) for customer, _count in rows],
        next_page=query.page + 1 if has_next else None,
    )


@operation(
    "GET",
    "/customers/{customer_id}",
    tag=TAG,
    summary="Get a customer",
    response=schemas.Customer,
    response_example=examples.CUSTOMER,
    path_params=CUSTOMER_ID,
)
def customer_get(customer_id: int):
    """One customer."""
    return schemas.Customer.model_validate(queries.get_customer(organization_id(), customer_id))


@operation(
    "POST",
    "/customers",
    tag=TAG,
    summary="Create a customer",
    status=201,
    body=schemas.CustomerCreate,
    response=schemas.Customer,
    conflicts=True,
    request_example=examples.CUSTOMER_CREATE,
    response_example=examples.CUSTOMER,
    links=CUSTOMER_LINKS,
    headers=("Location",),
)
def customer_create(body: schemas.CustomerCreate):
    """Add a customer; an email the organization already has is refused (409)."""
    customer = service.create_customer(
        actor(), email=body.email, name=body.name, tier=body.tier, company=body.company
    )
    out = schemas.Customer.model_validate(customer)
    db.session.commit()
    return out, {"Location": url_for("api.customer_get", customer_id=customer.id)}


@operation(
    "PATCH",
    "/customers/{customer_id}",
    tag=TAG,
    summary="Update a customer",
    body=schemas.CustomerUpdate,
    response=schemas.Customer,
    conflicts=True,
    request_example=examples.CUSTOMER_UPDATE,
    response_example=examples.CUSTOMER,
    path_params=CUSTOMER_ID,
)
def customer_update(customer_id: int, body: schemas.CustomerUpdate):
    """Change a customer's email, name, tier or company; fields left out stay as they are.
    Another customer's email is refused (409)."""
    customer = queries.get_customer(organization_id(), customer_id)
    customer = service.update_customer(
        actor(),
        customer,
        email=body.email if body.email is not None else customer.email,
        name=body.name if body.name is not None else customer.name,
        tier=body.tier if body.tier is not None else customer.tier,
        company=body.company if body.company is not None else customer.company,
    )
    out = schemas.Customer.model_validate(customer)
    db.session.commit()
    return out
