"""Notification models: outgoing emails (the outbox), their delivery attempts, per-org settings."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db import UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db
from supportdesk.mail.identity.models import VERIFICATION_EMAIL_KIND
from supportdesk.outbox import OutboxMixin


class Notification(enum.Enum):
    """Every email we send on our own, named after its template in templates/emails/."""

    TICKET_ACKNOWLEDGED = "ticket_acknowledged"
    AGENT_REPLIED = "agent_replied"
    TICKET_RESOLVED = "ticket_resolved"
    TICKET_ASSIGNED = "ticket_assigned"
    CUSTOMER_REPLIED = "customer_replied"
    WEBHOOK_DISABLED = "webhook_disabled"
    CRM_CONNECTION_BROKEN = "crm_connection_broken"
    SLA_BREACHED = "sla_breached"
    MENTIONED = "mentioned"

    @property
    def label(self) -> str:
        return NOTIFICATION_LABELS[self]

    @property
    def automatic(self) -> bool:
        """Machine-written mail (Auto-Submitted, capped); an agent's reply is written by a person."""
        return self is not Notification.AGENT_REPLIED

    @property
    def to_customer(self) -> bool:
        return self in CUSTOMER_NOTIFICATIONS

    @property
    def switchable(self) -> bool:
        """Whether the organization can switch it off (a NotificationSettings column)."""
        return self not in ALWAYS_SENT


CUSTOMER_NOTIFICATIONS = (
    Notification.TICKET_ACKNOWLEDGED,
    Notification.AGENT_REPLIED,
    Notification.TICKET_RESOLVED,
)
# Admin mail about a broken integration, and agent mail about a missed SLA target or a mention,
# have no organization switch (and no column): each agent chooses for themselves
# (supportdesk.notifications.preferences).
ALWAYS_SENT = (
    Notification.WEBHOOK_DISABLED,
    Notification.CRM_CONNECTION_BROKEN,
    Notification.SLA_BREACHED,
    Notification.MENTIONED,
)
NOTIFICATION_LABELS = {
    Notification.TICKET_ACKNOWLEDGED: "Customer: we received your request (new ticket)",
    Notification.AGENT_REPLIED: "Customer: an agent's public reply",
    Notification.TICKET_RESOLVED: "Customer: ticket resolved (reply to reopen)",
    Notification.TICKET_ASSIGNED: "Agent: a ticket was assigned to you",
    Notification.CUSTOMER_REPLIED: "Agent: the customer replied on your ticket",
    Notification.WEBHOOK_DISABLED: "Admin: a webhook endpoint was disabled automatically",
    Notification.CRM_CONNECTION_BROKEN: "Admin: the CRM refused the connection's credentials",
    Notification.SLA_BREACHED: "Agent: a ticket missed an SLA target (the assignee, or team lead)",
    Notification.MENTIONED: "Agent: someone mentioned you in an internal note",
}


# The outbox kind of the email carrying a support address's one-time code: not a Notification
# (no switch), and its body is never shown in a preview (mail.identity.verification).
ADDRESS_VERIFICATION = VERIFICATION_EMAIL_KIND
# Mail carrying a link that sets a password: no switch either, and never previewed.
AGENT_INVITATION = "agent_invitation"
PASSWORD_RESET = "password_reset"  # noqa: S105  (a template name)
# A customer's one-time portal sign-in link (supportdesk.selfservice): no switch, never previewed.
PORTAL_SIGN_IN = "portal_sign_in"
SECRET_KINDS = (ADDRESS_VERIFICATION, AGENT_INVITATION, PASSWORD_RESET, PORTAL_SIGN_IN)
# A satisfaction survey mailed after the organization's delay (supportdesk.satisfaction); the
# organization's survey switch (PortalSettings.csat_enabled) decides whether one exists.
SATISFACTION_SURVEY = "satisfaction_survey"
# An export the agent asked for finished (supportdesk.exports): mailed when the agent is away
# from the console, if they want it (notification kind export_finished); no organization switch.
EXPORT_FINISHED = "export_finished"
# An agent's weekly or monthly report summary (supportdesk.reports.digest): they subscribed to
# it themselves and unsubscribe on the page it links to, so it has no organization switch.
REPORT_SUMMARY = "report_summary"


class AttemptOutcome(enum.Enum):
    """What one try at handing an email to a server gave."""

    SENT = "sent"
    DEFERRED = "deferred"  # temporary: connection error or 4xx, tried again later
    FAILED = "failed"  # permanent: 5xx


class EmailMessage(OutboxMixin, db.Model):
    """One outgoing email, rendered when queued, so what we send is what the console previews."""

    __tablename__ = "email_messages"
    __table_args__ = (
        sa.Index("ix_email_messages_state_next", "state", "next_attempt_at"),
        sa.Index("ix_email_messages_org_state", "organization_id", "state", "created_at"),
        sa.Index("ix_email_messages_org_message", "organization_id", "message_id"),
        sa.Index("ix_email_messages_org_ticket", "organization_id", "ticket_id", "id"),
        sa.Index("ix_email_messages_org_to", "organization_id", "to_address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id", ondelete="SET NULL"))
    # The conversation message this email carries or reports (for the badge on the ticket page).
    message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("messages.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(sa.String(40))
    automatic: Mapped[bool] = mapped_column(default=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # Copied addresses (an agent's reply with Cc), comma-separated; each is also an envelope recipient.
    cc: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    subject: Mapped[str] = mapped_column(sa.String(400))
    message_id_header: Mapped[str] = mapped_column(sa.String(255), unique=True)
    in_reply_to: Mapped[str] = mapped_column(sa.String(998), default="")
    references: Mapped[str] = mapped_column(sa.Text, default="")
    reply_to: Mapped[str] = mapped_column(sa.String(254), default="")
    html_body: Mapped[str] = mapped_column(sa.Text)
    text_body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Which server took it: "primary", "fallback" or "file" (no SMTP configured).
    server: Mapped[str] = mapped_column(sa.String(20), default="")

    @property
    def notification(self) -> Notification | None:
        try:
            return Notification(self.kind)
        except ValueError:
            return None

    @property
    def body_hidden(self) -> bool:
        """The body carries a one-time secret: previews show headers and attempts only."""
        return self.kind in SECRET_KINDS

    def __repr__(self) -> str:
        return f"<EmailMessage {self.id} {self.kind} {self.state.value}>"


class EmailAttempt(db.Model):
    """One try at handing an email to one server, with the server's answer."""

    __tablename__ = "email_attempts"
    __table_args__ = (sa.Index("ix_email_attempts_email_id", "email_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    email_id: Mapped[int] = mapped_column(sa.ForeignKey("email_messages.id", ondelete="CASCADE"))
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    server: Mapped[str] = mapped_column(sa.String(20))
    outcome: Mapped[AttemptOutcome] = mapped_column(enum_column(AttemptOutcome, "attempt_outcome"))
    smtp_code: Mapped[int | None]
    smtp_reply: Mapped[str] = mapped_column(sa.String(500), default="")
    duration_ms: Mapped[int] = mapped_column(default=0)


DEFAULT_ACCENT = "#2563eb"


class NotificationSettings(db.Model):
    """An organization's switches for each notification and the branding of its emails."""

    __tablename__ = "notification_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), unique=True)
    ticket_acknowledged: Mapped[bool] = mapped_column(default=True)
    agent_replied: Mapped[bool] = mapped_column(default=True)
    ticket_resolved: Mapped[bool] = mapped_column(default=True)
    ticket_assigned: Mapped[bool] = mapped_column(default=True)
    customer_replied: Mapped[bool] = mapped_column(default=True)
    sender_name: Mapped[str] = mapped_column(sa.String(100), default="")
    accent_color: Mapped[str] = mapped_column(sa.String(7), default=DEFAULT_ACCENT)
    logo_url: Mapped[str] = mapped_column(sa.String(500), default="")
    footer_text: Mapped[str] = mapped_column(sa.String(1000), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def enabled(self, notification: Notification) -> bool:
        return not notification.switchable or bool(getattr(self, notification.value))
