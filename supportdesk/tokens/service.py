"""API token writes: create (the plain token is returned once), revoke, note use. Flushes only.

A deactivated agent's tokens are revoked at deactivation, so reactivating the agent revives none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from supportdesk import audit
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.db import utcnow
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.tokens.models import ApiToken, Scope

TOKEN_PREFIX = "sdk_"  # noqa: S105  (a public marker, not a secret)
MAX_NAME = 100
MAX_ACTIVE_TOKENS = 50
MAX_EXPIRY_DAYS = 3650
# last_used_at is written at most this often per token: a busy script must not write every request.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


def hash_token(plain: str) -> str:
    """The stored form of a token: hex SHA-256."""
    return hashlib.sha256(plain.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    actor: User, *, name: str, scope: Scope, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for `actor` (its own agent); returns the row and the plain token, shown once.

    `expires_in_days`: the token stops working that many days from now; None: never.
    """
    require(actor, "api_token.manage")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ValidationFailed(
            "The expiry is out of range.",
            {"expires_in_days": f"Use 1 to {MAX_EXPIRY_DAYS} days, or no expiry."},
        )
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("A token needs a name.", {"name": "Say what the token is for."})
    if len(name) > MAX_NAME:
        raise ValidationFailed(
            "The name is too long.", {"name": f"Use at most {MAX_NAME} characters."}
        )
    active = db.session.scalar(
        sa.select(sa.func.count()).where(
            ApiToken.organization_id == actor.organization_id,
            ApiToken.user_id == actor.id,
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
        )
    )
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationFailed(
            "You have too many active tokens.", {"name": "Revoke a token you no longer use first."}
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        organization_id=actor.organization_id,
        user_id=actor.id,
        name=name,
        scope=scope,
        token_hash=hash_token(plain),
        prefix=plain[: len(TOKEN_PREFIX) + 6],
        created_at=now,
        expires_at=None if expires_in_days is None else now + dt.timedelta(days=expires_in_days),
        revoked_at=None,  # loaded, so a bulk revocation updates this row in memory too
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        actor.organization_id,
        "api_token.created",
        actor=actor,
        target=("api_token", token.id, f"{token.name} ({token.prefix}…)"),
        after={"name": token.name, "scope": scope, "expires_at": token.expires_at},
    )
    return token, plain


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (revoking twice is harmless)."""
    require(actor, "api_token.manage")
    return _revoke(
        actor,
        sa.select(ApiToken).where(
            ApiToken.organization_id == actor.organization_id,
            ApiToken.user_id == actor.id,
            ApiToken.id == token_id,
        ),
    )


def revoke_any_token(actor: User, token_id: int) -> ApiToken:
    """An admin revokes any token of their organization."""
    require(actor, "api_token.revoke_any")
    return _revoke(
        actor,
        sa.select(ApiToken)
        .options(joinedload(ApiToken.user))  # the admin is told whose token it was
        .where(ApiToken.organization_id == actor.organization_id, ApiToken.id == token_id),
    )


def _revoke(actor: User, query: sa.Select) -> ApiToken:
    token = db.session.scalar(query)
    if token is None:
        raise NotFound("That token does not exist.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            actor.organization_id,
            "api_token.revoked",
            actor=actor,
            target=("api_token", token.id, f"{token.name} ({token.prefix}…)"),
            before={"revoked": False, "agent_id": token.user_id},
            after={"revoked": True, "agent_id": token.user_id},
        )
    db.session.flush()
    return token


def revoke_agent_tokens(agent: User) -> int:
    """Revoke every token of `agent` (deactivation); returns how many were revoked."""
    return db.session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.organization_id == agent.organization_id,
            ApiToken.user_id == agent.id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    ).rowcount


def note_use(token: ApiToken, now: dt.datetime | None = None) -> bool:
    """Record that the token was used, at most once per TOUCH_INTERVAL. True when written."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return False
    # A plain UPDATE: no ORM flush of anything else, and concurrent requests need no lock.
    db.session.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    token.last_used_at = now
    return True
