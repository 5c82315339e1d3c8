"""Export: everything held about one customer, as a zip in the file storage (a background job).

The archive (`customer-<id>-export-<n>.zip`):
    profile.json                       the customer row
    tickets.json                       their tickets, each with its messages and history
    attachments/<message>/<n>-<name>   the files on those messages
    inbound/<id>.eml                   raw mail received from them or on their tickets
    sent/<id>.eml                      emails we sent them (headers and both bodies)
    satisfaction.json                  their survey answers (rating and comment, per ticket)
    README.txt                         what each part is

`request_export` (the admin's click) adds the row and defers `build_export`; the job fills the
zip in a temporary file, stores it, and marks the row ready (or failed, with the reason).
"""

from __future__ import annotations

import datetime as dt
import email.policy
import json
import logging
import tempfile
import zipfile
from email.message import EmailMessage as MimeMessage
from typing import Any

import sqlalchemy as sa

from supportdesk import audit, jobs
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.attachments.models import Attachment
from supportdesk.attachments.queries import read_content
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.mail.inbound.models import InboundEmail
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.privacy.models import DataExport, ExportStatus
from supportdesk.satisfaction.models import SatisfactionRating
from supportdesk.storage import StorageError, storage
from supportdesk.tickets.models import Message, Ticket, TicketEvent

log = logging.getLogger(__name__)

BUILD_JOB = "supportdesk.jobs.privacy.build_export"
README = """Everything this help desk holds about you, as of {when} UTC.

profile.json      your details as we keep them
tickets.json      your requests, each with its conversation and its history
attachments/      the files attached to those conversations
inbound/          the emails we received from you, exactly as they arrived (.eml)
sent/             the emails we sent you (.eml)
satisfaction.json your answers to our satisfaction surveys
"""


class ExportNotFound(DomainError):
    """No export of this organization has that id."""

    status = 404
    code = "export_not_found"


class ExportNotReady(DomainError):
    """The archive is not built yet, failed, or expired."""

    status = 409
    code = "export_not_ready"


def request_export(actor: User, customer: Customer) -> DataExport:
    """Queue an export of `customer` (admins); the archive is built after the commit."""
    require(actor, "customer.data_rights")
    row = DataExport(
        organization_id=actor.organization_id,
        customer_id=customer.id,
        requested_by_user_id=actor.id,
        status=ExportStatus.QUEUED,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor.organization_id,
        "customer.export_requested",
        actor=actor,
        target=("customer", customer.id, f"customer {customer.id}"),
        after={"export_id": row.id},
    )
    jobs.defer(db.session, BUILD_JOB, row.id, queue="default")
    return row


def get_export(organization_id: int, export_id: int) -> DataExport:
    """The organization's export, or ExportNotFound (another tenant's id is not found either)."""
    row = db.session.scalar(
        sa.select(DataExport).where(
            DataExport.organization_id == organization_id, DataExport.id == export_id
        )
    )
    if row is None:
        raise ExportNotFound("No such export.")
    return row


def recent_exports(organization_id: int, limit: int = 20) -> list[DataExport]:
    """The organization's latest exports with their customers and requesters (1 query)."""
    return list(
        db.session.scalars(
            sa.select(DataExport)
            .where(DataExport.organization_id == organization_id)
            .options(
                sa.orm.joinedload(DataExport.customer), sa.orm.joinedload(DataExport.requested_by)
            )
            .order_by(DataExport.created_at.desc(), DataExport.id.desc())
            .limit(limit)
        )
    )


def record_download(actor: User, row: DataExport) -> None:
    """Check the archive can be downloaded and record who did (admins)."""
    require(actor, "customer.data_rights")
    if row.status is not ExportStatus.READY or not row.storage_key:
        raise ExportNotReady("This export is not ready to download.")
    audit.record(
        actor.organization_id,
        "customer.export_downloaded",
        actor=actor,
        target=("customer", row.customer_id, f"customer {row.customer_id}"),
        after={"export_id": row.id, "size": row.size},
    )


# -- building the archive ------------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _profile(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "email": customer.email,
        "name": customer.name,
        "company": customer.company,
        "tier": customer.tier.value,
        "external_ids": customer.external_ids or {},
        "language": customer.language,
        "created_at": _iso(customer.created_at),
        "email_suppressed_at": _iso(customer.email_suppressed_at),
        "crm": {
            "id": customer.crm_id,
            "synced_at": _iso(customer.crm_synced_at),
            "synced_values": customer.crm_synced_values or {},
            "owner": customer.crm_owner,
        },
    }


def _satisfaction(customer: Customer) -> list[dict[str, Any]]:
    """The surveys sent to the customer and what they answered, oldest first."""
    rows = db.session.execute(
        sa.select(SatisfactionRating, Ticket.number)
        .join(Ticket, Ticket.id == SatisfactionRating.ticket_id)
        .where(
            SatisfactionRating.organization_id == customer.organization_id,
            SatisfactionRating.customer_id == customer.id,
            SatisfactionRating.sent_at.is_not(None),
        )
        .order_by(SatisfactionRating.id)
    ).all()
    return [
        {
            "ticket": number,
            "sent_at": _iso(r.sent_at),
            "rating": r.rating.value if r.rating else None,
            "rated_at": _iso(r.rated_at),
            "comment": r.comment,
            "commented_at": _iso(r.commented_at),
        }
        for r, number in rows
    ]


def _message(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "kind": m.kind.value,
        "author": "customer" if m.author_customer_id else "agent",
        "body_text": m.body_text,
        "body_html": m.body_html,
        "cc": m.cc,
        "created_at": _iso(m.created_at),
    }


def _tickets(customer: Customer, message_ids: list[int]) -> list[dict[str, Any]]:
    tickets = db.session.scalars(
        sa.select(Ticket)
        .where(Ticket.organization_id == customer.organization_id)
        .where(Ticket.customer_id == customer.id)
        .order_by(Ticket.id)
    ).all()
    ids = [t.id for t in tickets]
    messages: dict[int, list] = {i: [] for i in ids}
    for m in db.session.scalars(
        sa.select(Message)
        .where(Message.id.in_(message_ids), Message.ticket_id.in_(ids))
        .order_by(Message.id)
    ):
        messages[m.ticket_id].append(_message(m))
    history: dict[int, list] = {i: [] for i in ids}
    for e in db.session.scalars(
        sa.select(TicketEvent).where(TicketEvent.ticket_id.in_(ids)).order_by(TicketEvent.id)
    ):
        history[e.ticket_id].append(
            {
                "kind": e.kind.value,
                "old": e.old_value,
                "new": e.new_value,
                "at": _iso(e.created_at),
            }
        )
    return [
        {
            "number": t.number,
            "subject": t.subject,
            "status": t.status.value,
            "priority": t.priority.value,
            "channel": t.channel.value,
            "custom_fields": t.custom_fields or {},
            "created_at": _iso(t.created_at),
            "resolved_at": _iso(t.resolved_at),
            "closed_at": _iso(t.closed_at),
            "messages": messages[t.id],
            "history": history[t.id],
        }
        for t in tickets
    ]


def _sent_eml(row: EmailMessage) -> bytes:
    mime = MimeMessage(policy=email.policy.default)
    mime["To"] = row.to_address
    mime["Subject"] = row.subject
    mime["Message-ID"] = row.message_id_header
    mime["Date"] = row.created_at
    mime.set_content(row.text_body)
    mime.add_alternative(row.html_body, subtype="html")
    return mime.as_bytes()


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._- " else "_" for c in name)[:120] or "file"


def build_archive(row: DataExport) -> None:
    """Write the zip of `row`'s customer and store it; progress is committed as it goes."""
    from supportdesk.privacy.erase import customer_target

    customer = db.session.get(Customer, row.customer_id)
    target = customer_target(customer)
    attachments = db.session.scalars(
        sa.select(Attachment)
        .where(Attachment.message_id.in_(target.message_ids), Attachment.skipped_reason.is_(None))
        .order_by(Attachment.id)
    ).all()
    inbound_ids = db.session.scalars(
        sa.select(InboundEmail.id)
        .where(InboundEmail.organization_id == customer.organization_id)
        .where(
            sa.or_(
                InboundEmail.ticket_id.in_(target.ticket_ids),
                InboundEmail.message_id.in_(target.message_ids),
                sa.func.lower(InboundEmail.from_address) == customer.email.lower(),
            )
        )
        .order_by(InboundEmail.id)
    ).all()
    sent = db.session.scalars(
        sa.select(EmailMessage)
        .where(EmailMessage.organization_id == customer.organization_id)
        .where(sa.func.lower(EmailMessage.to_address) == customer.email.lower())
        .order_by(EmailMessage.id)
    ).all()
    row.total = 2 + len(attachments) + len(inbound_ids) + len(sent)
    _progress(row, 0)
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", README.format(when=f"{utcnow():%Y-%m-%d %H:%M}"))
            archive.writestr("profile.json", json.dumps(_profile(customer), indent=2))
            tickets = _tickets(customer, target.message_ids)
            archive.writestr("tickets.json", json.dumps(tickets, indent=2, ensure_ascii=False))
            answers = _satisfaction(customer)
            archive.writestr("satisfaction.json", json.dumps(answers, indent=2, ensure_ascii=False))
            _progress(row, 2)
            for n, attachment in enumerate(attachments, 1):
                name = f"attachments/{attachment.message_id}/{n}-{_safe(attachment.filename)}"
                archive.writestr(name, read_content(attachment))
                _progress(row, row.done + 1)
            for inbound_id in inbound_ids:
                raw = db.session.scalar(
                    sa.select(InboundEmail.raw).where(InboundEmail.id == inbound_id)
                )
                archive.writestr(f"inbound/{inbound_id}.eml", raw or b"")
                _progress(row, row.done + 1)
            for email_row in sent:
                archive.writestr(f"sent/{email_row.id}.eml", _sent_eml(email_row))
                _progress(row, row.done + 1)
        row.size = spool.tell()
        spool.seek(0)
        row.storage_key = storage().put(spool)
    row.status = ExportStatus.READY
    row.finished_at = row.updated_at = utcnow()


def _progress(row: DataExport, done: int) -> None:
    row.done, row.updated_at = done, utcnow()
    if row.done % 20 == 0 or row.done >= row.total:
        db.session.commit()


def run_export(export_id: int) -> None:
    """Build export `export_id` unless it is finished already (idempotent)."""
    row = db.session.get(DataExport, export_id)
    if row is None or row.status.finished:
        return
    row.status, row.updated_at = ExportStatus.RUNNING, utcnow()
    db.session.commit()
    try:
        build_archive(row)
    except (StorageError, OSError) as exc:
        db.session.rollback()
        row = db.session.get(DataExport, export_id)
        row.status, row.error = ExportStatus.FAILED, str(exc)[:500]
        row.finished_at = row.updated_at = utcnow()
        log.warning("Export %d failed: %s", export_id, type(exc).__name__)
    db.session.commit()
