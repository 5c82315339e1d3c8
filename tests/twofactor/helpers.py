"""Test helpers: set up an agent's authenticator through the service, and compute its codes."""

from __future__ import annotations

import datetime as dt

import pyotp
from flask import current_app

from supportdesk.db import utcnow
from supportdesk.twofactor import service
from supportdesk.twofactor.totp import STEP_SECONDS


def code_at(secret: str, when: dt.datetime) -> str:
    """The code an authenticator app with `secret` shows at `when`."""
    return pyotp.TOTP(secret).at(when)


def enrol(user, *, now: dt.datetime | None = None) -> tuple[str, list[str]]:
    """Turn two factors on for `user` as the set-up page does; returns (secret, recovery codes).

    The confirming code is of the step before `now`, so a code of the current step is still
    unused (tests sign in with it).
    """
    now = now or utcnow()
    factor = service.start_enrolment(user)
    secret = factor.pending_secret
    earlier = now - dt.timedelta(seconds=STEP_SECONDS)
    codes = service.confirm_enrolment(
        current_app.extensions["login_throttle"], user, code_at(secret, earlier), now=now
    )
    return secret, codes
