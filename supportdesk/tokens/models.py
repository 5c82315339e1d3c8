"""The API token model: only a SHA-256 of the secret is stored, with a short prefix for display."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import User
from supportdesk.db import UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db


class Scope(enum.Enum):
    """What a token may do: read only, or read and write (within its agent's role)."""

    READ = "read"
    READ_WRITE = "read-write"

    @property
    def label(self) -> str:
        return "Read and write" if self is Scope.READ_WRITE else "Read only"


class ApiToken(db.Model):
    """A personal API token of one agent. The plain secret is shown once and never stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        sa.Index("ix_api_tokens_org_user", "organization_id", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    scope: Mapped[Scope] = mapped_column(enum_column(Scope, "token_scope"))
    # Hex SHA-256 of the whole token: the token has 256 random bits, so no salt or slow hash.
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    # The first characters of the token, so an agent can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # None: the token works until revoked.
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="raise_on_sql")

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.expired

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= utcnow()

    @property
    def can_write(self) -> bool:
        return self.scope is Scope.READ_WRITE

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… {self.scope.value}>"
