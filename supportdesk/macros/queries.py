"""Reads of canned replies and macros, always within one organization (and, for personal
replies, one owner: another agent's personal reply is as missing as another tenant's)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from supportdesk.accounts import orgcache
from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.macros.models import CannedReply, Macro


class CannedReplyNotFound(NotFound):
    """No such canned reply for this agent (another organization's, or a colleague's personal one)."""

    def __init__(self) -> None:
        super().__init__("That canned reply does not exist.")


class MacroNotFound(NotFound):
    """No such macro in this organization."""

    def __init__(self) -> None:
        super().__init__("That macro does not exist.")


def _visible(organization_id: int, user_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        CannedReply.organization_id == organization_id,
        sa.or_(CannedReply.owner_id.is_(None), CannedReply.owner_id == user_id),
    )


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_replies(
    organization_id: int, user_id: int, *, q: str | None = None, after_id: int = 0,
    limit: int | None = None, by_title: bool = True,
) -> list[CannedReply]:  # fmt: skip
    """The shared replies and the agent's own; with `q`, those whose title or text holds every
    word of it (case-insensitive). By title (the composer, the admin list) or by id (API pages)."""
    stmt = sa.select(CannedReply).where(_visible(organization_id, user_id))
    for word in (q or "").split()[:8]:
        pattern = _like(word)
        stmt = stmt.where(
            sa.or_(
                CannedReply.title.ilike(pattern, escape="\\"),
                CannedReply.body.ilike(pattern, escape="\\"),
            )
        )
    if after_id:
        stmt = stmt.where(CannedReply.id > after_id)
    stmt = stmt.order_by(
        *((sa.func.lower(CannedReply.title), CannedReply.id) if by_title else (CannedReply.id,))
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def get_reply(organization_id: int, user_id: int, reply_id: int) -> CannedReply:
    """A canned reply the agent may use, or CannedReplyNotFound."""
    reply = db.session.scalar(
        sa.select(CannedReply).where(_visible(organization_id, user_id), CannedReply.id == reply_id)
    )
    if reply is None:
        raise CannedReplyNotFound()
    return reply


def _macros():
    return sa.select(Macro).options(joinedload(Macro.assignee), joinedload(Macro.team))


def list_macros(organization_id: int, *, after_id: int = 0, limit: int | None = None,
                by_name: bool = True) -> list[Macro]:  # fmt: skip
    """The organization's macros with their assignee and team loaded (one query)."""
    stmt = _macros().where(Macro.organization_id == organization_id)
    if after_id:
        stmt = stmt.where(Macro.id > after_id)
    stmt = stmt.order_by(*((sa.func.lower(Macro.name), Macro.id) if by_name else (Macro.id,)))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def list_macros_cached(organization_id: int) -> tuple:
    """list_macros as read-only snapshots (assignee and team too), from the per-process cache."""
    return orgcache.cached(
        organization_id,
        "macros",
        lambda: tuple(
            orgcache.snapshot(m, ("assignee", "team")) for m in list_macros(organization_id)
        ),
    )


def get_macro(organization_id: int, macro_id: int) -> Macro:
    """A macro of the organization (assignee and team loaded), or MacroNotFound."""
    macro = db.session.scalar(
        _macros().where(Macro.organization_id == organization_id, Macro.id == macro_id)
    )
    if macro is None:
        raise MacroNotFound()
    return macro
