"""Password hashing with argon2id at OWASP's minimum cost (19 MiB, 2 passes, 1 lane).

That cost keeps a login flood from becoming a denial of service on a small server while staying
within OWASP's recommendation. Tests may switch to cheap parameters (PASSWORD_HASH_FAST).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_OWASP = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

# Verified when the email is unknown, so a missing account costs the same time as a wrong password.
_DUMMY_HASH = _OWASP.hash("supportdesk-timing-equaliser")


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"):
        return _FAST
    return _OWASP


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password in constant-ish time; an absent hash still costs one verification."""
    try:
        return _hasher().verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the stored hash uses weaker parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)
