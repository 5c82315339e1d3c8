"""Test data for outgoing mail: outbox rows made directly, and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.mail.identity import signing
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.outbox import OutboxState


def make_email(org, *, ticket=None, state=OutboxState.QUEUED, **overrides) -> EmailMessage:
    """An outbox row for `org` (flushed), by default queued and due now."""
    now = utcnow()
    values = {
        "organization_id": org.id,
        "ticket_id": ticket.id if ticket else None,
        "kind": "agent_replied",
        "automatic": False,
        "to_address": "someone@example.com",
        "to_name": "Some One",
        "subject": "[#1] Hello",
        "message_id_header": signing.new_message_id(ticket.id if ticket else 0),
        "html_body": "<p>Hello</p>",
        "text_body": "Hello\n",
        "created_at": now,
        "next_attempt_at": now,
        "state": state,
        "attempts": 0,
        "last_error": "",
    }
    values.update(overrides)
    email = EmailMessage(**values)
    db.session.add(email)
    db.session.flush()
    return email


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server received, and how it should answer the next RCPT TO."""

    messages: list = field(default_factory=list)
    envelopes: list = field(default_factory=list)
    rcpt_reply: str | None = None  # e.g. "550 5.1.1 No such user" to refuse
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on a free local port (aiosmtpd), started and stopped on demand."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self, **smtp_options) -> None:
        self.controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, **smtp_options
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
