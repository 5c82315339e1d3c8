"""An agent's authenticator (TOTP secret) and their one-time recovery codes."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db import UTCDateTime, utcnow
from supportdesk.extensions import db
from supportdesk.secretbox import EncryptedText


class TotpFactor(db.Model):
    """One agent's authenticator app: the confirmed secret, or one being set up.

    Both secrets are stored encrypted (secretbox): the server needs them again to check codes.
    `last_step` is the 30-second time step of the last code accepted; a code of that step or an
    earlier one is refused, so a code seen over a shoulder cannot be used a second time.
    """

    __tablename__ = "totp_factors"
    __table_args__ = (sa.UniqueConstraint("user_id", name="uq_totp_factors_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The secret codes are checked against, once confirmed (None until then).
    secret: Mapped[str | None] = mapped_column(EncryptedText)
    # The secret shown on the set-up page, waiting for its first correct code.
    pending_secret: Mapped[str | None] = mapped_column(EncryptedText)
    enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def enabled(self) -> bool:
        return self.secret is not None and self.enabled_at is not None


class RecoveryCode(db.Model):
    """A one-time code for signing in without the authenticator, stored as an argon2 hash."""

    __tablename__ = "recovery_codes"
    __table_args__ = (sa.Index("ix_recovery_codes_org_user", "organization_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
