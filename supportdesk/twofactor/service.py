"""Two-factor writes: set up, check a code, recovery codes (their rows: recovery.py), turn off,
admin reset, the organization's requirement. Flushes only.

A refused code is recorded in the audit log (`two_factor.code_failed`) and counted by the login
throttle before CodeRefused is raised, and nothing else was changed by then: the caller commits
that entry before rolling back (supportdesk.auth.two_factor does), so failures stay on record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from markupsafe import Markup

from supportdesk import audit
from supportdesk.accounts.models import TwoFactorPolicy, User
from supportdesk.accounts.permissions import require
from supportdesk.accounts.queries import get_agent
from supportdesk.audit.service import agent_label
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, DomainError, ValidationFailed
from supportdesk.extensions import db
from supportdesk.sso import service as sso
from supportdesk.twofactor import recovery, totp
from supportdesk.twofactor.models import TotpFactor

if TYPE_CHECKING:  # the auth package imports this module: no import cycle at run time
    from supportdesk.auth.throttle import LoginThrottle

RECOVERY_CODE_COUNT = recovery.COUNT
WRONG_CODE = "That code is not correct, or it was already used. Enter the current code."


class CodeRefused(ValidationFailed):
    """A wrong, expired or reused code (the field `code` says so)."""

    code = "code_refused"

    def __init__(self, message: str = WRONG_CODE, *, reason: str = "wrong_code"):
        super().__init__(message, {"code": message})
        self.reason = reason


class CodesThrottled(CodeRefused):
    """Too many wrong codes for this agent lately: the code is not even checked."""

    status = 429
    code = "too_many_codes"


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the secret as text and as a QR code."""

    secret: str
    grouped_secret: str
    uri: str
    qr_svg: Markup


@dataclass(frozen=True)
class Status:
    """An agent's two-factor state, as their account page and the admin's agent page show it."""

    enabled: bool
    enabled_at: dt.datetime | None
    recovery_codes_left: int
    required: bool


def factor_of(user: User, *, lock: bool = False) -> TotpFactor | None:
    """The agent's authenticator row, if any (locked for the transaction when checking codes)."""
    query = sa.select(TotpFactor).where(
        TotpFactor.organization_id == user.organization_id, TotpFactor.user_id == user.id
    )
    return db.session.scalar(query.with_for_update() if lock else query)


def is_enabled(user: User) -> bool:
    """Whether the agent signs in with a second factor."""
    factor = factor_of(user)
    return factor is not None and factor.enabled


def is_required(user: User) -> bool:
    """Whether the organization's requirement covers this agent."""
    return user.organization.two_factor_policy.covers(user.role)


def must_enrol(user: User) -> bool:
    """Covered by the requirement but not set up: the console is closed to them until they are.

    An agent whom "SSO only" refuses a password signs in only through the identity provider,
    whose own second factor applies: ours is not asked of them (admins keep a password there,
    so the requirement still covers them)."""
    return is_required(user) and not is_enabled(user) and not sso.password_refused(user)


def status(user: User) -> Status:
    """The agent's two-factor state."""
    factor = factor_of(user)
    enabled = factor is not None and factor.enabled
    return Status(
        enabled=enabled,
        enabled_at=factor.enabled_at if enabled else None,
        recovery_codes_left=recovery.unused_count(user) if enabled else 0,
        required=is_required(user),
    )


def enrolled_user_ids(organization_id: int) -> set[int]:
    """Ids of the organization's agents who have a second factor (the agents list)."""
    return set(
        db.session.scalars(
            sa.select(TotpFactor.user_id).where(
                TotpFactor.organization_id == organization_id, TotpFactor.enabled_at.isnot(None)
            )
        )
    )


def start_enrolment(user: User) -> TotpFactor:
    """The agent's set-up in progress, with a fresh secret if none is waiting yet.

    Reloading the set-up page shows the same secret, so a code from an app that already scanned
    it still confirms it.
    """
    factor = factor_of(user)
    if factor is not None and factor.enabled:
        raise Conflict("Two-factor authentication is already on. Turn it off to set up again.")
    if factor is None:
        factor = TotpFactor(organization_id=user.organization_id, user_id=user.id)
        db.session.add(factor)
    if factor.pending_secret is None:
        factor.pending_secret = totp.new_secret()
    db.session.flush()
    return factor


def enrolment(user: User, factor: TotpFactor) -> Enrolment:
    """The pending secret as the set-up page shows it (text and QR code)."""
    secret = factor.pending_secret or ""
    uri = totp.provisioning_uri(secret, account=user.email, issuer=user.organization.name)
    return Enrolment(
        secret=secret,
        grouped_secret=totp.grouped(secret),
        uri=uri,
        qr_svg=Markup(totp.qr_svg(uri)),  # noqa: S704  (drawn by segno from our own URI)
    )


def confirm_enrolment(
    throttle: LoginThrottle, user: User, code: str, *, now: dt.datetime | None = None
) -> list[str]:
    """Turn two factors on once a code from the new secret is right; returns recovery codes.

    The plain codes exist only in the return value (the agent sees them once); rows keep hashes.
    """
    now = now or utcnow()
    factor = factor_of(user, lock=True)
    if factor is None or factor.enabled or factor.pending_secret is None:
        raise Conflict("There is no set-up in progress. Start again from your account page.")
    _check_throttle(throttle, user)
    step = totp.matching_step(factor.pending_secret, code, now, after=None)
    if step is None:
        _refuse(throttle, user, "enrolment", CodeRefused())
    throttle.code_succeeded(user.id)
    factor.secret, factor.pending_secret = factor.pending_secret, None
    factor.enabled_at, factor.last_step = now, step
    codes = recovery.replace_all(user, now)
    _record(user, "two_factor.enabled", actor=user, after={"recovery_codes_issued": len(codes)})
    return codes


def check_code(
    throttle: LoginThrottle,
    user: User,
    code: str,
    *,
    purpose: str,
    allow_recovery: bool = True,
    now: dt.datetime | None = None,
) -> str:
    """Accept an authenticator code (or, if allowed, an unused recovery code) of the agent.

    Returns how: "totp" or "recovery_code". An authenticator code is accepted one step (30 s)
    either side of now, once: its step becomes `last_step`. A recovery code is spent.
    """
    now = now or utcnow()
    factor = factor_of(user, lock=True)
    if factor is None or not factor.enabled:
        raise Conflict("Two-factor authentication is not on for this account.")
    _check_throttle(throttle, user, purpose)
    if totp.looks_like_code(code):
        step = totp.matching_step(factor.secret, code, now, after=factor.last_step)
        if step is not None:
            factor.last_step = step
            throttle.code_succeeded(user.id)
            db.session.flush()
            return "totp"
        reused = totp.matching_step(factor.secret, code, now, after=None) is not None
        _refuse(throttle, user, purpose, CodeRefused(reason="reused" if reused else "wrong_code"))
    if allow_recovery and recovery.looks_like_code(code):
        row = recovery.matching(user, code)
        if row is not None:
            row.used_at = now
            db.session.flush()
            throttle.code_succeeded(user.id)
            _record(
                user,
                "two_factor.recovery_code_used",
                actor=user,
                after={"purpose": purpose, "left": recovery.unused_count(user)},
            )
            return "recovery_code"
    _refuse(throttle, user, purpose, CodeRefused(reason="wrong_code"))
    raise AssertionError("unreachable")  # _refuse raises


def regenerate_recovery_codes(
    throttle: LoginThrottle, user: User, code: str, *, now: dt.datetime | None = None
) -> list[str]:
    """New recovery codes after an authenticator code; every earlier one stops working."""
    now = now or utcnow()
    check_code(throttle, user, code, purpose="regenerate", allow_recovery=False, now=now)
    codes = recovery.replace_all(user, now)
    _record(user, "two_factor.recovery_codes_regenerated", actor=user, after={"issued": len(codes)})
    return codes


def disable(throttle: LoginThrottle, user: User, code: str) -> None:
    """Turn two factors off after a code (or a recovery code), unless the organization requires
    them for this agent."""
    if is_required(user):
        raise DomainError(
            "Your organization requires two-factor authentication for you, so it stays on. "
            "To move to a new phone, an admin can reset it."
        )
    check_code(throttle, user, code, purpose="disable")
    _remove(user)
    _record(user, "two_factor.disabled", actor=user, after={"enabled": False})


def admin_reset(actor: User, agent_id: int) -> User:
    """An admin removes an agent's authenticator and recovery codes (a lost phone).

    The agent signs in with their password next; if the organization requires two factors for
    them, they set up a new authenticator before anything else. Sessions and API tokens stay.
    """
    require(actor, "agent.manage")
    agent = get_agent(actor.organization_id, agent_id)
    factor = factor_of(agent)
    if factor is None or not factor.enabled:
        raise DomainError(f"{agent.name} has no two-factor authentication to reset.")
    _remove(agent)
    _record(
        agent, "two_factor.reset", actor=actor, before={"enabled": True}, after={"enabled": False}
    )
    return agent


def set_policy(actor: User, policy: TwoFactorPolicy | str) -> bool:
    """Who of the organization must use two factors. Returns whether it changed (recorded)."""
    require(actor, "organization.manage")
    try:
        policy = TwoFactorPolicy(policy)
    except ValueError:
        raise ValidationFailed(
            "Choose who must use two-factor authentication.",
            {"two_factor_policy": "Not a valid choice."},
        ) from None
    org = actor.organization
    before = org.two_factor_policy
    if before is policy:
        return False
    org.two_factor_policy = policy
    db.session.flush()
    audit.record(
        org.id,
        "two_factor.policy_changed",
        actor=actor,
        target=("organization", org.id, org.name),
        before={"two_factor_policy": before},
        after={"two_factor_policy": policy},
    )
    return True


# Helpers ------------------------------------------------------------------------------------


def _record(user: User, action: str, *, actor: User | None, **changes) -> None:
    audit.record(
        user.organization_id,
        action,
        actor=actor,
        target=("agent", user.id, agent_label(user)),
        **changes,
    )


def _check_throttle(throttle: LoginThrottle, user: User, purpose: str = "enrolment") -> None:
    if not throttle.code_blocked(user.id):
        return
    refusal = CodesThrottled(
        f"Too many wrong codes. Wait {throttle.window // 60} minutes and try again.",
        reason="throttled",
    )
    if throttle.allow("audit-codes-throttled", str(user.id), 1):
        _record(
            user,
            "two_factor.code_failed",
            actor=None,
            after={"purpose": purpose, "reason": refusal.reason},
        )
    raise refusal


def _refuse(throttle: LoginThrottle, user: User, purpose: str, refusal: CodeRefused) -> None:
    throttle.code_failed(user.id)
    _record(
        user,
        "two_factor.code_failed",
        actor=None,
        after={"purpose": purpose, "reason": refusal.reason},
    )
    raise refusal


def _remove(user: User) -> None:
    db.session.execute(
        sa.delete(TotpFactor).where(
            TotpFactor.organization_id == user.organization_id, TotpFactor.user_id == user.id
        )
    )
    recovery.remove_all(user)
