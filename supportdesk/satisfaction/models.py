"""The satisfaction survey of one resolution, and the customer's rating and comment.

Reports read this table: a row per resolution that was surveyed; `rating` is NULL until the
customer clicks one of the emailed links.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db import UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db


class Rating(enum.Enum):
    """The three answers of the survey, best first."""

    GOOD = "good"
    OKAY = "okay"
    BAD = "bad"

    @property
    def label(self) -> str:
        return {"good": "Good", "okay": "Okay", "bad": "Bad"}[self.value]


MAX_COMMENT = 2000


class SatisfactionRating(db.Model):
    """One survey: sent for a resolution (now or after the organization's delay), rated once."""

    __tablename__ = "satisfaction_ratings"
    __table_args__ = (
        sa.Index("ix_satisfaction_ratings_org_created", "organization_id", "created_at"),
        sa.Index("ix_satisfaction_ratings_ticket", "ticket_id", "id"),
        # The sweep of delayed surveys: only the unsent ones.
        sa.Index(
            "ix_satisfaction_ratings_unsent",
            "send_after",
            postgresql_where=sa.text("sent_at IS NULL"),
            sqlite_where=sa.text("sent_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"))
    # Who and which team resolved it, as it stood at the resolution (reports group by them).
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"))
    rating: Mapped[Rating | None] = mapped_column(enum_column(Rating, "rating"))
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # The resolution's time; the survey goes out at `send_after` (sent_at records it).
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_after: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    commented_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
