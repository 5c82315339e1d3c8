"""Support address writes: the default address of a new organization, add, make default, remove.

Flushes, never commits. Addresses are unique across the installation, so routing is never a guess.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import require
from supportdesk.customers.service import normalise_email
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.mailin.models import SupportAddress


def default_address_for(organization: Organization) -> str:
    """`support@<slug>.<MAIL_DOMAIN>`: unique because organization slugs are."""
    return f"support@{organization.slug}.{current_app.config['MAIL_DOMAIN'].lower()}"


def create_default_address(organization: Organization) -> SupportAddress | None:
    """Give a new organization its default address (None if someone already owns it)."""
    address = default_address_for(organization)
    taken = db.session.scalar(sa.select(SupportAddress.id).where(SupportAddress.address == address))
    if taken is not None:
        return None
    row = SupportAddress(organization_id=organization.id, address=address, is_default=True)
    db.session.add(row)
    db.session.flush()
    return row


def _addresses(organization_id: int) -> list[SupportAddress]:
    return list(
        db.session.scalars(
            sa.select(SupportAddress).where(SupportAddress.organization_id == organization_id)
        )
    )


def add_address(actor: User, address: str) -> SupportAddress:
    """Add a support address; the organization's first one becomes its default."""
    require(actor, "mail.manage")
    address = normalise_email(address, field="address")
    if db.session.scalar(sa.select(SupportAddress.id).where(SupportAddress.address == address)):
        raise ValidationFailed(
            f"The address {address} is already in use.",
            {"address": "This address already routes mail to an organization."},
        )
    first = not _addresses(actor.organization_id)
    row = SupportAddress(organization_id=actor.organization_id, address=address, is_default=first)
    db.session.add(row)
    db.session.flush()
    return row


def _own(actor: User, address_id: int) -> SupportAddress:
    row = db.session.scalar(
        sa.select(SupportAddress).where(
            SupportAddress.organization_id == actor.organization_id, SupportAddress.id == address_id
        )
    )
    if row is None:
        raise NotFound("That support address does not exist.")
    return row


def make_default(actor: User, address_id: int) -> SupportAddress:
    """Make this address the organization's default (the one shown to customers)."""
    require(actor, "mail.manage")
    chosen = _own(actor, address_id)
    for row in _addresses(actor.organization_id):
        row.is_default = row.id == chosen.id
    db.session.flush()
    return chosen


def remove_address(actor: User, address_id: int) -> None:
    """Remove an address; mail sent to it afterwards lands on the unprocessed list."""
    require(actor, "mail.manage")
    row = _own(actor, address_id)
    if row.is_default:
        raise ValidationFailed(
            "The default address cannot be removed.",
            {"address": "Make another address default first."},
        )
    db.session.delete(row)
    db.session.flush()
