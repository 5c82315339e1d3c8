"""Authentication rules: check credentials under the login throttle."""

from __future__ import annotations

import logging

from supportdesk import audit
from supportdesk.accounts.models import User
from supportdesk.accounts.passwords import hash_password, needs_rehash, verify_password
from supportdesk.accounts.queries import find_active_by_email, find_by_email
from supportdesk.accounts.service import invalidate_open_resets, set_password
from supportdesk.audit.service import agent_label
from supportdesk.auth.throttle import LoginThrottle
from supportdesk.db import utcnow
from supportdesk.errors import DomainError, ValidationFailed
from supportdesk.sessions.service import end_session, start_session
from supportdesk.sso import service as sso

log = logging.getLogger(__name__)


class LoginRefused(DomainError):
    """Wrong credentials, or too many failures from this address."""

    status = 401
    code = "login_refused"

    def __init__(self, message: str, *, reason: str = ""):
        super().__init__(message, fields={"password": message})
        self.reason = reason


class LoginThrottled(LoginRefused):
    """Too many failures from this address: the attempt is not even checked."""

    status = 429
    code = "login_throttled"


def authenticate(throttle: LoginThrottle, email: str, password: str, address: str) -> User:
    """The active agent with these credentials, or LoginRefused. Counts failures per address."""
    if throttle.blocked(email, address):
        raise LoginThrottled(
            "Too many failed sign-in attempts from your network. Wait "
            f"{throttle.window // 60} minutes and try again, or reset your password with "
            "“Forgot your password?” below.",
            reason="throttled",
        )
    user = find_active_by_email(email)
    if user is None or not verify_password(user.password_hash, password):
        if user is None:
            verify_password(None, password)  # same cost as a wrong password: no account probing
        throttle.failed(email, address)
        raise LoginRefused(
            "That email and password do not match an active account.", reason="wrong_password"
        )
    throttle.succeeded(email, address)
    if sso.password_refused(user):  # "SSO only" (supportdesk.sso.service: break-glass for admins)
        raise LoginRefused(sso.SSO_ONLY_MESSAGE, reason="sso_only")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def sign_in(
    throttle: LoginThrottle,
    email: str,
    password: str,
    *,
    address: str,
    user_agent: str,
    remember: bool,
) -> User:
    """Authenticate and start a session (on `user.web_session`); open reset links stop working."""
    user = authenticate(throttle, email, password, address)
    return establish(user, remember=remember, address=address, user_agent=user_agent)


def establish(
    user: User,
    *,
    remember: bool,
    address: str,
    user_agent: str,
    second_factor: str | None = None,
) -> User:
    """Start the session of an agent who passed every step of signing in (password, and the
    second factor when they have one: `second_factor` says which kind)."""
    user.last_login_at = utcnow()
    user.web_session = start_session(
        user, remember=remember, ip_address=address, user_agent=user_agent
    )
    invalidate_open_resets(user)
    sso.record_break_glass(user)
    after = {"remember": remember, "session_id": user.web_session.id}
    if second_factor:
        after["second_factor"] = second_factor
    audit.record(
        user.organization_id,
        "auth.sign_in",
        actor=user,
        target=("agent", user.id, agent_label(user)),
        after=after,
    )
    return user


def record_failed_sign_in(
    throttle: LoginThrottle, email: str, refusal: LoginRefused, address: str
) -> None:
    """Put a refused sign-in in the audit log of the organization the address belongs to.

    An address that is no agent's belongs to no organization: the app log has it (below), no
    organization's audit log does, and nothing tells anyone whether an account exists. Attempts
    refused by the throttle unchecked are recorded once per address and window, so a flood
    cannot fill the log.
    """
    user = find_by_email(email or "")
    if user is None:
        log.info("Sign-in refused for an unknown address from %s", address)
        return
    if isinstance(refusal, LoginThrottled) and not throttle.allow(
        "audit-throttled", f"{user.id}|{address}", 1
    ):
        return  # a flood of attempts past the throttle: one entry per window, not one each
    audit.record(
        user.organization_id,
        "auth.sign_in_failed",
        actor=None,
        target=("agent", user.id, agent_label(user)),
        after={"reason": refusal.reason or refusal.code, "active": user.active},
        ip_address=address,
    )


def sign_out(user: User) -> None:
    """End the session in use and record it."""
    end_session(user.web_session)
    audit.record(
        user.organization_id,
        "auth.sign_out",
        actor=user,
        target=("agent", user.id, agent_label(user)),
        after={"session_id": user.web_session.id},
    )


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the agent's password after checking the current one; their other sessions end."""
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed(
            "Your current password is not correct.",
            {"current_password": "This is not your current password."},
        )
    set_password(user, new_password, keep=user.web_session)
    audit.record(
        user.organization_id,
        "password.changed",
        actor=user,
        target=("agent", user.id, agent_label(user)),
        after={"other_sessions_ended": True},
    )
