"""The customer model."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db


class Tier(enum.Enum):
    """Commercial tier of a customer; SLAs may depend on it."""

    FREE = "free"
    BASIC = "basic"
    PREMIUM = "premium"
    ENTERPRISE = "enterprise"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# An erased customer's address is `erased-<id>@` this domain (privacy.erase; .invalid never
# resolves, RFC 2606).
ERASED_DOMAIN = "erased.invalid"


class Customer(db.Model):
    """A person who contacts support; identified by email within an organization."""

    __tablename__ = "customers"
    __table_args__ = (
        # Emails are stored lower-cased, so this is a case-insensitive uniqueness rule.
        sa.UniqueConstraint("organization_id", "email", name="uq_customers_org_email"),
        sa.Index("ix_customers_organization_id_name", "organization_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    tier: Mapped[Tier] = mapped_column(enum_column(Tier, "tier"), default=Tier.FREE)
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    # Ids of this customer in other systems (CRM, billing): {"hubspot": "123"}.
    external_ids: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by a hard bounce: outbound mail to this address is not sent until an agent lifts it.
    email_suppressed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    email_suppression_reason: Mapped[str | None] = mapped_column(sa.String(300))
    # The language mail to this customer speaks (supportdesk.i18n.LANGUAGES); None: not known
    # yet, mail in English, and the next inbound mail's Content-Language fills it.
    language: Mapped[str | None] = mapped_column(sa.String(16))
    # The CRM's contact id and how the last sync went (supportdesk.crm): status is "" (never),
    # "pending", "synced" or "failed", with the reason in words.
    crm_id: Mapped[str | None] = mapped_column(sa.String(100))
    crm_synced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    crm_sync_status: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    crm_sync_error: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # The contact owner's name in the CRM, from the last read of the contact.
    crm_owner: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    # Each mapped field's value as both sides last agreed on it ({"company": "Acme"}): a field
    # that differs from it on both sides changed on both since the last sync (crm.conflicts).
    crm_synced_values: Mapped[dict] = mapped_column(
        JSONType, default=dict, server_default=sa.text("'{}'")
    )

    @property
    def email_suppressed(self) -> bool:
        return self.email_suppressed_at is not None

    @property
    def erased(self) -> bool:
        """Erased for good (privacy.erase): only the id and the statistics are left."""
        return self.email.endswith("@" + ERASED_DOMAIN)

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<Customer {self.email}>"
