"""The email delivery job against a real SMTP server, a real Redis and a burst worker."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from email import message_from_bytes, policy

import pytest
from redis import Redis
from rq import Queue

from supportdesk import jobs
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.jobs.email import send_email, sweep_emails
from supportdesk.mail.outbound.models import AttemptOutcome, EmailAttempt, EmailMessage
from supportdesk.mail.outbound.service import SEND_JOB, settings_for
from supportdesk.outbox import OutboxState
from tests.mail.helpers import SmtpServer, free_port, make_email

pytestmark = pytest.mark.integration


def _queue(email: EmailMessage) -> int:
    """Commit the row with its send job deferred, as a service would; return its id."""
    jobs.defer(db.session, SEND_JOB, email.id, queue="emails")
    db.session.commit()
    return email.id


def _email(email_id: int) -> EmailMessage:
    db.session.expire_all()
    return db.session.get(EmailMessage, email_id)


def _attempts(email_id: int) -> list[EmailAttempt]:
    return list(
        db.session.scalars(
            db.select(EmailAttempt)
            .where(EmailAttempt.email_id == email_id)
            .order_by(EmailAttempt.id)
        )
    )


def _make_due(email_id: int) -> None:
    """Pretend the backoff has elapsed."""
    email = _email(email_id)
    email.next_attempt_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()


def test_a_queued_email_reaches_the_smtp_server(org, smtp, run_worker):
    email_id = _queue(make_email(org, to_address="ines@example.com", to_name="Inès"))
    run_worker()
    email = _email(email_id)
    assert (email.state, email.server, email.attempts) == (OutboxState.SENT, "primary", 1)
    assert email.sent_at is not None and email.locked_until is None
    [received] = smtp.mailbox.messages
    assert received["Message-ID"] == email.message_id_header
    assert received["To"] == "Inès <ines@example.com>"
    assert smtp.mailbox.envelopes == [("support@supportdesk.localhost", ["ines@example.com"])]
    [attempt] = _attempts(email_id)
    assert (attempt.server, attempt.outcome, attempt.smtp_code) == (
        "primary",
        AttemptOutcome.SENT,
        250,
    )


@pytest.mark.parametrize(
    ("sender_name", "shown"),
    [
        pytest.param("", "{org}", id="the-organization-name-by-default"),
        pytest.param("Acme Help Désk", "Acme Help Désk", id="the-sender-name-when-set"),
    ],
)
def test_the_from_header_carries_the_sender_name(org, smtp, run_worker, sender_name, shown):
    settings_for(org.id).sender_name = sender_name
    expected = shown.format(org=org.name)
    _queue(make_email(org))
    run_worker()
    [received] = smtp.mailbox.messages
    mailbox = received["From"].addresses[0]
    assert mailbox.display_name == expected
    assert mailbox.addr_spec == "support@supportdesk.localhost"


def test_smtp_down_defers_then_the_retry_sends_exactly_once(org, mail_config, run_worker):
    server = SmtpServer()  # not started yet: the port refuses connections
    mail_config(SMTP_URL=server.url)
    email_id = _queue(make_email(org))
    before = utcnow()
    run_worker()

    email = _email(email_id)
    assert email.state is OutboxState.DEFERRED and email.attempts == 1
    # First retry after about a minute (the schedule's first step, with 10 % jitter).
    assert dt.timedelta(seconds=50) < email.next_attempt_at - before < dt.timedelta(seconds=70)
    assert "ConnectionRefusedError" in email.last_error
    [attempt] = _attempts(email_id)
    assert (attempt.outcome, attempt.smtp_code) == (AttemptOutcome.DEFERRED, None)

    server.start()
    try:
        _make_due(email_id)
        assert sweep_emails() == 1
        run_worker()
        assert sweep_emails() == 0  # nothing left to send
        run_worker()
    finally:
        server.stop()
    email = _email(email_id)
    assert (email.state, email.attempts, email.last_error) == (OutboxState.SENT, 2, "")
    assert len(server.mailbox.messages) == 1
    assert [a.outcome for a in _attempts(email_id)] == [
        AttemptOutcome.DEFERRED,
        AttemptOutcome.SENT,
    ]


def test_a_permanent_rejection_fails_at_once(org, smtp, run_worker):
    smtp.mailbox.rcpt_reply = "550 5.1.1 <nobody@example.com>: Recipient address rejected"
    email_id = _queue(make_email(org, to_address="nobody@example.com"))
    run_worker()
    email = _email(email_id)
    assert (email.state, email.attempts) == (OutboxState.FAILED, 1)
    assert "550" in email.last_error and "Recipient address rejected" in email.last_error
    [attempt] = _attempts(email_id)
    assert (attempt.outcome, attempt.smtp_code) == (AttemptOutcome.FAILED, 550)
    assert smtp.mailbox.messages == []


def test_a_temporary_rejection_is_retried_later(org, smtp, run_worker):
    smtp.mailbox.rcpt_reply = "451 4.7.1 Greylisted, try again later"
    email_id = _queue(make_email(org))
    run_worker()
    email = _email(email_id)
    assert email.state is OutboxState.DEFERRED
    assert _attempts(email_id)[0].smtp_code == 451


def test_the_fallback_server_takes_over_when_the_primary_is_down(
    org, smtp, mail_config, run_worker
):
    mail_config(SMTP_URL=f"smtp://127.0.0.1:{free_port()}", SMTP_FALLBACK_URL=smtp.url)
    email_id = _queue(make_email(org))
    run_worker()
    email = _email(email_id)
    assert (email.state, email.server) == (OutboxState.SENT, "fallback")
    assert [(a.server, a.outcome) for a in _attempts(email_id)] == [
        ("primary", AttemptOutcome.DEFERRED),
        ("fallback", AttemptOutcome.SENT),
    ]
    assert len(smtp.mailbox.messages) == 1


def test_the_fallback_is_not_used_for_a_permanent_rejection(org, smtp, mail_config, run_worker):
    fallback = SmtpServer()
    fallback.start()
    try:
        mail_config(SMTP_FALLBACK_URL=fallback.url)
        smtp.mailbox.rcpt_reply = "550 5.1.1 No such user"
        email_id = _queue(make_email(org))
        run_worker()
    finally:
        fallback.stop()
    assert _email(email_id).state is OutboxState.FAILED
    assert fallback.mailbox.messages == []


def test_a_job_that_runs_twice_sends_once(org, smtp, run_worker):
    email_id = make_email(org).id
    db.session.commit()
    jobs.enqueue(SEND_JOB, email_id, queue="emails")
    jobs.enqueue(SEND_JOB, email_id, queue="emails")
    run_worker()
    assert len(smtp.mailbox.messages) == 1
    assert send_email(email_id) == "skipped"
    assert _email(email_id).attempts == 1


def test_a_row_leased_by_a_live_worker_is_left_alone(org, smtp):
    email_id = make_email(org, locked_until=utcnow() + dt.timedelta(seconds=60)).id
    db.session.commit()
    assert sweep_emails() == 0
    assert send_email(email_id) == "skipped"
    assert smtp.mailbox.messages == []


def test_a_row_whose_worker_died_is_picked_up_by_the_sweep(org, smtp, run_worker):
    # The worker claimed it, then was killed before recording anything: only the lease is left.
    email_id = make_email(org, locked_until=utcnow() - dt.timedelta(seconds=1)).id
    db.session.commit()
    assert sweep_emails() == 1
    run_worker()
    assert _email(email_id).state is OutboxState.SENT
    assert len(smtp.mailbox.messages) == 1


def test_redis_down_at_commit_loses_nothing_and_the_sweep_sends_it(
    app, org, smtp, run_worker, caplog
):
    working, app.extensions["redis"] = (
        app.extensions["redis"],
        Redis.from_url("redis://127.0.0.1:1/0"),
    )
    try:
        with caplog.at_level(logging.WARNING, logger="supportdesk.jobs"):
            email_id = _queue(make_email(org))
    finally:
        app.extensions["redis"].close()
        app.extensions["redis"] = working
    assert "will be retried by the sweep" in caplog.text
    assert Queue("emails", connection=working).count == 0
    assert _email(email_id).state is OutboxState.QUEUED

    assert sweep_emails() == 1
    run_worker()
    assert _email(email_id).state is OutboxState.SENT
    assert len(smtp.mailbox.messages) == 1


def test_after_the_last_attempt_the_email_fails(org, mail_config, run_worker):
    mail_config(SMTP_URL=f"smtp://127.0.0.1:{free_port()}", MAIL_MAX_ATTEMPTS=2)
    email_id = _queue(make_email(org))
    run_worker()
    assert _email(email_id).state is OutboxState.DEFERRED
    _make_due(email_id)
    sweep_emails()
    run_worker()
    email = _email(email_id)
    assert (email.state, email.attempts) == (OutboxState.FAILED, 2)


def test_without_smtp_the_email_is_written_as_an_eml_file(org, mail_config, tmp_path):
    email_id = make_email(org, subject="[#7] Your invoice", to_address="ines@example.com").id
    db.session.commit()
    assert send_email(email_id) == "sent"
    email = _email(email_id)
    assert email.server == "file"
    written = tmp_path / "mail" / f"email-{email_id}.eml"
    parsed = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "[#7] Your invoice"
    assert parsed["Message-ID"] == email.message_id_header
    assert parsed.get_body(("plain",)).get_content().strip() == "Hello"
    assert _attempts(email_id)[0].smtp_reply == f"written to email-{email_id}.eml"


def test_a_bad_smtp_url_keeps_the_mail_deferred(org, mail_config):
    mail_config(SMTP_URL="http://mail.example.com")
    email_id = make_email(org).id
    db.session.commit()
    assert send_email(email_id) == "deferred"
    assert "unsupported SMTP URL scheme" in _email(email_id).last_error


def test_smtp_credentials_are_url_decoded_and_never_stored(org, mail_config, run_worker):
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    server = SmtpServer()
    server.start(authenticator=authenticator, auth_require_tls=False)
    try:
        mail_config(SMTP_URL=f"smtp://mailer%40example.com:p%40ss%3Aw%2Frd@127.0.0.1:{server.port}")
        email_id = _queue(make_email(org))
        run_worker()
    finally:
        server.stop()
    assert seen == [("mailer@example.com", "p@ss:w/rd")]
    assert _email(email_id).state is OutboxState.SENT
    assert all("p@ss" not in a.smtp_reply for a in _attempts(email_id))


def test_wrong_smtp_credentials_defer_the_mail(org, mail_config, run_worker):
    from aiosmtpd.smtp import AuthResult

    server = SmtpServer()
    server.start(
        authenticator=lambda *args: AuthResult(success=False, handled=False),
        auth_require_tls=False,
    )
    try:
        mail_config(SMTP_URL=f"smtp://user:wrong@127.0.0.1:{server.port}")
        email_id = _queue(make_email(org))
        run_worker()
    finally:
        server.stop()
    email = _email(email_id)
    assert email.state is OutboxState.DEFERRED and "535" in email.last_error
    assert "wrong" not in email.last_error


def test_a_message_refused_after_data_is_classified_by_its_code(org, smtp, run_worker):
    async def refuse(server, session, envelope):
        return "554 5.6.0 Message content rejected"

    smtp.mailbox.handle_DATA = refuse
    email_id = _queue(make_email(org))
    run_worker()
    email = _email(email_id)
    assert email.state is OutboxState.FAILED and "554" in email.last_error


def test_a_server_that_hangs_up_defers_the_mail(org, mail_config):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def hang_up():
        conn, _ = listener.accept()
        conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    mail_config(SMTP_URL=f"smtp://127.0.0.1:{listener.getsockname()[1]}")
    email_id = make_email(org).id
    db.session.commit()
    try:
        assert send_email(email_id) == "deferred"
    finally:
        listener.close()
    assert "SMTPServerDisconnected" in _email(email_id).last_error


def test_smtplib_is_the_transport(org):
    # Guard for the classification above: smtplib's exception tree is what we rely on.
    assert issubclass(smtplib.SMTPRecipientsRefused, smtplib.SMTPException)


@pytest.mark.parametrize(
    "scheme, error",
    [
        pytest.param("smtps", "SSL", id="implicit-tls-to-a-plain-server"),
        pytest.param("smtp+starttls", "STARTTLS", id="starttls-not-offered"),
    ],
)
def test_a_tls_failure_defers_the_mail_instead_of_losing_it(org, smtp, mail_config, scheme, error):
    mail_config(SMTP_URL=f"{scheme}://127.0.0.1:{smtp.port}", SMTP_TIMEOUT=5)
    email_id = make_email(org).id
    db.session.commit()
    assert send_email(email_id) == "deferred"
    assert error in _email(email_id).last_error
    assert smtp.mailbox.messages == []


def test_an_address_the_mime_builder_refuses_fails_with_the_reason(org, mail_config):
    email_id = make_email(org, to_address="not an address").id
    db.session.commit()
    assert send_email(email_id) == "failed"
    assert "cannot build" in _email(email_id).last_error
