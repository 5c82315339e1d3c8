"""CRM reads, always scoped to one organization."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from supportdesk.accounts import orgcache
from supportdesk.crm.models import CrmConnection, CrmSync, Provider
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


@dataclass(frozen=True)
class ShownConnection:
    """What the console's customer and ticket pages show of the organization's CRM connection:
    which CRM, and the address of a contact there. No credentials, no sync state."""

    id: int
    provider: Provider
    instance_url: str

    contact_url = CrmConnection.contact_url  # the model's own rule, on these two columns


# The columns of a connection that ShownConnection copies: a change to one of them (or an
# insert or delete) moves the organization's cache version (accounts.orgcache).
SHOWN_COLUMNS = frozenset({"provider", "instance_url", "organization_id"})


def shown_connection(organization_id: int) -> ShownConnection | None:
    """The organization's connection as the pages show it, from the per-organization cache (no
    query on a hit; connecting, disconnecting or changing the CRM reloads it)."""
    return orgcache.cached(organization_id, "crm_connection", lambda: _shown(organization_id))


def _shown(organization_id: int) -> ShownConnection | None:
    row = db.session.execute(
        sa.select(CrmConnection.id, CrmConnection.provider, CrmConnection.instance_url).where(
            CrmConnection.organization_id == organization_id
        )
    ).first()
    return None if row is None else ShownConnection(row.id, row.provider, row.instance_url or "")


def connection_for(customer: Customer) -> ShownConnection | None:
    """The connection whose facts the ticket page shows next to `customer`: none for a customer
    the CRM never took, else the organization's (shown_connection: cached, no query on a hit)."""
    if not customer.crm_id:
        return None
    return shown_connection(customer.organization_id)
