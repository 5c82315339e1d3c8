"""Drafts, time totals and "send and go to the next ticket": the composer's own rules.

Services flush, callers commit (supportdesk.submit). Every query is scoped to the organization.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.composer.models import ComposerDraft
from supportdesk.db import utcnow
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.tickets import queries
from supportdesk.tickets.cursors import encode_cursor
from supportdesk.tickets.models import Message, Ticket
from supportdesk.tickets.queries import SORTS, QueueFilter
from supportdesk.tickets.service import MAX_BODY

MODES = ("public", "internal")
MAX_DRAFT_CC = 2000


def draft_for(user: User, ticket: Ticket) -> ComposerDraft | None:
    """This agent's unsent text on this ticket, if any."""
    return db.session.scalar(
        _draft_statement(),
        {"organization_id": user.organization_id, "ticket_id": ticket.id, "user_id": user.id},
    )


def draft_exists(organization_id, ticket_id, user_id) -> sa.Exists:
    """Whether draft_for would find a draft: the ticket page reads it with the ticket
    (correlated to its row) and skips draft_for's query when there is none."""
    return sa.exists().where(*_draft_of(organization_id, ticket_id, user_id))


def _draft_of(organization_id, ticket_id, user_id) -> tuple:
    return (
        ComposerDraft.organization_id == organization_id,
        ComposerDraft.ticket_id == ticket_id,
        ComposerDraft.user_id == user_id,
    )


@functools.cache
def _draft_statement() -> sa.Select:
    # Built once: every ticket page runs it, and building it cost more than running it.
    return sa.select(ComposerDraft).where(
        *_draft_of(
            sa.bindparam("organization_id"), sa.bindparam("ticket_id"), sa.bindparam("user_id")
        )
    )


def save_draft(
    user: User,
    ticket: Ticket,
    *,
    mode: str,
    body: str,
    cc: str = "",
    time_spent_minutes: int | None = None,
) -> ComposerDraft | None:
    """Keep what the agent typed (autosave). An empty composer deletes the draft (None).

    A draft is kept as typed: half-written Cc addresses are checked when the reply is sent.
    """
    require(user, "ticket.note")
    if mode not in MODES:
        raise ValidationFailed("Unknown composer mode.", {"mode": "Use public or internal."})
    if len(body or "") > MAX_BODY:
        raise ValidationFailed(
            "The draft is too long.", {"body": f"Use at most {MAX_BODY:,} characters."}
        )
    if len(cc or "") > MAX_DRAFT_CC:
        raise ValidationFailed("Cc is too long.", {"cc": f"Use at most {MAX_DRAFT_CC} characters."})
    if not (body or "").strip() and not (cc or "").strip():
        clear_draft(user, ticket)
        return None
    values = {"mode": mode, "body": body, "cc": cc or "", "time_spent_minutes": time_spent_minutes}
    draft = draft_for(user, ticket)
    if draft is None:
        try:
            # Two autosaves of one agent racing: the second updates the row the first inserted.
            with db.session.begin_nested():
                draft = ComposerDraft(
                    organization_id=user.organization_id, ticket_id=ticket.id, user_id=user.id
                )
                db.session.add(draft)
                _fill(draft, values)
                db.session.flush()
            return draft
        except IntegrityError:
            draft = draft_for(user, ticket)
    _fill(draft, values)
    db.session.flush()
    return draft


def _fill(draft: ComposerDraft, values: dict) -> None:
    for name, value in values.items():
        setattr(draft, name, value)
    draft.updated_at = utcnow()


def clear_draft(user: User, ticket: Ticket) -> None:
    """Forget this agent's draft on this ticket (it was sent, or emptied)."""
    db.session.execute(
        sa.delete(ComposerDraft).where(
            ComposerDraft.organization_id == user.organization_id,
            ComposerDraft.ticket_id == ticket.id,
            ComposerDraft.user_id == user.id,
        )
    )


@dataclass(frozen=True)
class TimeSpent:
    """Minutes recorded on one ticket: the total and each agent's share (name, minutes)."""

    total: int
    by_agent: list[tuple[str, int]]


def time_spent(messages: Iterable[Message]) -> TimeSpent:
    """The minutes recorded on already loaded messages (the ticket page has them)."""
    shares: dict[str, int] = {}
    for m in messages:
        if m.time_spent_minutes:
            shares[m.author_name] = shares.get(m.author_name, 0) + m.time_spent_minutes
    return TimeSpent(sum(shares.values()), sorted(shares.items(), key=lambda s: (-s[1], s[0])))


def time_totals(organization_id: int, ticket_ids: Iterable[int]) -> dict[int, int]:
    """Minutes recorded per ticket, for many tickets in one query (API, reports)."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Message.ticket_id, sa.func.sum(Message.time_spent_minutes))
        .where(Message.organization_id == organization_id, Message.ticket_id.in_(ids))
        .group_by(Message.ticket_id)
    )
    return {ticket_id: int(total or 0) for ticket_id, total in rows}


def agent_minutes(organization_id: int, ticket_id: int) -> list[tuple[User, int]]:
    """Each agent's recorded minutes on one ticket, most first (one query; API and reports)."""
    minutes = sa.func.sum(Message.time_spent_minutes)
    rows = db.session.execute(
        sa.select(User, minutes)
        .join(Message, Message.author_user_id == User.id)
        .where(
            Message.organization_id == organization_id,
            Message.ticket_id == ticket_id,
            Message.time_spent_minutes.is_not(None),
        )
        .group_by(User.id)
        .order_by(minutes.desc(), User.name)
    )
    return [(user, int(total)) for user, total in rows]


def next_ticket(user: User, current: Ticket, queue: QueueFilter | None) -> int | None:
    """The number of the ticket "send and go to next" opens, read before the send moves this one.

    With `queue` (the queue the agent opened this ticket from): the ticket after this one in that
    queue's order and filters, else the queue's first other ticket. Without: the same in the
    agent's own queue ("mine": open and pending tickets assigned to them). None: nothing left.
    """
    f = queue or QueueFilter(queue="mine")
    column = SORTS.get(f.sort, SORTS["updated"])[1]
    after = encode_cursor(getattr(current, column.key), current.id)
    org, uid = user.organization_id, user.id
    for page in (
        queries.list_queue_rows(org, uid, f, per_page=1, after=after),
        queries.list_queue_rows(org, uid, f, per_page=2),
    ):
        for row in page.tickets:
            if row.id != current.id:
                return row.number
    return None
