"""Authentication rules: check credentials under the login throttle."""

from __future__ import annotations

from supportdesk.accounts.models import User
from supportdesk.accounts.passwords import hash_password, needs_rehash, verify_password
from supportdesk.accounts.queries import find_active_by_email
from supportdesk.accounts.service import set_password
from supportdesk.auth.throttle import LoginThrottle
from supportdesk.db import utcnow
from supportdesk.errors import DomainError, ValidationFailed


class LoginRefused(DomainError):
    """Wrong credentials, or too many failures from this address."""

    status = 401
    code = "login_refused"

    def __init__(self, message: str):
        super().__init__(message, fields={"password": message})


class LoginThrottled(LoginRefused):
    """Too many failures from this address: the attempt is not even checked."""

    status = 429
    code = "login_throttled"


def authenticate(throttle: LoginThrottle, email: str, password: str, address: str) -> User:
    """The active agent with these credentials, or LoginRefused. Counts failures per address."""
    if throttle.blocked(email, address):
        raise LoginThrottled(
            "Too many failed sign-in attempts from your network. Wait "
            f"{throttle.window // 60} minutes and try again, or ask an admin to reset your password."
        )
    user = find_active_by_email(email)
    if user is None or not verify_password(user.password_hash, password):
        if user is None:
            verify_password(None, password)  # same cost as a wrong password: no account probing
        throttle.failed(email, address)
        raise LoginRefused("That email and password do not match an active account.")
    throttle.succeeded(email, address)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the agent's password after checking the current one; their other sessions end."""
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed(
            "Your current password is not correct.",
            {"current_password": "This is not your current password."},
        )
    set_password(user, new_password, keep=user.web_session)
