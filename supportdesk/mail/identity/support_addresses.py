"""Support address writes: an organization's default address, add, verify again, default, remove.

Flushes, never commits. Addresses are unique across the installation, so routing is never a
guess. `*@<slug>.<MAIL_DOMAIN>` belongs to the organization with that slug alone: its addresses
are verified when added, and nobody else may add one. Any other address under MAIL_DOMAIN
belongs to nobody. An address outside it routes nothing until verified (mail.identity.verification).
"""

from __future__ import annotations

import sqlalchemy as sa

from supportdesk import audit
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import require
from supportdesk.customers.service import normalise_email
from supportdesk.db import utcnow
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.mail.identity import ownership, verification
from supportdesk.mail.identity.models import SupportAddress


def default_address_for(organization: Organization) -> str:
    """`support@<slug>.<MAIL_DOMAIN>`: unique because organization slugs are."""
    return f"support@{ownership.namespace_host(organization.slug)}"


def namespace_is_free(slug: str) -> bool:
    """Whether no address is registered in the namespace of `slug` (a slug for a new org)."""
    host = ownership.namespace_host(slug)
    return (
        db.session.scalar(
            sa.select(SupportAddress.id).where(SupportAddress.address.endswith("@" + host))
        )
        is None
    )


def create_default_address(organization: Organization) -> SupportAddress:
    """Give a new organization its default address, verified (its namespace is its own).

    create_organization picks a slug whose namespace is free, so the address cannot be taken.
    """
    row = SupportAddress(
        organization_id=organization.id,
        address=default_address_for(organization),
        is_default=True,
        verified_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def _addresses(organization_id: int) -> list[SupportAddress]:
    return list(
        db.session.scalars(
            sa.select(SupportAddress).where(SupportAddress.organization_id == organization_id)
        )
    )


def _check_namespace(actor: User, address: str) -> bool:
    """True for an address in the actor's own namespace; refuse one elsewhere in MAIL_DOMAIN."""
    if not ownership.in_mail_domain(address):
        return False
    own = ownership.namespace_host(actor.organization.slug)
    if address.rpartition("@")[2] == own:
        return True
    raise ValidationFailed(
        f"The address {address} cannot be added.",
        {"address": f"Under {ownership.mail_domain()} you can only add addresses @{own}."},
    )


def add_address(actor: User, address: str) -> SupportAddress:
    """Add a support address: verified at once in the own namespace, else a code is mailed."""
    require(actor, "mail.manage")
    address = normalise_email(address, field="address")
    own_namespace = _check_namespace(actor, address)
    taken = db.session.scalar(sa.select(SupportAddress).where(SupportAddress.address == address))
    if taken is not None and (taken.verified or taken.organization_id == actor.organization_id):
        raise ValidationFailed(
            f"The address {address} is already in use.",
            {"address": "This address already routes mail to an organization."},
        )
    if taken is not None:
        # Another organization's unverified claim proves nothing: it must not block the owner.
        db.session.delete(taken)
        db.session.flush()
    if not own_namespace and ownership.is_ours(address):
        raise ValidationFailed(
            f"The address {address} cannot be added.",
            {"address": "This is supportdesk's own sender address."},
        )
    row = SupportAddress(organization_id=actor.organization_id, address=address, is_default=False)
    db.session.add(row)
    if own_namespace:
        row.verified_at = utcnow()
        row.is_default = not any(a.is_default for a in _addresses(actor.organization_id))
        db.session.flush()
    else:
        db.session.flush()
        verification.start(row)
    _audit(actor, "support_address.added", row, after={"verified": row.verified})
    return row


def _audit(actor: User, action: str, row: SupportAddress, **change) -> None:
    audit.record(
        actor.organization_id,
        action,
        actor=actor,
        target=("support_address", row.id, row.address),
        **change,
    )


def _own(actor: User, address_id: int) -> SupportAddress:
    row = db.session.scalar(
        sa.select(SupportAddress).where(
            SupportAddress.organization_id == actor.organization_id, SupportAddress.id == address_id
        )
    )
    if row is None:
        raise NotFound("That support address does not exist.")
    return row


def resend_verification(actor: User, address_id: int) -> SupportAddress:
    """Mail a new code to an unverified address (the old one stops working)."""
    require(actor, "mail.manage")
    row = _own(actor, address_id)
    if row.verified:
        raise ValidationFailed(
            f"{row.address} is already verified.", {"address": "Nothing to verify."}
        )
    verification.start(row)
    _audit(actor, "support_address.verification_sent", row)
    return row


def make_default(actor: User, address_id: int) -> SupportAddress:
    """Make this verified address the organization's default (the one shown to customers)."""
    require(actor, "mail.manage")
    chosen = _own(actor, address_id)
    if not chosen.verified:
        raise ValidationFailed(
            f"{chosen.address} is not verified yet.",
            {"address": "Only a verified address can be the default."},
        )
    previous = next((a.address for a in _addresses(actor.organization_id) if a.is_default), None)
    for row in _addresses(actor.organization_id):
        row.is_default = row.id == chosen.id
    db.session.flush()
    if previous != chosen.address:
        _audit(
            actor,
            "support_address.made_default",
            chosen,
            before={"default": previous},
            after={"default": chosen.address},
        )
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
    _audit(
        actor,
        "support_address.removed",
        row,
        before={"address": row.address, "verified": row.verified},
    )
    db.session.delete(row)
    db.session.flush()
