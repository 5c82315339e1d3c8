"""Email jobs: send one queued email (SMTP or .eml file), and the sweep that re-enqueues due mail."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app

from supportdesk import jobs, outbox
from supportdesk.accounts.models import Organization
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.jobs import job
from supportdesk.mail.outbound import transport
from supportdesk.mail.outbound.compose import build_mime, envelope_from
from supportdesk.mail.outbound.models import AttemptOutcome, EmailAttempt, EmailMessage
from supportdesk.mail.outbound.service import SEND_JOB, sender_name, settings_for
from supportdesk.outbox import OutboxState

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


def _deliver(email: EmailMessage) -> list[transport.Result]:
    """Try the primary server, then the fallback on a temporary failure; or write a file."""
    try:
        organization = db.session.get(Organization, email.organization_id)
        message = build_mime(email, sender_name(organization, settings_for(organization.id)))
    except (ValueError, TypeError) as exc:
        return [transport.Result("none", AttemptOutcome.FAILED, None, f"cannot build: {exc}", 0)]
    try:
        servers = _servers()
    except transport.BadSmtpUrl as exc:
        # A configuration mistake must not lose mail: keep it deferred until it is fixed.
        return [transport.Result("none", AttemptOutcome.DEFERRED, None, f"settings: {exc}", 0)]
    if not servers:
        return [transport.write_eml(_mail_dir(), f"email-{email.id}", message)]
    results = []
    timeout = float(current_app.config["SMTP_TIMEOUT"])
    for label, server in servers:
        result = transport.send_smtp(server, label, message, envelope_from(), timeout)
        results.append(result)
        if result.outcome is not AttemptOutcome.DEFERRED:
            break
    return results


@job
def send_email(email_id: int) -> str:
    """Send one email if it is due and nobody else holds it; record every attempt."""
    lease = int(current_app.config["MAIL_LEASE_SECONDS"])
    if not outbox.claim(EmailMessage, email_id, lease_seconds=lease):
        return "skipped"
    email = db.session.get(EmailMessage, email_id)
    with outbox.released_on_stop(EmailMessage, email_id, SEND_JOB, queue="emails"):
        results = _deliver(email)
    now = utcnow()
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
    else:
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
    db.session.commit()
    log.info("email %s %s via %s", email_id, email.state.value, final.server)
    return email.state.value


@job
def sweep_emails() -> int:
    """Re-enqueue emails still queued or due for a retry (Redis was down, a worker died)."""
    ids = outbox.due_ids(EmailMessage)
    for email_id in ids:
        jobs.enqueue(SEND_JOB, email_id, queue="emails")
    return len(ids)
