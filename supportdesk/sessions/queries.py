"""Session reads: the live session behind a cookie key, and an agent's live sessions."""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from supportdesk.accounts.models import User
from supportdesk.db import PREPARED
from supportdesk.extensions import db
from supportdesk.notifications.queries import unread_statement
from supportdesk.sessions.models import AgentSession
from supportdesk.sessions.policy import REMEMBER_FOR, is_live
from supportdesk.tokens.service import hash_token

MAX_KEY_LENGTH = 100


def find_live_session(key: str, now: dt.datetime, idle: dt.timedelta) -> AgentSession | None:
    """The live session with this key of an active agent, with agent and organization, and the
    agent's unread notification count as `unread_notifications` (the bell): one query."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    row = db.session.execute(_live_session_statement(), {"token_hash": hash_token(key)}).first()
    if row is None or not is_live(row[0], now, idle):
        return None
    record = row[0]
    record.key = key
    record.unread_notifications = row[1]
    return record


@functools.cache
def _live_session_statement() -> sa.Select:
    # Built once: every signed-in request runs it, and building it costs more than running it.
    # The bell's count rides along: every page shows it, and it is one probe of the partial
    # index of unread rows (notifications.queries.unread_statement).
    unread = unread_statement(AgentSession.user_id).scalar_subquery()
    return (
        sa.select(AgentSession, unread)
        .join(AgentSession.user)
        .join(User.organization)
        .options(contains_eager(AgentSession.user).contains_eager(User.organization))
        .where(
            AgentSession.token_hash == sa.bindparam("token_hash"),
            AgentSession.revoked_at.is_(None),
            User.active.is_(True),
            User.organization_id == AgentSession.organization_id,
        )
        .execution_options(**PREPARED)
    )


def list_live_sessions(
    organization_id: int, user_id: int, now: dt.datetime, idle: dt.timedelta
) -> list[AgentSession]:
    """The agent's sessions still accepted at `now`, most recently seen first."""
    candidates = db.session.scalars(
        sa.select(AgentSession)
        .where(
            AgentSession.organization_id == organization_id,
            AgentSession.user_id == user_id,
            AgentSession.revoked_at.is_(None),
            AgentSession.created_at > now - REMEMBER_FOR,
        )
        .order_by(AgentSession.last_seen_at.desc(), AgentSession.id.desc())
    )
    return [record for record in candidates if is_live(record, now, idle)]
