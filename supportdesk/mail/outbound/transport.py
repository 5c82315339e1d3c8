"""Handing a built email to a server: SMTP (plain, STARTTLS, implicit TLS) or an .eml file.

One URL configures a server: `smtp://user:pass@host:25`, `smtp+starttls://…:587`,
`smtps://…:465` (user and password URL-encoded, both optional). The password is never logged
and never appears in an attempt's reply text. Errors are classified: connection problems and
4xx replies are temporary (retry later, or try the fallback server), 5xx replies are permanent.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from supportdesk.mail.outbound.models import AttemptOutcome

_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class BadSmtpUrl(ValueError):
    """The SMTP URL setting cannot be understood."""


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect; `repr` leaves the password out."""

    scheme: str
    host: str
    port: int
    username: str = ""
    password: str = ""

    def __repr__(self) -> str:
        return f"SmtpServer({self.scheme}://{self.host}:{self.port})"

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise BadSmtpUrl(f"unsupported SMTP URL scheme {scheme!r} (smtp, smtp+starttls, smtps)")
        if not parts.hostname:
            raise BadSmtpUrl("the SMTP URL has no host")
        try:
            port = parts.port or _DEFAULT_PORTS[scheme]
        except ValueError as exc:
            raise BadSmtpUrl("the SMTP URL has an invalid port") from exc
        return cls(
            scheme=scheme,
            host=parts.hostname,
            port=port,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


@dataclass
class Result:
    """The outcome of one try on one server."""

    server: str
    outcome: AttemptOutcome
    code: int | None
    reply: str
    duration_ms: int


def _decode(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:500]


def _classify(code: int) -> AttemptOutcome:
    return AttemptOutcome.FAILED if 500 <= code < 600 else AttemptOutcome.DEFERRED


def send_smtp(
    server: SmtpServer, label: str, message: EmailMessage, envelope_from: str, timeout: float
) -> Result:
    """Try once to hand `message` to `server`; never raises for SMTP or network trouble."""
    started = time.monotonic()

    def result(outcome: AttemptOutcome, code: int | None, reply: str) -> Result:
        elapsed = int((time.monotonic() - started) * 1000)
        return Result(label, outcome, code, _decode(reply), elapsed)

    recipients = [message["To"].addresses[0].addr_spec]
    try:
        if server.scheme == "smtps":
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with client:
            if server.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if server.username:
                client.login(server.username, server.password)
            client.send_message(message, from_addr=envelope_from, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        return result(_classify(code), code, reply)
    except smtplib.SMTPAuthenticationError as exc:
        # A server configuration problem, not this email's: keep it for when it is fixed.
        return result(AttemptOutcome.DEFERRED, exc.smtp_code, exc.smtp_error)
    except smtplib.SMTPResponseException as exc:
        return result(_classify(exc.smtp_code), exc.smtp_code, exc.smtp_error)
    except (smtplib.SMTPException, OSError) as exc:
        return result(AttemptOutcome.DEFERRED, None, f"{type(exc).__name__}: {exc}")
    return result(AttemptOutcome.SENT, 250, "accepted")


def write_eml(directory: Path, name: str, message: EmailMessage) -> Result:
    """Write the message as an .eml file (the embedded default); rewriting it is harmless."""
    started = time.monotonic()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name}.eml"
    with tempfile.NamedTemporaryFile("wb", dir=directory, delete=False, suffix=".tmp") as handle:
        handle.write(message.as_bytes())
    os.replace(handle.name, target)
    elapsed = int((time.monotonic() - started) * 1000)
    return Result("file", AttemptOutcome.SENT, None, f"written to {target.name}", elapsed)
