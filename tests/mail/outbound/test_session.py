"""A kept-open SMTP connection against a real server (aiosmtpd): reused for many emails, replaced
at once when the server closed it between emails, and never used to resend an email whose DATA
was cut off (whether the server kept it is unknown)."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from supportdesk.mail.outbound import transport
from supportdesk.mail.outbound.models import AttemptOutcome
from tests.mail.helpers import CountingMailbox, SmtpServer

pytestmark = pytest.mark.unit


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.mailbox = CountingMailbox()
    server.start()
    yield server
    transport.close_all()
    server.stop()


def _message(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "support@example.com"
    message["To"] = f"customer{n}@example.com"
    message["Subject"] = f"Message {n}"
    message.set_content(f"Body {n}\n")
    return message


def _send(session: transport.Session, count: int) -> list[transport.Result]:
    return [session.send("primary", _message(n), "support@example.com") for n in range(count)]


def test_one_connection_carries_many_emails(server):
    session = transport.Session(transport.SmtpServer.from_url(server.url), 5)
    results = _send(session, 5)
    assert [r.outcome for r in results] == [AttemptOutcome.SENT] * 5
    assert (server.mailbox.connections, session.connections) == (1, 1)
    assert [m["Subject"] for m in server.mailbox.messages] == [f"Message {n}" for n in range(5)]
    session.close()


def test_a_connection_the_server_closed_between_emails_is_replaced_at_once(server):
    server.mailbox.hang_up_after = {2}
    session = transport.Session(transport.SmtpServer.from_url(server.url), 5)
    results = _send(session, 4)
    assert [r.outcome for r in results] == [AttemptOutcome.SENT] * 4
    assert server.mailbox.connections == 2
    # Each email arrived once: the third was not handed over on the closed connection.
    assert [m["Subject"] for m in server.mailbox.messages] == [f"Message {n}" for n in range(4)]
    session.close()


def test_an_email_cut_off_during_data_is_deferred_not_resent_and_the_next_one_goes(server):
    server.mailbox.hang_up_during = {2}
    session = transport.Session(transport.SmtpServer.from_url(server.url), 5)
    results = _send(session, 3)
    assert [r.outcome for r in results] == [
        AttemptOutcome.SENT,
        AttemptOutcome.DEFERRED,
        AttemptOutcome.SENT,
    ]
    assert "SMTPServerDisconnected" in results[1].reply
    # The server kept the second message, which we could not know: it is retried later, and
    # until then it went out once.
    subjects = [m["Subject"] for m in server.mailbox.messages]
    assert subjects == ["Message 0", "Message 1", "Message 2"]
    assert server.mailbox.connections == 2
    session.close()


def test_each_thread_keeps_its_own_connection_per_server(server):
    smtp = transport.SmtpServer.from_url(server.url)
    first = transport.send_smtp(smtp, "primary", _message(0), "support@example.com", 5)
    again = transport.send_smtp(smtp, "primary", _message(1), "support@example.com", 5)
    assert (first.outcome, again.outcome) == (AttemptOutcome.SENT, AttemptOutcome.SENT)
    assert transport.sessions.get(smtp, 5).connections == 1
    assert server.mailbox.connections == 1
