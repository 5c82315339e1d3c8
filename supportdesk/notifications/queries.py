"""Notification reads: the bell's unread count (every page) and an agent's list, newest first."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from supportdesk.extensions import db
from supportdesk.notifications.models import AgentNotification

PAGE = 50


def unread_statement(user_id: int) -> sa.Select:
    """Count the agent's unread rows: its WHERE is the partial index's (ix_agent_notifications_unread)."""
    return (
        sa.select(sa.func.count())
        .select_from(AgentNotification)
        .where(AgentNotification.user_id == user_id, AgentNotification.read_at.is_(None))
    )


def unread_count(user_id: int) -> int:
    """The agent's unread notifications: one query on the partial index of unread rows."""
    return db.session.scalar(unread_statement(user_id))


def list_for(
    organization_id: int,
    user_id: int,
    *,
    unread_only: bool = False,
    before: int | None = None,
    limit: int = PAGE,
) -> list[AgentNotification]:
    """The agent's notifications newest first, with ticket or export and actor (one
    query), keyset by id."""
    query = (
        sa.select(AgentNotification)
        .where(
            AgentNotification.organization_id == organization_id,
            AgentNotification.user_id == user_id,
        )
        .options(
            joinedload(AgentNotification.ticket),
            joinedload(AgentNotification.export),
            joinedload(AgentNotification.actor),
        )
        .order_by(AgentNotification.id.desc())
        .limit(limit)
    )
    if unread_only:
        query = query.where(AgentNotification.read_at.is_(None))
    if before is not None:
        query = query.where(AgentNotification.id < before)
    return list(db.session.scalars(query))
