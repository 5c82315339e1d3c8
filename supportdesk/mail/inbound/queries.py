"""Inbound mail reads: support addresses, the unprocessed list, a message's mail details.

Unrouted mail belongs to no organization; an admin sees it only once one of its recipients is
one of their organization's support addresses (then "retry" routes it there). Nothing else of
another tenant is ever visible.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.mail.identity.models import SupportAddress
from supportdesk.mail.inbound.models import InboundEmail, InboundStatus
from supportdesk.tickets.models import Ticket

UNROUTED_SCAN = 500  # unrouted rows examined per page (they are rare and short-lived)


def list_addresses(organization_id: int) -> list[SupportAddress]:
    """The organization's support addresses, default first."""
    return list(
        db.session.scalars(
            sa.select(SupportAddress)
            .where(SupportAddress.organization_id == organization_id)
            .order_by(SupportAddress.is_default.desc(), SupportAddress.address)
        )
    )


def _owned(organization_id: int) -> set[str]:
    """The organization's verified addresses: an unverified one claims no mail."""
    return {a.address for a in list_addresses(organization_id) if a.verified}


def _claimable(row: InboundEmail, owned: set[str]) -> bool:
    return row.organization_id is None and bool(owned.intersection(row.recipients or ()))


def list_unprocessed(organization_id: int, limit: int = 200) -> list[InboundEmail]:
    """Kept mail an admin of the organization can act on, newest first."""
    owned = _owned(organization_id)
    rows = db.session.scalars(
        sa.select(InboundEmail)
        .where(
            InboundEmail.status == InboundStatus.UNPROCESSED,
            sa.or_(
                InboundEmail.organization_id == organization_id,
                InboundEmail.organization_id.is_(None),
            ),
        )
        .order_by(InboundEmail.received_at.desc(), InboundEmail.id.desc())
        .limit(UNROUTED_SCAN)
    )
    visible = [r for r in rows if r.organization_id == organization_id or _claimable(r, owned)]
    return visible[:limit]


def list_inbound(
    organization_id: int, *, status: InboundStatus | None = None, limit: int = 100
) -> list[InboundEmail]:
    """The organization's received mail, newest first, optionally of one status."""
    query = sa.select(InboundEmail).where(InboundEmail.organization_id == organization_id)
    if status is not None:
        query = query.where(InboundEmail.status == status)
    order = (InboundEmail.received_at.desc(), InboundEmail.id.desc())
    return list(db.session.scalars(query.order_by(*order).limit(limit)))


def get_visible_inbound(organization_id: int, inbound_id: int) -> InboundEmail:
    """A kept message of the organization (or unrouted to one of its addresses), raw included."""
    row = db.session.scalar(
        sa.select(InboundEmail)
        .where(InboundEmail.id == inbound_id)
        .options(undefer(InboundEmail.raw))
    )
    if row is None or not (
        row.organization_id == organization_id or _claimable(row, _owned(organization_id))
    ):
        raise NotFound("That message does not exist.")
    return row


def get_inbound(organization_id: int, inbound_id: int) -> InboundEmail:
    """One of the organization's received messages with its raw bytes (for "view original")."""
    row = db.session.scalar(
        sa.select(InboundEmail)
        .where(InboundEmail.organization_id == organization_id, InboundEmail.id == inbound_id)
        .options(undefer(InboundEmail.raw))
    )
    if row is None:
        raise NotFound("That message does not exist.")
    return row


def mail_for_messages(organization_id: int, message_ids: list[int]) -> dict[int, InboundEmail]:
    """The inbound decision of each message that came in by email, in one query."""
    if not message_ids:
        return {}
    params = {"organization_id": organization_id, "message_ids": message_ids}
    return {row.message_id: row for row in db.session.scalars(_mail_statement(), params)}


def mail_exists(organization_id, message_id) -> sa.Exists:
    """Whether a message came in by email (mail_for_messages would find its row): the ticket
    page reads it with each message and asks mail_for_messages only about those that did."""
    return sa.exists().where(
        InboundEmail.organization_id == organization_id, InboundEmail.message_id == message_id
    )


@functools.cache
def _mail_statement() -> sa.Select:
    # Built once: every ticket page runs it.
    return sa.select(InboundEmail).where(
        InboundEmail.organization_id == sa.bindparam("organization_id"),
        InboundEmail.message_id.in_(sa.bindparam("message_ids", expanding=True)),
    )


def ticket_number(organization_id: int, ticket_id: int | None) -> int | None:
    """The number of the organization's ticket with this id (None when there is none)."""
    if ticket_id is None:
        return None
    return db.session.scalar(
        sa.select(Ticket.number).where(
            Ticket.organization_id == organization_id, Ticket.id == ticket_id
        )
    )
