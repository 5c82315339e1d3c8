"""Password resets by emailed link: requested by the agent, or forced by an admin.

Rules, in one place:
- Asking never says whether an address belongs to an agent, by its answer or by its time: the
  request only queues a job, the same for every address (`request_reset`); the job looks the
  address up and mails a link only to an active agent's (`send_reset`; unknown: nothing).
- A link works once, for PASSWORD_RESET_MINUTES, and only while it is the agent's newest: a
  new link, a sign-in or a password change invalidates every open one.
- Using it sets the password and ends every session of the agent; the browser that used it
  signs in afresh. API tokens are left alone on purpose (a forgotten password is not a leak,
  and scripts must not stop silently); the page says so and offers the token list. An admin
  who suspects a leak forces a reset, which also ends sessions, and revokes tokens by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from supportdesk import audit, events, jobs
from supportdesk.accounts.links import PasswordReset, new_secret, secret_hash
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.accounts.queries import find_active_by_email
from supportdesk.accounts.service import (
    _agent,
    check_password_strength,
    invalidate_open_resets,
    set_password,
)
from supportdesk.audit import origin
from supportdesk.audit.service import agent_label
from supportdesk.db import utcnow
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.sessions.service import revoke_sessions


@dataclass(frozen=True)
class PasswordResetSent:
    """A reset link to mail to an agent (mail.rules mails it); `secret` is in the link only."""

    organization_id: int
    user_id: int
    email: str
    name: str
    secret: str
    expires_at: dt.datetime
    forced_by: str = ""


class LinkInvalid(DomainError):
    """The link is unknown, used, replaced by a newer one, or expired."""

    status = 410
    code = "link_invalid"


def _lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=float(current_app.config["PASSWORD_RESET_MINUTES"]))


def _issue(user: User, forced_by: User | None) -> PasswordReset:
    invalidate_open_resets(user)
    plain, hashed = new_secret()
    now = utcnow()
    row = PasswordReset(
        organization_id=user.organization_id,
        user_id=user.id,
        token_hash=hashed,
        forced_by_user_id=forced_by.id if forced_by else None,
        created_at=now,
        expires_at=now + _lifetime(),
    )
    db.session.add(row)
    db.session.flush()
    events.record(
        db.session,
        PasswordResetSent(
            user.organization_id,
            user.id,
            user.email,
            user.name,
            plain,
            row.expires_at,
            forced_by.name if forced_by else "",
        ),
    )
    return row


SEND_RESET_JOB = "supportdesk.jobs.accounts.send_password_reset"
MAX_EMAIL = 254


def request_reset(email: str) -> None:
    """Ask for a reset link for `email`: queue the job that mails one if it is an agent's.

    The request does the same work for every address: no lookup, no row, no mail here, one
    job queued on the commit. Neither the answer nor the time it takes tells a known address
    from an unknown one. The job records the request with this request's client address.
    While Redis is down the job runs in this process after the commit instead of being lost.
    """
    where = origin.current()
    jobs.defer(
        db.session,
        SEND_RESET_JOB,
        (email or "").strip()[:MAX_EMAIL],
        where.ip_address,
        where.user_agent,
        queue="emails",
        here_if_redis_fails=True,  # no row for a sweep to find: done here rather than lost
    )


def send_reset(email: str) -> PasswordReset | None:
    """Mail a reset link if `email` is an active agent's; None (and no mail) otherwise.

    Run by the job `request_reset` queues, never in the request (see there).
    """
    user = find_active_by_email(email or "")
    if user is None:
        return None
    row = _issue(user, None)
    audit.record(
        user.organization_id,
        "password.reset_requested",
        actor=user,
        target=("agent", user.id, agent_label(user)),
    )
    return row


def force_reset(actor: User, agent_id: int) -> PasswordReset:
    """An admin ends every session of an agent and mails them a reset link.

    The old password keeps working until the link is used (a forced reset must not lock out an
    agent whose mail is late); their sessions end now.
    """
    require(actor, "agent.manage")
    agent = _agent(actor, agent_id)
    if not agent.active:
        raise DomainError(f"{agent.name} is deactivated; reactivate them first.")
    ended = revoke_sessions(agent)
    row = _issue(agent, actor)
    audit.record(
        actor.organization_id,
        "password.reset_forced",
        actor=actor,
        target=("agent", agent.id, agent_label(agent)),
        after={"sessions_ended": ended},
    )
    return row


def usable_reset(secret: str, now: dt.datetime | None = None) -> PasswordReset:
    """The open reset behind a link's secret, or LinkInvalid."""
    hashed = secret_hash(secret)
    row = (
        db.session.scalar(sa.select(PasswordReset).where(PasswordReset.token_hash == hashed))
        if hashed
        else None
    )
    if row is None or not row.usable(now or utcnow()):
        raise LinkInvalid(
            "This password reset link has expired or was already used. Ask for a new one."
        )
    return row


def complete_reset(secret: str, password: str) -> User:
    """Set the agent's password from a link (used up); every session of theirs ends."""
    row = usable_reset(secret)
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        raise LinkInvalid("This account is deactivated. Ask an admin.")
    check_password_strength(password)
    row.used_at = utcnow()
    set_password(user, password)
    invalidate_open_resets(user)
    audit.record(
        user.organization_id,
        "password.reset",
        actor=user,
        target=("agent", user.id, agent_label(user)),
        after={"sessions_ended": True, "api_tokens": "kept"},
    )
    return user
