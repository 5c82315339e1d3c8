"""Emailed links that let someone set a password: invitations (new agents) and password resets.

Each link carries a 256-bit random secret; only its SHA-256 is stored, so the database, its
backups and the outbox preview (body hidden) never yield a working link. A link works once,
until its expiry, and only while nothing newer replaced it: the state lives in the row, which
is what makes it single-use (a signature alone could not be revoked or used up).
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import Organization, Role
from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db
from supportdesk.tokens.service import hash_token

MAX_LINK_SECRET = 100


def new_secret() -> tuple[str, str]:
    """A fresh link secret and the hash to store."""
    plain = secrets.token_urlsafe(32)
    return plain, hash_token(plain)


def secret_hash(plain: str) -> str | None:
    """The stored form of a secret from a link; None for something no link carries."""
    if not plain or len(plain) > MAX_LINK_SECRET:
        return None
    return hash_token(plain)


class Invitation(db.Model):
    """An admin's invitation: the agent is created when they accept it and set a password."""

    __tablename__ = "agent_invitations"
    __table_args__ = (
        sa.UniqueConstraint("token_hash", name="uq_agent_invitations_token_hash"),
        sa.Index(
            "ix_agent_invitations_org_pending", "organization_id", "accepted_at", "revoked_at"
        ),
        sa.Index("ix_agent_invitations_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    team_ids: Mapped[list] = mapped_column(JSONType, default=list)
    invited_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The agent created on acceptance.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship()

    def usable(self, now: dt.datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>"


class PasswordReset(db.Model):
    """A password reset link sent to an agent (asked for by them, or forced by an admin)."""

    __tablename__ = "password_resets"
    __table_args__ = (
        sa.UniqueConstraint("token_hash", name="uq_password_resets_token_hash"),
        sa.Index("ix_password_resets_org_user", "organization_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    forced_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Replaced by a newer link, or made pointless by a sign-in or a password change.
    invalidated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def usable(self, now: dt.datetime) -> bool:
        return self.used_at is None and self.invalidated_at is None and now < self.expires_at
