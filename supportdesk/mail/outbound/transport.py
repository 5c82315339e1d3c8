"""Handing a built email to a server: SMTP (plain, STARTTLS, implicit TLS) or an .eml file.

One URL configures a server: `smtp://user:pass@host:25`, `smtp+starttls://…:587`,
`smtps://…:465` (user and password URL-encoded, both optional). The password is never logged
and never appears in an attempt's reply text. Errors are classified: connection problems and
4xx replies are temporary (retry later, or try the fallback server), 5xx replies are permanent.

A worker keeps one SMTP connection open per server and thread (`Session`), so a batch of mail is
one handshake, not one per email. A kept-open connection the server closed meanwhile is noticed
before the message is handed over (MAIL, RCPT) and the email goes out on a fresh connection at
once; if the connection drops once DATA has begun, whether the server took it is unknown, so the
attempt is recorded as deferred and retried later — never resent knowingly.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from supportdesk.mail.outbound.models import AttemptOutcome

_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
IDLE_SECONDS = 30.0  # a connection unused for longer is closed rather than reused
SESSIONS_KEPT = 8  # servers with an open connection per thread


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


class _DataTracking:
    """Notes when DATA begins: after that, a dropped connection may have delivered the mail."""

    data_started = False

    def data(self, msg):
        self.data_started = True
        return super().data(msg)


class _SMTP(_DataTracking, smtplib.SMTP):
    pass


class _SMTPS(_DataTracking, smtplib.SMTP_SSL):
    pass


class Session:
    """One kept-open connection to a server, opened on first use and again after a drop."""

    def __init__(self, server: SmtpServer, timeout: float) -> None:
        self.server = server
        self.timeout = timeout
        self.client: _SMTP | _SMTPS | None = None
        self.last_used = 0.0
        self.connections = 0  # opened so far (for tests and the curious)

    def _connect(self) -> None:
        server = self.server
        if server.scheme == "smtps":
            context = ssl.create_default_context()
            client = _SMTPS(server.host, server.port, timeout=self.timeout, context=context)
        else:
            client = _SMTP(server.host, server.port, timeout=self.timeout)
        self.client = client
        self.connections += 1
        if server.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if server.username:
            client.login(server.username, server.password)

    def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()

    def send(self, label: str, message: EmailMessage, envelope_from: str) -> Result:
        """Try once to hand `message` over; never raises for SMTP or network trouble."""
        started = time.monotonic()

        def result(outcome: AttemptOutcome, code: int | None, reply: str | bytes) -> Result:
            elapsed = int((time.monotonic() - started) * 1000)
            return Result(label, outcome, code, _decode(reply), elapsed)

        if self.client is not None and time.monotonic() - self.last_used > IDLE_SECONDS:
            self.close()
        # The To address, then every copied one (Cc): all envelope recipients of one message.
        recipients = [message["To"].addresses[0].addr_spec]
        recipients += [a.addr_spec for a in message["Cc"].addresses] if message["Cc"] else []
        for fresh in (self.client is None, True):
            try:
                if self.client is None:
                    self._connect()
                self.client.data_started = False
                self.client.send_message(message, from_addr=envelope_from, to_addrs=recipients)
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = next(iter(exc.recipients.values()))
                return result(_classify(code), code, reply)
            except smtplib.SMTPAuthenticationError as exc:
                # A server configuration problem, not this email's: keep it for when it is fixed.
                self.close()
                return result(AttemptOutcome.DEFERRED, exc.smtp_code, exc.smtp_error)
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code == 421:  # the server is closing the connection
                    self.close()
                return result(_classify(exc.smtp_code), exc.smtp_code, exc.smtp_error)
            except (smtplib.SMTPException, OSError) as exc:
                handed_over = self.client is not None and self.client.data_started
                self.close()
                if fresh or handed_over:
                    return result(AttemptOutcome.DEFERRED, None, f"{type(exc).__name__}: {exc}")
                continue  # the kept-open connection had gone before MAIL: send on a new one
            self.last_used = time.monotonic()
            return result(AttemptOutcome.SENT, 250, "accepted")
        raise AssertionError("unreachable")  # pragma: no cover


class _Sessions(threading.local):
    """This thread's open sessions, the least recently used closed past SESSIONS_KEPT."""

    def __init__(self) -> None:
        self.open: OrderedDict[tuple[SmtpServer, float], Session] = OrderedDict()

    def get(self, server: SmtpServer, timeout: float) -> Session:
        key = (server, timeout)
        session = self.open.get(key)
        if session is None:
            session = self.open[key] = Session(server, timeout)
            _every_session.add(session)
            while len(self.open) > SESSIONS_KEPT:
                self.open.popitem(last=False)[1].close()
        self.open.move_to_end(key)
        return session

    def close(self) -> None:
        while self.open:
            self.open.popitem()[1].close()


sessions = _Sessions()
_every_session: weakref.WeakSet[Session] = weakref.WeakSet()


def close_all() -> None:
    """Close every thread's kept-open connections (for tests and shutdown, when none is busy)."""
    for session in list(_every_session):
        session.close()


def send_smtp(
    server: SmtpServer, label: str, message: EmailMessage, envelope_from: str, timeout: float
) -> Result:
    """Try once to hand `message` to `server` on this thread's kept-open connection."""
    return sessions.get(server, timeout).send(label, message, envelope_from)


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
