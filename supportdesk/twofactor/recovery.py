"""One-time recovery codes: made ten at a time, shown once, stored as argon2 hashes (the password
hasher), each spent by its first use. Flushes only; supportdesk.twofactor.service records them."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.accounts.passwords import hash_password, verify_password
from supportdesk.extensions import db
from supportdesk.twofactor.models import RecoveryCode

COUNT = 10
# Lower-case letters and digits without the look-alikes (0/o, 1/l/i): read from paper reliably.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 10  # 10 of 31 symbols: about 50 bits each, shown as xxxxx-xxxxx


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _normalized(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def looks_like_code(code: str) -> bool:
    """Whether the input has the shape of a recovery code (case, spaces and hyphens aside)."""
    plain = _normalized(code)
    return len(plain) == LENGTH and all(ch in ALPHABET for ch in plain)


def remove_all(user: User) -> None:
    """Delete every recovery code of the agent, used or not."""
    db.session.execute(
        sa.delete(RecoveryCode).where(
            RecoveryCode.organization_id == user.organization_id, RecoveryCode.user_id == user.id
        )
    )


def replace_all(user: User, now: dt.datetime) -> list[str]:
    """New codes for the agent (the earlier ones are deleted); the plain codes, to show once."""
    remove_all(user)
    codes = [_new_code() for _ in range(COUNT)]
    db.session.add_all(
        RecoveryCode(
            organization_id=user.organization_id,
            user_id=user.id,
            code_hash=hash_password(_normalized(code)),
            created_at=now,
        )
        for code in codes
    )
    db.session.flush()
    return codes


def _unused(user: User, *, lock: bool = False) -> sa.Select:
    query = sa.select(RecoveryCode).where(
        RecoveryCode.organization_id == user.organization_id,
        RecoveryCode.user_id == user.id,
        RecoveryCode.used_at.is_(None),
    )
    return query.with_for_update() if lock else query


def unused_count(user: User) -> int:
    """How many of the agent's codes are left."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(_unused(user).subquery()))


def matching(user: User, code: str) -> RecoveryCode | None:
    """The agent's unused code equal to `code` (rows locked: two requests cannot both spend it)."""
    plain = _normalized(code)
    for row in db.session.scalars(_unused(user, lock=True).order_by(RecoveryCode.id)):
        if verify_password(row.code_hash, plain):
            return row
    return None
