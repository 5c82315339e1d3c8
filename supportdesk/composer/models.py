"""A half-written reply or note, kept on the server per ticket and agent."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db import UTCDateTime, utcnow
from supportdesk.extensions import db


class ComposerDraft(db.Model):
    """What an agent has typed in a ticket's composer and not sent yet (one per ticket and agent)."""

    __tablename__ = "composer_drafts"
    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "user_id", name="uq_composer_drafts_ticket_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "public" (a reply) or "internal" (a note): the mode the composer was in.
    mode: Mapped[str] = mapped_column(sa.String(10), default="public")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    cc: Mapped[str] = mapped_column(sa.Text, default="")
    time_spent_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
