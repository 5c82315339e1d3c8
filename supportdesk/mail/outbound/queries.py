"""Notification reads: email badges for a ticket page, the admin's problem list, one email."""

from __future__ import annotations

import functools
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import load_only

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.db import PREPARED
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailAttempt, EmailMessage
from supportdesk.mail.outbound.service import EmailNotFound
from supportdesk.outbox import OutboxState

_BADGE_COLUMNS = (
    EmailMessage.id,
    EmailMessage.message_id,
    EmailMessage.kind,
    EmailMessage.to_address,
    EmailMessage.state,
    EmailMessage.last_error,
    EmailMessage.attempts,
)


def emails_by_message(organization_id: int, ticket_id: int) -> dict[int, list[EmailMessage]]:
    """The emails of a ticket grouped by the message they carry (one query for the whole page)."""
    rows = db.session.scalars(
        _badges_statement(), {"organization_id": organization_id, "ticket_id": ticket_id}
    )
    grouped: dict[int, list[EmailMessage]] = defaultdict(list)
    for row in rows:
        grouped[row.message_id].append(row)
    return dict(grouped)


def badges_exist(organization_id, ticket_id) -> sa.Exists:
    """Whether emails_by_message would find anything: the ticket page reads it with the ticket
    (correlated to its row) and skips emails_by_message's query when there is nothing."""
    return sa.exists().where(*_badges_of(organization_id, ticket_id))


def _badges_of(organization_id, ticket_id) -> tuple:
    return (
        EmailMessage.organization_id == organization_id,
        EmailMessage.ticket_id == ticket_id,
        EmailMessage.message_id.is_not(None),
    )


@functools.cache
def _badges_statement() -> sa.Select:
    # Built once and prepared (db.PREPARED): every ticket page runs it, and as its one read not
    # prepared it made the page open a transaction (a BEGIN and a COMMIT).
    return (
        sa.select(EmailMessage)
        .options(load_only(*_BADGE_COLUMNS, raiseload=True))
        .where(*_badges_of(sa.bindparam("organization_id"), sa.bindparam("ticket_id")))
        .order_by(EmailMessage.id)
        .execution_options(**PREPARED)
    )


def problem_mail(organization_id: int, *, limit: int = 200) -> list[EmailMessage]:
    """Deferred and failed mail, newest first (the admin's mail page)."""
    return list(
        db.session.scalars(
            sa.select(EmailMessage)
            .options(sa.orm.defer(EmailMessage.html_body), sa.orm.defer(EmailMessage.text_body))
            .where(
                EmailMessage.organization_id == organization_id,
                EmailMessage.state.in_((OutboxState.DEFERRED, OutboxState.FAILED)),
            )
            .order_by(EmailMessage.created_at.desc(), EmailMessage.id.desc())
            .limit(limit)
        )
    )


def recent_mail(organization_id: int, *, limit: int = 20) -> list[EmailMessage]:
    """The latest emails of any state (so an admin can preview what went out)."""
    return list(
        db.session.scalars(
            sa.select(EmailMessage)
            .options(sa.orm.defer(EmailMessage.html_body), sa.orm.defer(EmailMessage.text_body))
            .where(EmailMessage.organization_id == organization_id)
            .order_by(EmailMessage.id.desc())
            .limit(limit)
        )
    )


def get_email(organization_id: int, email_id: int) -> EmailMessage:
    """One email of the organization; another organization's id is a 404."""
    email = db.session.scalar(
        sa.select(EmailMessage).where(
            EmailMessage.organization_id == organization_id, EmailMessage.id == email_id
        )
    )
    if email is None:
        raise EmailNotFound()
    return email


def readable_email(user: User, email_id: int) -> EmailMessage:
    """An email `user` may read: who may read its ticket may read it (every agent of the
    organization); an email about no ticket (to admins, a verification) is for admins only."""
    email = get_email(user.organization_id, email_id)
    if email.ticket_id is None:
        require(user, "mail.manage")
    return email


def attempts(organization_id: int, email_id: int) -> list[EmailAttempt]:
    """Every delivery attempt of an email, oldest first."""
    return list(
        db.session.scalars(
            sa.select(EmailAttempt)
            .where(
                EmailAttempt.organization_id == organization_id, EmailAttempt.email_id == email_id
            )
            .order_by(EmailAttempt.id)
        )
    )
