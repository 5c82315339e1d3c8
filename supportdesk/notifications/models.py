"""Notification models: one row per recipient agent, and each agent's per-kind preferences."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import User
from supportdesk.db import UTCDateTime, enum_column, utcnow
from supportdesk.exports.models import Export
from supportdesk.extensions import db
from supportdesk.tickets.models import Ticket


class NotificationKind(enum.Enum):
    """What an agent can be told about (the account page lists them in this order)."""

    ASSIGNED = "assigned"
    CUSTOMER_REPLIED = "customer_replied"
    MENTIONED = "mentioned"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    EXPORT_FINISHED = "export_finished"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def short_label(self) -> str:
        """The kind in a word or two, under each notification of the list."""
        return self.value.replace("_", " ").capitalize().replace("Sla", "SLA")


KIND_LABELS = {
    NotificationKind.ASSIGNED: "A ticket is assigned to me",
    NotificationKind.CUSTOMER_REPLIED: "The customer replied on my ticket",
    NotificationKind.MENTIONED: "Someone mentions me in an internal note",
    NotificationKind.SLA_WARNING: "My ticket is close to missing an SLA target",
    NotificationKind.SLA_BREACHED: "My ticket missed an SLA target",
    NotificationKind.EXPORT_FINISHED: "An export I asked for is ready (or failed)",
}


class Channel(enum.Enum):
    """Where a notification can reach an agent."""

    IN_APP = "in_app"
    EMAIL = "email"


class AgentNotification(db.Model):
    """One notification for one agent, written in the same transaction as the change it reports."""

    __tablename__ = "agent_notifications"
    __table_args__ = (
        # The list page: newest first for one agent.
        sa.Index("ix_agent_notifications_user", "user_id", "id"),
        # The bell on every page: only unread rows are indexed, so counting them stays cheap.
        sa.Index(
            "ix_agent_notifications_unread",
            "user_id",
            postgresql_where=sa.text("read_at IS NULL"),
            sqlite_where=sa.text("read_at IS NULL"),
        ),
        sa.Index("ix_agent_notifications_ticket", "ticket_id"),
        sa.Index("ix_agent_notifications_export", "export_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column(NotificationKind, "notification_kind")
    )
    # What it is about: a ticket, or (export_finished) an export.
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    export_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exports.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped[Ticket | None] = relationship(lazy="raise_on_sql")
    export: Mapped[Export | None] = relationship(lazy="raise_on_sql")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_user_id], lazy="raise_on_sql")

    @property
    def unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(db.Model):
    """An agent's choice for one kind; without a row the kind's default (preferences.DEFAULTS)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column(NotificationKind, "notification_kind")
    )
    in_app: Mapped[bool] = mapped_column(default=True)
    email: Mapped[bool] = mapped_column(default=True)
