"""An organization's single sign-on settings: one row per organization, absent until saved."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import Organization, Role
from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db
from supportdesk.secretbox import EncryptedText


class SsoSettings(db.Model):
    """The OpenID Connect provider of an organization and how its agents may sign in."""

    __tablename__ = "sso_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    # What the sign-in button says: "Sign in with <provider_name>".
    provider_name: Mapped[str] = mapped_column(sa.String(80), default="")
    issuer: Mapped[str] = mapped_column(sa.String(500), default="")
    client_id: Mapped[str] = mapped_column(sa.String(255), default="")
    # Encrypted at rest (supportdesk.secretbox); never rendered back, only "set" / "replace".
    client_secret: Mapped[str | None] = mapped_column(EncryptedText)
    # Lower-cased domains whose verified addresses may sign in ("example.com").
    allowed_domains: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Just-in-time agents: an unknown verified address of an allowed domain becomes an agent.
    jit_enabled: Mapped[bool] = mapped_column(default=False)
    jit_role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.AGENT)
    # Password sign-in refused for the organization's agents, admins excepted (break-glass).
    sso_only: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()

    @property
    def usable(self) -> bool:
        """Enabled with everything a sign-in needs."""
        return bool(self.enabled and self.issuer and self.client_id and self.allowed_domains)

    @property
    def button_label(self) -> str:
        """The sign-in page's button for this organization's provider."""
        if self.provider_name:
            return f"Sign in with {self.provider_name}"
        return f"Sign in to {self.organization.name} with SSO"

    def __repr__(self) -> str:
        return f"<SsoSettings org={self.organization_id} enabled={self.enabled}>"
