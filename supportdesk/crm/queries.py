"""CRM reads, always scoped to one organization."""

from __future__ import annotations

import sqlalchemy as sa

from supportdesk.crm.models import CrmConnection, CrmSync
from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.outbox import OutboxState


def list_syncs(
    organization_id: int, *, state: str = "", customer_id: int | None = None, limit: int = 100
) -> list[tuple[CrmSync, Customer]]:
    """The newest sync rows with their customers."""
    query = (
        sa.select(CrmSync, Customer)
        .join(Customer, Customer.id == CrmSync.customer_id)
        .where(CrmSync.organization_id == organization_id)
        .order_by(CrmSync.id.desc())
        .limit(limit)
    )
    if state in {s.value for s in OutboxState}:
        query = query.where(CrmSync.state == OutboxState(state))
    if customer_id is not None:
        query = query.where(CrmSync.customer_id == customer_id)
    return [(row, customer) for row, customer in db.session.execute(query).all()]


def sync_counts(organization_id: int) -> dict[str, int]:
    """How many sync rows are in each state."""
    return {
        state.value: count
        for state, count in db.session.execute(
            sa.select(CrmSync.state, sa.func.count())
            .where(CrmSync.organization_id == organization_id)
            .group_by(CrmSync.state)
        ).all()
    }


def connection_for(customer: Customer) -> CrmConnection | None:
    """The connection whose facts the ticket page shows next to `customer`: none (and no query)
    for a customer the CRM never took, else the organization's connection (one query)."""
    if not customer.crm_id:
        return None
    return db.session.scalar(
        sa.select(CrmConnection).where(CrmConnection.organization_id == customer.organization_id)
    )
