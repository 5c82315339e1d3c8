"""Session writes: start one at sign-in, note activity, revoke one or all. Flushes only."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.db import utcnow
from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.sessions.models import MAX_USER_AGENT, AgentSession
from supportdesk.sessions.policy import TOUCH_INTERVAL
from supportdesk.tokens.service import hash_token


def start_session(user: User, *, remember: bool, ip_address: str, user_agent: str) -> AgentSession:
    """A new session for `user`; its plain key is on the returned row (`.key`), nowhere else."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    record = AgentSession(
        organization_id=user.organization_id,
        user_id=user.id,
        token_hash=hash_token(key),
        remember=remember,
        ip_address=(ip_address or "")[:45],
        user_agent=(user_agent or "")[:MAX_USER_AGENT],
        created_at=now,
        last_seen_at=now,
        revoked_at=None,  # loaded, so a bulk revocation updates this row in memory too
    )
    db.session.add(record)
    db.session.flush()
    record.key = key
    return record


def note_seen(record: AgentSession, now: dt.datetime | None = None) -> bool:
    """Record activity on the session, at most once per TOUCH_INTERVAL. True when written."""
    now = now or utcnow()
    if now - record.last_seen_at < TOUCH_INTERVAL:
        return False
    # A plain UPDATE: nothing else is flushed, and concurrent requests need no lock.
    db.session.execute(
        sa.update(AgentSession).where(AgentSession.id == record.id).values(last_seen_at=now)
    )
    record.last_seen_at = now
    return True


def end_session(record: AgentSession) -> None:
    """Revoke this session (sign-out): its session and remember cookies stop working."""
    if record.revoked_at is None:
        record.revoked_at = utcnow()
    db.session.flush()


def revoke_session(actor: User, session_id: int) -> AgentSession:
    """Revoke one of the actor's own sessions (another device); another's id is NotFound."""
    record = db.session.scalar(
        sa.select(AgentSession).where(
            AgentSession.organization_id == actor.organization_id,
            AgentSession.user_id == actor.id,
            AgentSession.id == session_id,
        )
    )
    if record is None:
        raise NotFound("That session does not exist.")
    end_session(record)
    return record


def revoke_sessions(user: User, *, keep: AgentSession | None = None) -> int:
    """Revoke every session of `user` except `keep`; returns how many were revoked."""
    query = sa.update(AgentSession).where(
        AgentSession.organization_id == user.organization_id,
        AgentSession.user_id == user.id,
        AgentSession.revoked_at.is_(None),
    )
    if keep is not None:
        query = query.where(AgentSession.id != keep.id)
    return db.session.execute(query.values(revoked_at=utcnow())).rowcount
