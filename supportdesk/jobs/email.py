"""Email jobs: the drain that sends what is due, one named email, and the sweep.

The drain claims due emails in batches (EMAIL_BATCH), builds them, hands them to the SMTP
server from SMTP_CONNECTIONS sender threads, each over its own kept-open connection
(transport.Session), records every attempt, and commits the batch at once; it goes on until nothing is due or DRAIN_SECONDS have passed (then
the next wake-up carries on). Commits that queue mail wake it (jobs.wake), each retry is
scheduled for its time (jobs.defer at=), and the sweep takes back what a dead worker left,
logging that attempt as interrupted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from supportdesk import jobs, outbox
from supportdesk.accounts.models import Organization
from supportdesk.attachments.models import Attachment
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.jobs import job
from supportdesk.mail.outbound import transport
from supportdesk.mail.outbound.compose import build_mime, envelope_from
from supportdesk.mail.outbound.files import mail_files, mime_files
from supportdesk.mail.outbound.models import AttemptOutcome, EmailAttempt, EmailMessage
from supportdesk.mail.outbound.service import DRAIN_JOB, sender_name, settings_for
from supportdesk.outbox import OutboxState
from supportdesk.storage import StorageError

log = logging.getLogger(__name__)


def _servers() -> list[tuple[str, transport.SmtpServer]]:
    config = current_app.config
    servers = []
    for label, key in (("primary", "SMTP_URL"), ("fallback", "SMTP_FALLBACK_URL")):
        if config.get(key):
            servers.append((label, transport.SmtpServer.from_url(config[key])))
    return servers


def _mail_dir() -> Path:
    configured = current_app.config.get("MAIL_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "mail"


DRAIN_SECONDS = 10.0  # stop claiming after this, so the worker's other queues get their turn
EMAIL_BATCH = 50  # emails claimed, sent and committed together
INTERRUPTED = (
    "Interrupted: the worker stopped during this attempt (whether it was taken is unknown)."
)


def _build(
    email: EmailMessage, names: dict[int, str], files: list[Attachment]
) -> EmailMessage | transport.Result:
    """The MIME message, or the permanent failure of an email that cannot be built."""
    try:
        if email.organization_id not in names:
            organization = db.session.get(Organization, email.organization_id)
            names[email.organization_id] = sender_name(organization, settings_for(organization.id))
        return build_mime(email, names[email.organization_id], mime_files(files))
    except (ValueError, TypeError) as exc:
        return transport.Result("none", AttemptOutcome.FAILED, None, f"cannot build: {exc}", 0)
    except StorageError as exc:
        # The bucket or disk is unreachable for now: try again later, as for a server outage.
        return transport.Result("none", AttemptOutcome.DEFERRED, None, f"files: {exc}", 0)


@dataclass(frozen=True)
class _Route:
    """Where a batch goes, read from the settings in the job's thread (the senders have no app)."""

    servers: list[tuple[str, transport.SmtpServer]]
    timeout: float
    envelope_from: str
    mail_dir: Path
    problem: transport.Result | None = None


def _route() -> _Route:
    timeout, sender, mail_dir = (
        float(current_app.config["SMTP_TIMEOUT"]),
        envelope_from(),
        _mail_dir(),
    )
    try:
        return _Route(_servers(), timeout, sender, mail_dir)
    except transport.BadSmtpUrl as exc:
        # A configuration mistake must not lose mail: keep it deferred until it is fixed.
        problem = transport.Result("none", AttemptOutcome.DEFERRED, None, f"settings: {exc}", 0)
        return _Route([], timeout, sender, mail_dir, problem)


def _deliver(route: _Route, email_id: int, message) -> list[transport.Result]:
    """Try the primary server, then the fallback on a temporary failure; or write a file.

    Runs in a sender thread, on that thread's kept-open connections."""
    if isinstance(message, transport.Result):
        return [message]
    if route.problem is not None:
        return [route.problem]
    if not route.servers:
        return [transport.write_eml(route.mail_dir, f"email-{email_id}", message)]
    results = []
    for label, server in route.servers:
        result = transport.send_smtp(server, label, message, route.envelope_from, route.timeout)
        results.append(result)
        if result.outcome is not AttemptOutcome.DEFERRED:
            break
    return results


def _record(email: EmailMessage, results: list[transport.Result], now) -> None:
    """Log each try of this attempt; mark the email sent, schedule its retry, or fail it."""
    for result in results:
        db.session.add(
            EmailAttempt(
                organization_id=email.organization_id,
                email_id=email.id,
                attempted_at=now,
                server=result.server,
                outcome=result.outcome,
                smtp_code=result.code,
                smtp_reply=result.reply[:500],
                duration_ms=result.duration_ms,
            )
        )
    final = results[-1]
    email.attempts += 1
    email.locked_until = None
    if final.outcome is AttemptOutcome.SENT:
        email.state, email.sent_at, email.server, email.last_error = (
            OutboxState.SENT,
            now,
            final.server,
            "",
        )
        return
    email.last_error = "; ".join(
        f"{r.server}: {r.code or ''} {r.reply}".replace("  ", " ") for r in results
    )[:1000]
    schedule = list(current_app.config["MAIL_RETRY_SCHEDULE"])
    if final.outcome is AttemptOutcome.FAILED or email.attempts >= int(
        current_app.config["MAIL_MAX_ATTEMPTS"]
    ):
        email.state = OutboxState.FAILED
    else:
        email.state = OutboxState.DEFERRED
        email.next_attempt_at = now + outbox.backoff(email.attempts, schedule)
        # On time, not at the next sweep: RQ's scheduler runs the drain when the retry is due.
        jobs.defer(db.session, DRAIN_JOB, queue="emails", at=email.next_attempt_at)


def _load(ids: list[int]) -> list[EmailMessage]:
    return list(
        db.session.scalars(
            sa.select(EmailMessage)
            .where(EmailMessage.id.in_(ids))
            .order_by(EmailMessage.next_attempt_at, EmailMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def _send_batch(ids: list[int] | None = None) -> dict[int, str]:
    """Claim a batch (only `ids`, if given), send it, record it; email id -> its new state."""
    outbox.relaxed_commit()
    claimed = outbox.claim_due(
        EmailMessage,
        lease_seconds=int(current_app.config["MAIL_LEASE_SECONDS"]),
        limit=EMAIL_BATCH,
        ids=ids,
    )
    names: dict[int, str] = {}
    emails = _load(claimed)
    files = mail_files(emails)
    messages = {email.id: _build(email, names, files.get(email.id, [])) for email in emails}
    db.session.commit()  # the leases are seen by other workers; no transaction waits on SMTP
    route = _route()
    senders = jobs.threads("emails", int(current_app.config["SMTP_CONNECTIONS"]))
    with outbox.released_on_stop(EmailMessage, lambda: messages, DRAIN_JOB, queue="emails"):
        futures = {i: senders.submit(_deliver, route, i, m) for i, m in messages.items()}
        results = {email_id: future.result() for email_id, future in futures.items()}
    now = utcnow()
    outbox.relaxed_commit()
    states = {}
    for email in _load(list(results)):
        _record(email, results[email.id], now)
        states[email.id] = email.state.value
        log.info("email %s %s via %s", email.id, email.state.value, results[email.id][-1].server)
    db.session.commit()
    return states


@job
def send_emails() -> int:
    """The drain: send every due email (see the module docstring); returns how many tried."""
    jobs.woken(DRAIN_JOB, queue="emails")
    deadline, tried = time.monotonic() + DRAIN_SECONDS, 0
    while batch := _send_batch():
        tried += len(batch)
        if time.monotonic() >= deadline:
            jobs.enqueue(DRAIN_JOB, queue="emails", wake=True)  # the next one carries on
            break
    return tried


@job
def send_email(email_id: int) -> str:
    """Send one email now if it is due and nobody else holds it; "skipped" otherwise."""
    return _send_batch([email_id]).get(email_id, "skipped")


@job
def sweep_emails() -> int:
    """The safety net: log attempts a dead worker left as interrupted, then wake the drain if
    anything is due (a lost job, Redis down at commit time); returns how many are due."""
    lost = outbox.expired_leases(EmailMessage)
    if lost:
        now = utcnow()
        for email in _load(lost):
            db.session.add(
                EmailAttempt(
                    organization_id=email.organization_id,
                    email_id=email.id,
                    attempted_at=now,
                    server="",
                    outcome=AttemptOutcome.DEFERRED,
                    smtp_code=None,
                    smtp_reply=INTERRUPTED,
                    duration_ms=0,
                )
            )
            email.attempts += 1
            email.locked_until = None
            email.last_error = INTERRUPTED
            if email.attempts >= int(current_app.config["MAIL_MAX_ATTEMPTS"]):
                email.state = OutboxState.FAILED
            else:  # due at once: the lease was the wait
                email.state, email.next_attempt_at = OutboxState.DEFERRED, now
        db.session.commit()
    due = len(outbox.due_ids(EmailMessage))
    if due:
        jobs.enqueue(DRAIN_JOB, queue="emails")
    return due
