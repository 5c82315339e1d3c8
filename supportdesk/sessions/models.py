"""The sign-in session record: one row per sign-in, referenced by a random key in the cookies."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from ua_parser import parse as parse_user_agent

from supportdesk.accounts.models import User
from supportdesk.db import UTCDateTime, utcnow
from supportdesk.extensions import db

MAX_USER_AGENT = 300


class AgentSession(db.Model):
    """A signed-in browser. Only a SHA-256 of its key is stored; the key lives in the cookies."""

    __tablename__ = "agent_sessions"
    __table_args__ = (
        sa.UniqueConstraint("token_hash", name="uq_agent_sessions_token_hash"),
        sa.Index("ix_agent_sessions_org_user", "organization_id", "user_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # Hex SHA-256 of the key: the key has 256 random bits, so no salt or slow hash is needed.
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    remember: Mapped[bool] = mapped_column(default=False)
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(MAX_USER_AGENT), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="raise_on_sql")

    # The plain key, known only in the request that created or presented it; never stored.
    key = None

    @property
    def device(self) -> str:
        """'Firefox on Windows', from the user agent; 'Unknown device' when it says nothing."""
        result = parse_user_agent(self.user_agent or "")
        browser = result.user_agent.family if result.user_agent else None
        system = result.os.family if result.os else None
        if browser and system:
            return f"{browser} on {system}"
        return browser or system or "Unknown device"

    def __repr__(self) -> str:
        return f"<AgentSession {self.id} user={self.user_id}>"
