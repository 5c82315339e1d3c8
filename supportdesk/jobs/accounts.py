"""Account jobs: the password reset link asked for on the "Forgot your password?" page."""

from __future__ import annotations

from supportdesk.jobs import job


@job
def send_password_reset(email: str, ip_address: str, user_agent: str) -> bool:
    """Mail a reset link to `email` if it is an active agent's (see accounts.resets); True when
    one was sent. The audit entry names the client that asked."""
    from supportdesk.accounts.resets import send_reset
    from supportdesk.audit import origin
    from supportdesk.extensions import db

    token = origin.begin(ip_address, user_agent)
    try:
        sent = send_reset(email) is not None
        db.session.commit()
    finally:
        origin.end(token)
    return sent
