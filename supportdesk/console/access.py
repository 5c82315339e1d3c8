"""Role checks for console and admin views, answered before any input is read."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from supportdesk.accounts.permissions import require


def requires(action: str):
    """Refuse the view with 403 unless the signed-in agent's role allows `action`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            require(current_user, action)
            return view(*args, **kwargs)

        return wrapper

    return decorator
