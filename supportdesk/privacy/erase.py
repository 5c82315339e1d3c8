"""Erasure: a customer's personal data removed for good, table by table; statistics kept.

`erase_customer` anonymizes the customer row and, through `STEPS` (one function per table
that can hold what they wrote or what was written to them), everything else: the tickets stay
with their numbers, statuses, priorities, timestamps, assignees, message counts and history
kinds, but their subjects, message bodies, attachments, raw mail, emails sent, webhook
payloads, drafts, notifications and history values are gone. `anonymize_tickets` applies the
same steps to tickets alone (retention). Stored files go by a job once the transaction has
committed (`jobs.privacy.delete_files_after_commit`): a rollback keeps both the rows and their
files, and a file another row still refers to stays. The verification scan
(privacy.scan) is the proof that nothing was left; the tests skip each step in turn and see
the scan catch it, so a table added without its step fails them.

The audit log is append-only; the one change it accepts (migration 0026) is this redaction of
the customer's name and address from an entry's labels and values, within the transaction
that set `supportdesk.audit_redact`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from supportdesk import audit
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.attachments.models import Attachment
from supportdesk.audit.models import AuditEntry
from supportdesk.bulk_actions.models import BulkJob, BulkJobFailure
from supportdesk.composer.models import ComposerDraft
from supportdesk.crm.models import CrmSync
from supportdesk.customers.models import ERASED_DOMAIN, Customer
from supportdesk.db import utcnow
from supportdesk.errors import DomainError, ValidationFailed
from supportdesk.exports.models import Export, ExportStatus
from supportdesk.extensions import db
from supportdesk.fields.models import SavedView
from supportdesk.jobs.privacy import delete_files_after_commit
from supportdesk.mail.inbound.models import InboundEmail
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.notifications.models import AgentNotification
from supportdesk.privacy.models import DataExport
from supportdesk.satisfaction.models import SatisfactionRating
from supportdesk.selfservice.models import PortalLink
from supportdesk.storage import storage
from supportdesk.tickets.deletions import TicketDeletion
from supportdesk.tickets.models import EventKind, Message, Ticket, TicketEvent
from supportdesk.webhooks.models import WebhookAttempt, WebhookDelivery

ERASED = "[erased]"
ERASED_SUBJECT = "[erased]"
REDACT_SETTING = "supportdesk.audit_redact"
# History kinds whose values are the ticket's own content (not names of agents, statuses…).
CONTENT_KINDS = (EventKind.SUBJECT, EventKind.CUSTOM_FIELD, EventKind.CREATED)
KEPT_EVENT_DATA = ("field", "channel", "priority")


class CustomerNotFound(DomainError):
    """No customer of this organization has that email."""

    status = 404
    code = "customer_not_found"


@dataclass
class Target:
    """What one erasure covers: the tickets, the messages, and the strings to redact elsewhere."""

    organization_id: int
    ticket_ids: list[int]
    message_ids: list[int]
    customer: Customer | None = None
    redact: list[str] = field(default_factory=list)
    # Stored files whose rows the steps removed: deleted after the commit (see `run`).
    files: set[str] = field(default_factory=set)


def _ids(query) -> list[int]:
    return list(db.session.scalars(query))


def _contains(column, needles: Iterable[str]):
    """SQL: the column's text contains one of the needles (case-insensitive)."""
    text = sa.func.lower(sa.cast(column, sa.Text))
    return sa.or_(sa.false(), *(sa.func.strpos(text, n.lower()) > 0 for n in needles))


def scrub(value: Any, needles: list[str]) -> Any:
    """`value` (plain JSON) with every needle replaced by ERASED, at any depth, any case."""
    if isinstance(value, str):
        for needle in needles:
            lowered = value.lower()
            at = lowered.find(needle.lower())
            while at >= 0:
                value = value[:at] + ERASED + value[at + len(needle) :]
                lowered = value.lower()
                at = lowered.find(needle.lower(), at + len(ERASED))
        return value
    if isinstance(value, dict):
        return {scrub(k, needles): scrub(v, needles) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, needles) for v in value]
    return value


# -- the steps, one per table ------------------------------------------------------------------


def _data_exports(t: Target) -> int:
    if t.customer is None:
        return 0
    rows = db.session.scalars(sa.select(DataExport).where(DataExport.customer_id == t.customer.id))
    count = 0
    for row in rows:
        if row.storage_key:
            t.files.add(row.storage_key)
        db.session.delete(row)
        count += 1
    db.session.flush()
    return count


def _attachments(t: Target) -> int:
    rows = db.session.execute(
        sa.select(Attachment.id, Attachment.storage_key).where(
            Attachment.organization_id == t.organization_id,
            Attachment.message_id.in_(t.message_ids),
        )
    ).all()
    if not rows:
        return 0
    db.session.execute(sa.delete(Attachment).where(Attachment.id.in_([r.id for r in rows])))
    t.files.update(r.storage_key for r in rows if r.storage_key)
    return len(rows)


def _inbound_emails(t: Target) -> int:
    mine = [
        InboundEmail.ticket_id.in_(t.ticket_ids),
        InboundEmail.message_id.in_(t.message_ids),
    ]
    if t.customer is not None:
        mine += [
            sa.func.lower(InboundEmail.from_address) == t.customer.email.lower(),
            _contains(InboundEmail.recipients, [t.customer.email]),
        ]
    return db.session.execute(
        sa.delete(InboundEmail).where(
            InboundEmail.organization_id == t.organization_id, sa.or_(*mine)
        )
    ).rowcount


def _email_messages(t: Target) -> int:
    mine = [EmailMessage.ticket_id.in_(t.ticket_ids), EmailMessage.message_id.in_(t.message_ids)]
    if t.customer is not None:
        mine += [
            sa.func.lower(EmailMessage.to_address) == t.customer.email.lower(),
            _contains(EmailMessage.cc, [t.customer.email]),
        ]
    if t.redact:
        mine += [_contains(EmailMessage.subject, t.redact)]
    # Attempts cascade with their email.
    return db.session.execute(
        sa.delete(EmailMessage).where(
            EmailMessage.organization_id == t.organization_id, sa.or_(*mine)
        )
    ).rowcount


def _webhook_deliveries(t: Target) -> int:
    payload = sa.cast(WebhookDelivery.payload, sa.dialects.postgresql.JSONB)

    def ids_at(*path: str):
        return sa.cast(payload[("data", *path)].astext, sa.BigInteger)

    linked = [
        ids_at("ticket", "id").in_(t.ticket_ids),
        ids_at("merged_into", "id").in_(t.ticket_ids),
        ids_at("merged_from", "id").in_(t.ticket_ids),
        ids_at("split_off", "id").in_(t.ticket_ids),
        ids_at("split_from", "id").in_(t.ticket_ids),
        ids_at("message", "id").in_(t.message_ids),
        _contains(WebhookDelivery.payload, t.redact),
    ]
    if t.customer is not None:
        linked.append(ids_at("customer", "id") == t.customer.id)
    ids = _ids(
        sa.select(WebhookDelivery.id).where(
            WebhookDelivery.organization_id == t.organization_id, sa.or_(*linked)
        )
    )
    # Attempts cascade with their delivery (a receiver's answer may echo the payload).
    db.session.execute(sa.delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
    return db.session.execute(
        sa.delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
    ).rowcount


def _messages(t: Target) -> int:
    return db.session.execute(
        sa.update(Message)
        .where(Message.organization_id == t.organization_id, Message.id.in_(t.message_ids))
        .values(body_text=ERASED, body_html="", body_format="text", cc="", in_reply_to=None)
        .execution_options(synchronize_session=False)
    ).rowcount


def _tickets(t: Target) -> int:
    count = 0
    for ticket in db.session.scalars(
        sa.select(Ticket).where(
            Ticket.organization_id == t.organization_id, Ticket.id.in_(t.ticket_ids)
        )
    ):
        ticket.subject = ERASED_SUBJECT
        # Values typed about the customer go; choices and numbers (statistics) stay.
        ticket.custom_fields = {
            k: v for k, v in (ticket.custom_fields or {}).items() if not isinstance(v, str)
        }
        count += 1
    db.session.flush()
    return count


def _ticket_events(t: Target) -> int:
    # History is append-only for the app (an ORM guard); erasure is the one rewrite, in Core.
    rows = db.session.execute(
        sa.select(
            TicketEvent.id,
            TicketEvent.ticket_id,
            TicketEvent.kind,
            TicketEvent.old_value,
            TicketEvent.new_value,
            TicketEvent.data,
        )
        .where(TicketEvent.organization_id == t.organization_id)
        .where(
            sa.or_(
                TicketEvent.ticket_id.in_(t.ticket_ids),
                _contains(TicketEvent.old_value, t.redact),
                _contains(TicketEvent.new_value, t.redact),
                _contains(TicketEvent.data, t.redact),
            )
        )
    ).all()
    for row in rows:
        # A subject or a typed field value on the customer's ticket is theirs: it goes whole.
        whole = row.ticket_id in t.ticket_ids and row.kind in CONTENT_KINDS
        old, new = (
            (ERASED if row.old_value else row.old_value, ERASED if row.new_value else row.new_value)
            if whole
            else (scrub(row.old_value, t.redact), scrub(row.new_value, t.redact))
        )
        data = scrub(row.data or {}, t.redact)
        if whole:
            data = {k: v for k, v in data.items() if not isinstance(v, str) or k in KEPT_EVENT_DATA}
        db.session.execute(
            sa.update(TicketEvent)
            .where(TicketEvent.id == row.id)
            .values(old_value=old, new_value=new, data=data)
            .execution_options(synchronize_session=False)
        )
    return len(rows)


def _composer_drafts(t: Target) -> int:
    mine = [ComposerDraft.ticket_id.in_(t.ticket_ids), _contains(ComposerDraft.body, t.redact)]
    return db.session.execute(
        sa.delete(ComposerDraft).where(
            ComposerDraft.organization_id == t.organization_id, sa.or_(*mine)
        )
    ).rowcount


def _agent_notifications(t: Target) -> int:
    return db.session.execute(
        sa.update(AgentNotification)
        .where(
            AgentNotification.organization_id == t.organization_id,
            sa.or_(
                AgentNotification.ticket_id.in_(t.ticket_ids),
                _contains(AgentNotification.text, t.redact),
            ),
        )
        .values(text=ERASED)
        .execution_options(synchronize_session=False)
    ).rowcount


def _ticket_deletions(t: Target) -> int:
    mine = [_contains(TicketDeletion.subject, t.redact)]
    if t.customer is not None:
        mine.append(TicketDeletion.customer_id == t.customer.id)
    return db.session.execute(
        sa.update(TicketDeletion)
        .where(TicketDeletion.organization_id == t.organization_id, sa.or_(*mine))
        .values(customer_email=ERASED, subject=ERASED_SUBJECT, reason="")
        .execution_options(synchronize_session=False)
    ).rowcount


def _rewrite_json_rows(model, columns: list[str], t: Target) -> int:
    """Scrub the needles out of free-form JSON/text columns of rows that contain them."""
    if not t.redact:
        return 0
    cols = [getattr(model, name) for name in columns]
    rows = db.session.execute(
        sa.select(model.id, *cols).where(
            model.organization_id == t.organization_id,
            sa.or_(*(_contains(c, t.redact) for c in cols)),
        )
    ).all()
    for row in rows:
        values = {name: scrub(getattr(row, name), t.redact) for name in columns}
        db.session.execute(
            sa.update(model)
            .where(model.id == row.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return len(rows)


def _saved_views(t: Target) -> int:
    return _rewrite_json_rows(SavedView, ["name", "filters"], t)


def _bulk_jobs(t: Target) -> int:
    return _rewrite_json_rows(BulkJob, ["params", "selection", "error"], t)


def _bulk_job_failures(t: Target) -> int:
    # A reason may quote the ticket's subject: those of the customer's tickets go whole.
    return db.session.execute(
        sa.update(BulkJobFailure)
        .where(
            BulkJobFailure.organization_id == t.organization_id,
            sa.or_(
                BulkJobFailure.ticket_id.in_(t.ticket_ids),
                _contains(BulkJobFailure.reason, t.redact),
            ),
        )
        .values(reason=ERASED)
        .execution_options(synchronize_session=False)
    ).rowcount


def _idempotency_keys(t: Target) -> int:
    from supportdesk.api.idempotency import IdempotencyKey

    # A stored API answer is a copy of what it returned: the retry window is over for it.
    return db.session.execute(
        sa.delete(IdempotencyKey).where(
            IdempotencyKey.organization_id == t.organization_id,
            _contains(IdempotencyKey.response_body, t.redact),
        )
    ).rowcount


def _audit_entries(t: Target) -> int:
    if not t.redact:
        return 0
    rows = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.actor_label, AuditEntry.target_label, AuditEntry.before)
        .add_columns(AuditEntry.after)
        .where(
            AuditEntry.organization_id == t.organization_id,
            sa.or_(
                _contains(AuditEntry.target_label, t.redact),
                _contains(AuditEntry.before, t.redact),
                _contains(AuditEntry.after, t.redact),
            ),
        )
    ).all()
    if not rows:
        return 0
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text("SELECT set_config(:name, :value, true)"),
            {"name": REDACT_SETTING, "value": "erasure"},
        )
    for row in rows:
        db.session.execute(
            sa.update(AuditEntry)
            .where(AuditEntry.id == row.id)
            .values(
                target_label=scrub(row.target_label, t.redact),
                before=scrub(row.before, t.redact),
                after=scrub(row.after, t.redact),
            )
            .execution_options(synchronize_session=False)
        )
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT set_config(:name, '', true)"), {"name": REDACT_SETTING})
    return len(rows)


def _satisfaction_ratings(t: Target) -> int:
    # The rating stays (the satisfaction report counts it); the customer's words go.
    mine = [SatisfactionRating.ticket_id.in_(t.ticket_ids)]
    if t.customer is not None:
        mine.append(SatisfactionRating.customer_id == t.customer.id)
    if t.redact:
        mine.append(_contains(SatisfactionRating.comment, t.redact))
    return db.session.execute(
        sa.update(SatisfactionRating)
        .where(SatisfactionRating.organization_id == t.organization_id, sa.or_(*mine))
        .where(SatisfactionRating.comment != "")
        .values(comment="")
        .execution_options(synchronize_session=False)
    ).rowcount


def _crm_syncs(t: Target) -> int:
    # The CRM's copy is the CRM's to erase; our log of what we sent it (contact fields,
    # ticket subjects) goes, and so does anything still queued for it.
    payload = sa.cast(CrmSync.payload, sa.dialects.postgresql.JSONB)
    mine = [sa.cast(payload["ticket_id"].astext, sa.BigInteger).in_(t.ticket_ids)]
    if t.customer is not None:
        mine.append(CrmSync.customer_id == t.customer.id)
    if t.redact:
        mine += [
            _contains(CrmSync.payload, t.redact),
            _contains(CrmSync.request_summary, t.redact),
            _contains(CrmSync.response_summary, t.redact),
            _contains(CrmSync.note, t.redact),
            _contains(CrmSync.last_error, t.redact),
        ]
    return db.session.execute(
        sa.delete(CrmSync).where(CrmSync.organization_id == t.organization_id, sa.or_(*mine))
    ).rowcount


def _exports(t: Target) -> int:
    # Agents' exports (CSV/JSONL of tickets, messages, history, customers) are copies taken
    # before the erasure: the ones that can hold rows are withdrawn with their files. Report
    # tables are counts only and stay.
    if t.customer is None:
        return 0
    now = utcnow()
    rows = db.session.scalars(
        sa.select(Export).where(
            Export.organization_id == t.organization_id,
            Export.kind != "report",
            Export.storage_key.is_not(None),
        )
    ).all()
    for row in rows:
        t.files.add(row.storage_key)
        row.storage_key, row.size = None, 0
        if row.status is ExportStatus.COMPLETED:
            row.expires_at = min(row.expires_at or now, now)
    db.session.flush()
    return len(rows)


def _customers(t: Target) -> int:
    customer = t.customer
    if customer is None:
        return 0
    customer.email = f"erased-{customer.id}@{ERASED_DOMAIN}"
    customer.name = ""
    customer.company = ""
    customer.external_ids = {}
    customer.email_suppression_reason = None
    customer.language = None
    customer.crm_owner = ""
    customer.crm_sync_error = ""
    customer.crm_synced_values = {}
    # Their portal sign-in links stop working (a portal session already open ends too:
    # portal.session treats an erased customer as signed out).
    db.session.execute(sa.delete(PortalLink).where(PortalLink.customer_id == customer.id))
    db.session.flush()
    return 1


# Order: rows found through tickets and messages first, the customer's own row last.
STEPS: dict[str, Callable[[Target], int]] = {
    "data_exports": _data_exports,
    "attachments": _attachments,
    "inbound_emails": _inbound_emails,
    "email_messages": _email_messages,
    "webhook_deliveries": _webhook_deliveries,
    "messages": _messages,
    "tickets": _tickets,
    "ticket_events": _ticket_events,
    "composer_drafts": _composer_drafts,
    "agent_notifications": _agent_notifications,
    "ticket_deletions": _ticket_deletions,
    "saved_views": _saved_views,
    "bulk_jobs": _bulk_jobs,
    "bulk_job_failures": _bulk_job_failures,
    "idempotency_keys": _idempotency_keys,
    "audit_entries": _audit_entries,
    "satisfaction_ratings": _satisfaction_ratings,
    "crm_syncs": _crm_syncs,
    "exports": _exports,
    "customers": _customers,
}


def delete_unreferenced_files(keys: Iterable[str]) -> int:
    """Delete stored files no attachment or export refers to any more (content is shared).

    Run by the job `jobs.privacy.delete_unreferenced_files`, after the commit that removed
    the rows (never within that transaction: a rollback must not lose a file)."""
    keys = set(keys)
    if not keys:
        return 0
    used: set[str] = set()
    for column in (Attachment.storage_key, DataExport.storage_key, Export.storage_key):
        used.update(db.session.scalars(sa.select(column).where(column.in_(keys))))
    files = storage()
    for key in keys - used:
        files.delete(key)
    return len(keys - used)


def run(target: Target, *, skip: Iterable[str] = ()) -> dict[str, int]:
    """Apply every step (but `skip`, which only the tests' mutation check names); the files of
    the removed rows are deleted by a job once the caller's transaction commits."""
    skipped = set(skip)
    counts = {}
    for table, step in STEPS.items():
        if table not in skipped:
            counts[table] = step(target) or 0
    delete_files_after_commit(db.session, target.files)
    db.session.expire_all()
    return counts


# -- entry points --------------------------------------------------------------------------------


def find_customer(organization_id: int, email: str) -> Customer:
    """The organization's customer with this email (any case), or CustomerNotFound."""
    email = (email or "").strip().lower()
    if not email:
        raise ValidationFailed("Enter the customer's email.", {"email": "Enter an email address."})
    customer = db.session.scalar(
        sa.select(Customer).where(
            Customer.organization_id == organization_id, sa.func.lower(Customer.email) == email
        )
    )
    if customer is None:
        raise CustomerNotFound(
            "No customer has that email address.", {"email": "No customer has that address."}
        )
    return customer


def customer_target(customer: Customer) -> Target:
    """The tickets, messages and strings that belong to `customer`."""
    ticket_ids = _ids(
        sa.select(Ticket.id).where(
            Ticket.organization_id == customer.organization_id, Ticket.customer_id == customer.id
        )
    )
    message_ids = _ids(
        sa.select(Message.id).where(
            Message.organization_id == customer.organization_id,
            sa.or_(Message.ticket_id.in_(ticket_ids), Message.author_customer_id == customer.id),
        )
    )
    redact = [customer.email]
    if customer.name and len(customer.name.strip()) >= 3:
        redact.append(customer.name.strip())
    return Target(customer.organization_id, ticket_ids, message_ids, customer, redact)


def summary(customer: Customer) -> dict[str, int]:
    """What an erasure of `customer` would touch, for the confirmation page."""
    t = customer_target(customer)
    attachments = db.session.scalar(
        sa.select(sa.func.count()).where(Attachment.message_id.in_(t.message_ids))
    )
    inbound = db.session.scalar(
        sa.select(sa.func.count()).where(
            InboundEmail.organization_id == customer.organization_id,
            sa.or_(
                InboundEmail.ticket_id.in_(t.ticket_ids),
                sa.func.lower(InboundEmail.from_address) == customer.email.lower(),
            ),
        )
    )
    sent = db.session.scalar(
        sa.select(sa.func.count()).where(
            EmailMessage.organization_id == customer.organization_id,
            sa.func.lower(EmailMessage.to_address) == customer.email.lower(),
        )
    )
    return {
        "tickets": len(t.ticket_ids),
        "messages": len(t.message_ids),
        "attachments": attachments or 0,
        "received emails": inbound or 0,
        "sent emails": sent or 0,
    }


def erase_customer(
    actor: User | None, customer: Customer, *, confirmation: str, skip: Iterable[str] = ()
) -> dict[str, int]:
    """Erase `customer` for good; `confirmation` must repeat their email (any case).

    Records `customer.erased` naming the customer by id only, with how many rows each table
    lost. Flushes; the caller commits.
    """
    if actor is not None:
        require(actor, "customer.data_rights")
    if customer.erased:
        raise ValidationFailed("This customer was already erased.", {"email": "Already erased."})
    if (confirmation or "").strip().lower() != customer.email.lower():
        raise ValidationFailed(
            "Type the customer's email address to confirm.",
            {"confirmation": "This is not the customer's email address."},
        )
    counts = run(customer_target(customer), skip=skip)
    audit.record(
        customer.organization_id,
        "customer.erased",
        actor=actor,
        target=("customer", customer.id, f"customer {customer.id}"),
        after={"rows": {k: v for k, v in counts.items() if v}, "erased_at": utcnow()},
    )
    return counts


def anonymize_tickets(organization_id: int, ticket_ids: list[int]) -> dict[str, int]:
    """Strip tickets of their content (retention): subject, messages, files, mail, payloads.

    The customers stay (they may have newer tickets); their name is not looked for elsewhere.
    """
    message_ids = _ids(
        sa.select(Message.id).where(
            Message.organization_id == organization_id, Message.ticket_id.in_(ticket_ids)
        )
    )
    return run(Target(organization_id, ticket_ids, message_ids))


def dumps(counts: dict[str, int]) -> str:
    """The counts as one line for a log or a flash message."""
    return json.dumps({k: v for k, v in counts.items() if v}, sort_keys=True)
