"""The trace a deleted ticket leaves: one `ticket_deletions` row per deletion, which outlives the
ticket (its history cascades away with it) and says who deleted what, when and why.

Written by `supportdesk.tickets.service.delete_ticket` in the deleting transaction; read by the
admins' audit page. Nothing here points at the ticket with a foreign key: the row is about a
ticket that no longer exists.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from supportdesk.accounts.models import User
from supportdesk.db import JSONType, UTCDateTime, utcnow
from supportdesk.extensions import db

MAX_REASON = 500


class TicketDeletion(db.Model):
    """A deleted ticket as it was at the moment it was deleted, and who deleted it."""

    __tablename__ = "ticket_deletions"
    __table_args__ = (
        sa.Index("ix_ticket_deletions_org_deleted", "organization_id", "deleted_at", "id"),
        sa.Index("ix_ticket_deletions_org_number", "organization_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    ticket_id: Mapped[int]  # the deleted ticket's id (no row to point at any more)
    number: Mapped[int]
    subject: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[str] = mapped_column(sa.String(20))
    customer_id: Mapped[int]
    customer_email: Mapped[str] = mapped_column(sa.String(254))
    ticket_version: Mapped[int]
    message_count: Mapped[int] = mapped_column(default=0)
    # Tags, assignee and team ids as they were, for the audit page and receivers that ask.
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    ticket_created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deleted_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.String(MAX_REASON), default="")
    deleted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    deleted_by: Mapped[User | None] = relationship(lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"<TicketDeletion #{self.number}>"


def list_deletions(organization_id: int, *, limit: int = 100) -> list[TicketDeletion]:
    """The organization's latest deletions, newest first, with who deleted them (1 query)."""
    return list(
        db.session.scalars(
            sa.select(TicketDeletion)
            .where(TicketDeletion.organization_id == organization_id)
            .options(joinedload(TicketDeletion.deleted_by))
            .order_by(TicketDeletion.deleted_at.desc(), TicketDeletion.id.desc())
            .limit(limit)
        )
    )
