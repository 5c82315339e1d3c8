"""Customer reads, always scoped to one organization."""

from __future__ import annotations

import functools

import sqlalchemy as sa

from supportdesk.customers.models import Customer
from supportdesk.db import PREPARED
from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.tickets.models import Ticket


def get_customer(organization_id: int, customer_id: int) -> Customer:
    """The customer, or NotFound when it is absent or belongs to another organization."""
    customer = db.session.scalar(
        _customer_statement(), {"organization_id": organization_id, "customer_id": customer_id}
    )
    if customer is None:
        raise NotFound("That customer does not exist.")
    return customer


@functools.cache
def _customer_statement() -> sa.Select:
    # Built once: the customer page runs it, and building it costs more than running it.
    return (
        sa.select(Customer)
        .where(
            Customer.organization_id == sa.bindparam("organization_id"),
            Customer.id == sa.bindparam("customer_id"),
        )
        .execution_options(**PREPARED)
    )


def list_customers(
    organization_id: int, *, search: str = "", page: int = 1, per_page: int = 50
) -> tuple[list[tuple[Customer, int]], bool]:
    """A page of customers by name with their ticket counts; returns (rows, has_next).

    Two queries whatever the page size: the page, then the counts for just those customers.
    """
    query = sa.select(Customer).where(Customer.organization_id == organization_id)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            sa.or_(
                Customer.email.like(pattern),
                sa.func.lower(Customer.name).like(pattern),
                sa.func.lower(Customer.company).like(pattern),
            )
        )
    query = query.order_by(Customer.name, Customer.email, Customer.id)
    query = query.limit(per_page + 1).offset((max(page, 1) - 1) * per_page)
    customers = list(db.session.scalars(query))
    has_next = len(customers) > per_page
    customers = customers[:per_page]
    counts: dict[int, int] = {}
    if customers:
        counts = dict(
            db.session.execute(
                sa.select(Ticket.customer_id, sa.func.count())
                .where(
                    Ticket.organization_id == organization_id,
                    Ticket.customer_id.in_([c.id for c in customers]),
                )
                .group_by(Ticket.customer_id)
            ).all()
        )
    return [(c, counts.get(c.id, 0)) for c in customers], has_next
