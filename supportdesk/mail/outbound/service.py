"""Notification writes: queue an email (outbox row + job), org settings, retry. Flush, never commit."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from supportdesk import audit, jobs
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import require
from supportdesk.customers.service import find_by_email
from supportdesk.db import touch_if_changed, utcnow
from supportdesk.errors import DomainError, ValidationFailed
from supportdesk.extensions import db
from supportdesk.localtime import organization_time
from supportdesk.mail.identity import ownership, signing, verification
from supportdesk.mail.outbound.compose import Rendered, one_line, render
from supportdesk.mail.outbound.models import (
    EmailMessage,
    Notification,
    NotificationSettings,
)
from supportdesk.outbox import OutboxState

log = logging.getLogger(__name__)
SEND_JOB = "supportdesk.jobs.email.send_email"
DRAIN_JOB = "supportdesk.jobs.email.send_emails"
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_REFERENCES = 10


class EmailNotFound(DomainError):
    """No such email in this organization."""

    status = 404
    code = "not_found"

    def __init__(self) -> None:
        super().__init__("There is no such email.")


def settings_for(organization_id: int) -> NotificationSettings:
    """The organization's notification settings, created with the defaults on first use."""
    row = db.session.scalar(
        sa.select(NotificationSettings).where(
            NotificationSettings.organization_id == organization_id
        )
    )
    if row is None:
        row = NotificationSettings(organization_id=organization_id)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            # Another transaction made the row between our read and our insert: use theirs.
            row = db.session.scalar(
                sa.select(NotificationSettings).where(
                    NotificationSettings.organization_id == organization_id
                )
            )
    return row


def sender_name(organization: Organization, settings: NotificationSettings) -> str:
    """The display name of our From: the sender name set in branding, else the organization's."""
    return settings.sender_name or organization.name


def update_settings(actor: User, **values: Any) -> NotificationSettings:
    """Change the switches and branding of the actor's organization (validated)."""
    require(actor, "notifications.manage")
    row = settings_for(actor.organization_id)
    color = (values.get("accent_color") or "").strip()
    logo = (values.get("logo_url") or "").strip()
    errors = {}
    if not _COLOR_RE.match(color):
        errors["accent_color"] = "Use a colour like #2563eb."
    if logo and (urlsplit(logo).scheme != "https" or not urlsplit(logo).netloc):
        errors["logo_url"] = "Use an https:// address (mail clients block others)."
    if errors:
        raise ValidationFailed("Some settings are not valid.", errors)
    was = _settings_snapshot(row)
    for notification in (n for n in Notification if n.switchable):
        setattr(row, notification.value, bool(values.get(notification.value)))
    row.sender_name = one_line(values.get("sender_name"), 100)
    row.accent_color = color.lower()
    row.logo_url = logo
    row.footer_text = (values.get("footer_text") or "").strip()[:1000]
    if touch_if_changed(row):
        before, after = audit.changes(was, _settings_snapshot(row))
        audit.record(
            actor.organization_id,
            "notification_settings.updated",
            actor=actor,
            target=("notification_settings", row.id, "Email notifications"),
            before=before,
            after=after,
        )
    db.session.flush()
    return row


def _settings_snapshot(row: NotificationSettings) -> dict[str, Any]:
    names = [n.value for n in Notification if n.switchable]
    names += ["sender_name", "accent_color", "logo_url", "footer_text"]
    return {name: getattr(row, name) for name in names}


def thread_ids(organization_id: int, ticket_id: int, to_address: str) -> list[str]:
    """Message-IDs of the thread as this recipient saw it: our emails to them, the customer's mail."""
    from supportdesk.tickets.models import Message

    ours = db.session.execute(
        sa.select(EmailMessage.created_at, EmailMessage.message_id_header).where(
            EmailMessage.organization_id == organization_id,
            EmailMessage.ticket_id == ticket_id,
            EmailMessage.to_address == to_address,
        )
    ).all()
    theirs = db.session.execute(
        sa.select(Message.created_at, Message.email_message_id).where(
            Message.organization_id == organization_id,
            Message.ticket_id == ticket_id,
            Message.email_message_id.is_not(None),
        )
    ).all()
    ordered = [one_line(mid) for _, mid in sorted(ours + theirs, key=lambda row: row[0]) if mid]
    return ordered[-MAX_REFERENCES:]


def _to_customer(kind: str) -> bool:
    """Whether mail of this kind goes outside the team (customers, a support address's code)."""
    try:
        return Notification(kind).to_customer
    except ValueError:
        return True  # e.g. the verification code, mailed to an outside address


def _over_cap(organization_id: int, to_address: str, kind: str) -> int | None:
    """The cap when automatic mail of this audience to this address reached it, else None.

    Customer mail and mail to our own agents are counted apart, each against its own cap: a
    customer's auto-responder can loop with us at any rate, while an agent in a busy team may
    rightly get dozens of assignments an hour (their cap only stops a runaway).
    """
    config = current_app.config
    to_customer = _to_customer(kind)
    cap = int(config["MAIL_CAP_PER_WINDOW" if to_customer else "MAIL_AGENT_CAP_PER_WINDOW"])
    automatic = [n.value for n in Notification if n.automatic] + [verification.EMAIL_KIND]
    kinds = [k for k in automatic if _to_customer(k) is to_customer]
    since = utcnow() - dt.timedelta(seconds=int(config["MAIL_CAP_WINDOW_SECONDS"]))
    sent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(EmailMessage)
        .where(
            EmailMessage.organization_id == organization_id,
            EmailMessage.to_address == to_address,
            EmailMessage.kind.in_(kinds),
            EmailMessage.state != OutboxState.FAILED,
            EmailMessage.created_at >= since,
        )
    )
    return cap if sent >= cap else None


def _suppressed_since(organization_id: int, address: str) -> dt.datetime | None:
    """When a hard bounce suppressed this customer address, if it did (inbound sets it)."""
    customer = find_by_email(organization_id, address)
    return customer.email_suppressed_at if customer is not None else None


def queue_email(
    template: Notification | str,
    *,
    organization_id: int,
    ticket_id: int | None,
    message_id: int | None = None,
    to_address: str,
    to_name: str,
    reply_to: str = "",
    cc: tuple[str, ...] = (),
    context: dict[str, Any],
    language: str | None = None,
) -> EmailMessage:
    """Render and queue one email; its send job starts after the COMMIT.

    Mail about a ticket joins the recipient's thread; mail with no ticket (`ticket_id` None,
    e.g. to admins about the organization) starts none. Automatic mail over the per-address
    cap is recorded as failed with the reason, not sent. A template that is not a Notification
    (the verification code) is automatic mail.
    """
    notification = template if isinstance(template, Notification) else None
    kind = notification.value if notification else template
    automatic = notification.automatic if notification else True
    to_address = to_address.strip().lower()
    rendered, render_error = _render(kind, context, language)
    references = [] if ticket_id is None else thread_ids(organization_id, ticket_id, to_address)
    now = utcnow()
    email = EmailMessage(
        organization_id=organization_id,
        ticket_id=ticket_id,
        message_id=message_id,
        kind=kind,
        automatic=automatic,
        to_address=to_address,
        to_name=one_line(to_name, 200),
        # Our own addresses never receive our mail (mail-loop protection), copied or not.
        cc=", ".join(a.strip().lower() for a in cc if not ownership.is_ours(a)),
        subject=rendered.subject,
        message_id_header=signing.new_message_id(ticket_id),
        in_reply_to=references[-1] if references else "",
        references=" ".join(references),
        reply_to=reply_to,
        html_body=rendered.html,
        text_body=rendered.text,
        created_at=now,
        next_attempt_at=now,
        state=OutboxState.QUEUED,
        attempts=0,
        last_error="",
    )
    cap = _over_cap(organization_id, to_address, kind) if automatic else None
    suppressed = _suppressed_since(organization_id, to_address)
    if render_error:
        email.state = OutboxState.FAILED
        email.last_error = render_error
    elif ownership.is_ours(to_address):
        email.state = OutboxState.FAILED
        email.last_error = "Not sent: this is one of our own addresses (mail-loop protection)."
    elif suppressed is not None:
        email.state = OutboxState.FAILED
        email.last_error = (
            f"Not sent: mail to this address bounced on "
            f"{organization_time(organization_id, suppressed, 'date')}. Lift the "
            "suppression on the customer's page once the address works again."
        )
    elif cap is not None:
        email.state = OutboxState.FAILED
        window = int(current_app.config["MAIL_CAP_WINDOW_SECONDS"]) // 60
        email.last_error = (
            f"Not sent: {cap} automatic emails already went to this address in the last "
            f"{window} minutes (mail-loop protection)."
        )
    db.session.add(email)
    db.session.flush()
    if email.state is OutboxState.QUEUED:
        jobs.wake(db.session, DRAIN_JOB, queue="emails")
    return email


def _render(kind: str, context: dict[str, Any], language: str | None) -> tuple[Rendered, str]:
    """The rendered email, or an empty one and the reason its template failed.

    Rendering runs inside the commit of the change the mail is about (an agent's reply, a
    status change): a broken template must cost the email, never the change. The row is kept,
    failed, with the reason, so an admin sees it on the outgoing mail page.
    """
    try:
        return render(kind, context, language), ""
    except Exception as exc:  # noqa: BLE001  any template error: Jinja's, or one a filter raises
        log.exception("Email template %s failed to render", kind)
        reason = f"Not sent: the email template {kind!r} failed: {type(exc).__name__}: {exc}"
        return Rendered(subject=f"({kind}: template failed)", html="", text=""), reason[:1000]


def retry_email(actor: User, email_id: int) -> EmailMessage:
    """Send a deferred or failed email again now (the admin's "Retry now")."""
    require(actor, "mail.manage")
    email = db.session.scalar(
        sa.select(EmailMessage).where(
            EmailMessage.organization_id == actor.organization_id, EmailMessage.id == email_id
        )
    )
    if email is None:
        raise EmailNotFound()
    if email.state not in (OutboxState.DEFERRED, OutboxState.FAILED):
        raise ValidationFailed(
            f"This email is {email.state.value}; only deferred or failed mail can be retried."
        )
    if not email.text_body:
        raise ValidationFailed(
            "This email was never written: its template failed (see the reason). Fix the "
            "template; mail queued after that is sent."
        )
    email.state = OutboxState.QUEUED
    email.next_attempt_at = utcnow()
    email.locked_until = None
    email.attempts = 0
    db.session.flush()
    jobs.wake(db.session, DRAIN_JOB, queue="emails")
    return email
