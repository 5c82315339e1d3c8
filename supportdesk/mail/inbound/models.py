"""Inbound mail models: every received message (raw, with the decision taken).

Its attachments are supportdesk.attachments.models.Attachment rows, as agents' files are."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db


class InboundStatus(enum.Enum):
    """What became of a received message."""

    PROCESSED = "processed"  # a ticket was opened or a reply added
    UNPROCESSED = "unprocessed"  # kept for an admin: unrouted or unparseable
    DUPLICATE = "duplicate"  # the same Message-ID was already received
    IGNORED = "ignored"  # an auto-reply or a bounce: logged, never a ticket change
    REJECTED = "rejected"  # refused on purpose (mail from our own addresses)

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Decision(enum.Enum):
    """How the message was matched, stored with a sentence saying why."""

    NEW_TICKET = "new_ticket"
    REPLY_BY_ADDRESS = "reply_by_address"
    REPLY_BY_MESSAGE_ID = "reply_by_message_id"
    REPLY_BY_SUBJECT_TOKEN = "reply_by_subject_token"  # noqa: S105 (not a secret)
    AUTO_REPLY_IGNORED = "auto_reply_ignored"
    BOUNCE = "bounce"
    UNROUTED = "unrouted"
    UNPARSEABLE = "unparseable"
    DUPLICATE = "duplicate"
    ADDRESS_VERIFICATION = "address_verification"

    @property
    def label(self) -> str:
        return _DECISION_LABELS[self]


_DECISION_LABELS = {
    Decision.NEW_TICKET: "Opened a new ticket",
    Decision.REPLY_BY_ADDRESS: "Matched by reply address",
    Decision.REPLY_BY_MESSAGE_ID: "Matched by Message-ID",
    Decision.REPLY_BY_SUBJECT_TOKEN: "Matched by ticket number in the subject",
    Decision.AUTO_REPLY_IGNORED: "Automatic reply, ignored",
    Decision.BOUNCE: "Delivery failure report",
    Decision.UNROUTED: "Sent to no known support address",
    Decision.UNPARSEABLE: "Could not be read",
    Decision.DUPLICATE: "Already received",
    Decision.ADDRESS_VERIFICATION: "Support address verification",
}


class InboundEmail(db.Model):
    """One received message, raw bytes included, with what was decided about it and why."""

    __tablename__ = "inbound_emails"
    __table_args__ = (
        sa.Index("ix_inbound_emails_org_msgid", "organization_id", "message_id_header"),
        sa.Index("ix_inbound_emails_org_status", "organization_id", "status", "received_at"),
        sa.Index("ix_inbound_emails_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None while no support address matched (unrouted mail belongs to nobody yet).
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    source: Mapped[str] = mapped_column(sa.String(20))  # http | lmtp | cli
    envelope_recipients: Mapped[list] = mapped_column(JSONType, default=list)
    # Every address the mail was sent to (envelope, Delivered-To, To, Cc), lower-cased.
    recipients: Mapped[list] = mapped_column(JSONType, default=list)
    message_id_header: Mapped[str | None] = mapped_column(sa.String(998))
    from_address: Mapped[str] = mapped_column(sa.String(320), default="")
    subject: Mapped[str] = mapped_column(sa.String(998), default="")
    size: Mapped[int]
    # Deferred: lists never load megabytes of mail they do not show.
    raw: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    status: Mapped[InboundStatus] = mapped_column(enum_column(InboundStatus, "inbound_status"))
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, "inbound_decision"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # The DMARC result our receiving MTA wrote in Authentication-Results ("" when none).
    dmarc: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tickets.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("messages.id", ondelete="SET NULL")
    )
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def decide(self, status: InboundStatus, decision: Decision, reason: str) -> None:
        """Record what became of the message and the sentence saying why."""
        self.status, self.decision, self.reason = status, decision, reason[:500]

    @property
    def dmarc_failed(self) -> bool:
        """The sender's domain failed DMARC: its From may be forged (shown as a flag)."""
        return self.dmarc == "fail"

    def __repr__(self) -> str:
        return f"<InboundEmail {self.id} {self.status.value} {self.decision.value}>"
