"""Mail identity models: the organizations' support addresses (the addresses that are ours)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db import UTCDateTime, utcnow
from supportdesk.extensions import db

# The outbox kind of the email carrying a support address's one-time code (mail.identity.verification).
VERIFICATION_EMAIL_KIND = "address_verification"


class SupportAddress(db.Model):
    """An address customers write to; once verified, mail sent to it belongs to its organization.

    Addresses in the organization's own namespace (`*@<slug>.<MAIL_DOMAIN>`) are verified when
    added; any other address when the one-time code mailed to it comes back in through our
    inbound path. Only the code's SHA-256 is stored: the code itself is never shown to anyone.
    """

    __tablename__ = "support_addresses"
    __table_args__ = (
        # One owner per address in the whole installation (stored lower-cased): routing is exact.
        sa.UniqueConstraint("address", name="uq_support_addresses_address"),
        sa.Index("ix_support_addresses_org", "organization_id", "address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    address: Mapped[str] = mapped_column(sa.String(254))
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    verification_hash: Mapped[str | None] = mapped_column(sa.String(64))
    verification_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Why the last code was withdrawn (its mail bounced, say); "" while all is well.
    verification_note: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:
        return f"<SupportAddress {self.address}>"
