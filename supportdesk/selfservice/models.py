"""Self-service models: an organization's portal settings and the customers' sign-in links."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db import UTCDateTime, utcnow
from supportdesk.extensions import db


class PortalSettings(db.Model):
    """What an organization's customers may do on their own (one row per organization; the
    defaults apply while there is none)."""

    __tablename__ = "portal_settings"

    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    # Customers see the tickets of everyone with the same company name (Customer.company).
    company_tickets: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The contact form (and its embeddable copy) opens tickets.
    contact_form: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Satisfaction survey after a resolution, sent `csat_delay_hours` after it (0: in the
    # resolution email itself).
    csat_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    csat_delay_hours: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PortalLink(db.Model):
    """A one-time sign-in link mailed to a customer. Only the secret's SHA-256 is stored."""

    __tablename__ = "portal_links"
    __table_args__ = (
        sa.UniqueConstraint("token_hash", name="uq_portal_links_token_hash"),
        sa.Index("ix_portal_links_org_customer", "organization_id", "customer_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def usable(self, now: dt.datetime) -> bool:
        return self.used_at is None and now < self.expires_at
