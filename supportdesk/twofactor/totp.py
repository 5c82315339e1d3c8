"""TOTP arithmetic (RFC 6238 through pyotp) and the set-up QR code (segno, drawn here as SVG).

Pure functions of their arguments, the time included, so they are tested with a frozen clock.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re

import pyotp
import segno

STEP_SECONDS = 30
DIGITS = 6
# Steps accepted either side of the current one (valid_window=1): a phone clock 30 s off works.
DRIFT_STEPS = 1
CODE_PATTERN = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """A fresh base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(length=32)


def time_step(now: dt.datetime) -> int:
    """The 30-second step `now` falls in."""
    return int(now.timestamp()) // STEP_SECONDS


def normalized(code: str) -> str:
    """The code as typed, without spaces (apps show '123 456')."""
    return re.sub(r"\s+", "", code or "")


def looks_like_code(code: str) -> bool:
    """Whether the input has the shape of an authenticator code (six digits)."""
    return bool(CODE_PATTERN.match(normalized(code)))


def matching_step(secret: str, code: str, now: dt.datetime, *, after: int | None) -> int | None:
    """The time step within DRIFT_STEPS of `now` whose code is `code`, later than `after`.

    None when no such step exists: a wrong code, one too old, or one already used (a step at or
    before `after`, the last step accepted).
    """
    code = normalized(code)
    if not CODE_PATTERN.match(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (drawn locally: the secret never leaves the server)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#111827", light="#fff")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
