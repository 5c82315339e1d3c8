"""Retention policies: what an organization keeps, for how long, and the run that removes the rest.

Three rules, each previewable (`preview`: counts and a sample) before the policy is enabled:
- closed tickets older than N days (since closing) are deleted, or anonymized (privacy.erase
  steps on the tickets alone: numbers, statuses and timestamps stay for the reports);
- raw received mail older than N days loses its bytes (the row and its decision stay);
- customers' data exports older than N days are deleted with their files.
The audit log's own retention is the organization's `audit_retention_days` (audit.service).
`apply_all` runs hourly (jobs.schedule); a run handles at most BATCH tickets per organization,
so a first run on years of history is spread over several hours rather than one long lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from supportdesk import audit, events
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import require
from supportdesk.attachments.models import Attachment
from supportdesk.customers.models import Customer
from supportdesk.db import touch_if_changed, utcnow
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.jobs.privacy import delete_files_after_commit
from supportdesk.mail.inbound.models import InboundEmail
from supportdesk.privacy.erase import ERASED_SUBJECT, anonymize_tickets
from supportdesk.privacy.models import ClosedTicketAction, DataExport, RetentionPolicy
from supportdesk.tickets.deletions import TicketDeletion
from supportdesk.tickets.domain_events import TicketDeleted
from supportdesk.tickets.models import Message, Status, Ticket, TicketTag

MIN_DAYS = 1
MAX_DAYS = 3650
BATCH = 200
SAMPLE = 5
FIELDS = (
    "enabled",
    "closed_ticket_action",
    "closed_ticket_days",
    "inbound_mail_days",
    "export_days",
)


def policy_for(organization_id: int) -> RetentionPolicy:
    """The organization's policy (a disabled default, not yet saved, when it has none)."""
    policy = db.session.get(RetentionPolicy, organization_id)
    if policy is None:
        policy = RetentionPolicy(
            organization_id=organization_id,
            enabled=False,
            closed_ticket_action=ClosedTicketAction.OFF,
            closed_ticket_days=730,
            inbound_mail_days=None,
            export_days=7,
            last_run_counts={},
        )
    return policy


def _days(value: Any, name: str, *, optional: bool = False) -> int | None:
    if optional and (value is None or str(value).strip() == ""):
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValidationFailed(
            "Some values are not allowed.",
            {name: f"Enter a number of days from {MIN_DAYS} to {MAX_DAYS}."},
        )
    return days


def save_policy(actor: User, values: dict[str, Any]) -> RetentionPolicy:
    """Validate and store the organization's policy; the change goes to the audit log."""
    require(actor, "retention.manage")
    try:
        action = ClosedTicketAction(values.get("closed_ticket_action") or "off")
    except ValueError:
        raise ValidationFailed(
            "Some values are not allowed.", {"closed_ticket_action": "Choose an action."}
        ) from None
    cleaned = {
        "enabled": bool(values.get("enabled")),
        "closed_ticket_action": action,
        "closed_ticket_days": _days(values.get("closed_ticket_days"), "closed_ticket_days"),
        "inbound_mail_days": _days(
            values.get("inbound_mail_days"), "inbound_mail_days", optional=True
        ),
        "export_days": _days(values.get("export_days"), "export_days"),
    }
    policy = policy_for(actor.organization_id)
    before = None if policy not in db.session else audit.snapshot(policy, FIELDS)
    for name, value in cleaned.items():
        setattr(policy, name, value)
    touch_if_changed(policy)  # an unchanged save leaves the row as it was
    db.session.add(policy)
    db.session.flush()
    audit.record_changes(
        actor.organization_id,
        "retention.updated",
        actor=actor,
        target=("retention", None, "Retention policy"),
        before=before,
        after=audit.snapshot(policy, FIELDS),
    )
    return policy


# -- what a run would remove ---------------------------------------------------------------------


def _tickets_due(policy: RetentionPolicy, now: dt.datetime):
    if policy.closed_ticket_action is ClosedTicketAction.OFF:
        return None
    query = sa.select(Ticket).where(
        Ticket.organization_id == policy.organization_id,
        Ticket.status == Status.CLOSED,
        Ticket.closed_at < now - dt.timedelta(days=policy.closed_ticket_days),
    )
    if policy.closed_ticket_action is ClosedTicketAction.ANONYMIZE:
        query = query.where(Ticket.subject != ERASED_SUBJECT)
    return query


def _mail_due(policy: RetentionPolicy, now: dt.datetime):
    if policy.inbound_mail_days is None:
        return None
    return sa.select(InboundEmail).where(
        InboundEmail.organization_id == policy.organization_id,
        InboundEmail.received_at < now - dt.timedelta(days=policy.inbound_mail_days),
        sa.func.length(InboundEmail.raw) > 0,
    )


def _exports_due(policy: RetentionPolicy, now: dt.datetime):
    return sa.select(DataExport).where(
        DataExport.organization_id == policy.organization_id,
        DataExport.created_at < now - dt.timedelta(days=policy.export_days),
    )


@dataclass
class Rule:
    """One rule's part of a preview: how many rows it would touch and a few of them, as words."""

    label: str
    count: int = 0
    sample: list[str] = field(default_factory=list)


def _count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


def preview(policy: RetentionPolicy, *, now: dt.datetime | None = None) -> list[Rule]:
    """What a run of `policy` would remove now (whether or not it is enabled)."""
    now = now or utcnow()
    rules = []
    tickets = _tickets_due(policy, now)
    verb = policy.closed_ticket_action.label.split()[0].lower()
    rule = Rule(f"Closed tickets to {verb}" if tickets is not None else "Closed tickets (kept)")
    if tickets is not None:
        rule.count = _count(tickets)
        rule.sample = [
            f"#{t.number} {t.subject} (closed {t.closed_at:%Y-%m-%d})"
            for t in db.session.scalars(tickets.order_by(Ticket.closed_at).limit(SAMPLE))
        ]
    rules.append(rule)
    mail = _mail_due(policy, now)
    rule = Rule("Received mail to purge" if mail is not None else "Received mail (kept)")
    if mail is not None:
        rule.count = _count(mail)
        rows = db.session.execute(
            sa.select(InboundEmail.from_address, InboundEmail.subject, InboundEmail.received_at)
            .where(InboundEmail.id.in_(mail.with_only_columns(InboundEmail.id).scalar_subquery()))
            .order_by(InboundEmail.received_at)
            .limit(SAMPLE)
        )
        rule.sample = [f"{r.subject or '(no subject)'} from {r.from_address} ({r.received_at:%Y-%m-%d})" for r in rows]  # fmt: skip
    rules.append(rule)
    exports = _exports_due(policy, now)
    rule = Rule("Data exports to delete", _count(exports))
    rule.sample = [
        f"Export {e.id} of customer {e.customer_id} ({e.created_at:%Y-%m-%d})"
        for e in db.session.scalars(exports.order_by(DataExport.created_at).limit(SAMPLE))
    ]
    rules.append(rule)
    return rules


# -- the run -------------------------------------------------------------------------------------


def _delete_tickets(tickets: list[Ticket], days: int) -> None:
    """Delete tickets as an admin would, recorded in `ticket_deletions` (by the system)."""
    ids = [t.id for t in tickets]
    keys = set(
        db.session.scalars(
            sa.select(Attachment.storage_key)
            .join(Message, Message.id == Attachment.message_id)
            .where(Message.ticket_id.in_(ids), Attachment.storage_key.is_not(None))
        )
    )
    emails = dict(
        db.session.execute(
            sa.select(Customer.id, Customer.email).where(
                Customer.id.in_({t.customer_id for t in tickets})
            )
        ).all()
    )
    for ticket in tickets:
        tags = tuple(
            db.session.scalars(
                sa.select(TicketTag.name)
                .where(TicketTag.ticket_id == ticket.id)
                .order_by(TicketTag.name)
            )
        )
        deletion = TicketDeletion(
            organization_id=ticket.organization_id,
            ticket_id=ticket.id,
            number=ticket.number,
            subject=ticket.subject,
            status=ticket.status.value,
            customer_id=ticket.customer_id,
            customer_email=emails.get(ticket.customer_id, ""),
            ticket_version=ticket.version,
            message_count=0,
            details={"tags": list(tags), "retention_days": days},
            ticket_created_at=ticket.created_at,
            deleted_by_user_id=None,
            reason=f"Retention: closed more than {days} days ago",
            deleted_at=utcnow(),
        )
        db.session.add(deletion)
        events.record(db.session, TicketDeleted(ticket, tags, deletion))
        db.session.delete(ticket)
    db.session.flush()
    delete_files_after_commit(db.session, keys)


def apply_policy(policy: RetentionPolicy, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove what `policy` says is due (enabled or not: callers check); flushes, audits."""
    now = now or utcnow()
    counts = {"tickets": 0, "inbound_mail": 0, "exports": 0}
    tickets_query = _tickets_due(policy, now)
    if tickets_query is not None:
        tickets = list(db.session.scalars(tickets_query.order_by(Ticket.closed_at).limit(BATCH)))
        if tickets and policy.closed_ticket_action is ClosedTicketAction.DELETE:
            _delete_tickets(tickets, policy.closed_ticket_days)
        elif tickets:
            anonymize_tickets(policy.organization_id, [t.id for t in tickets])
        counts["tickets"] = len(tickets)
    mail = _mail_due(policy, now)
    if mail is not None:
        counts["inbound_mail"] = db.session.execute(
            sa.update(InboundEmail)
            .where(InboundEmail.id.in_(mail.with_only_columns(InboundEmail.id).scalar_subquery()))
            .values(raw=b"")
            .execution_options(synchronize_session=False)
        ).rowcount
    exports = list(db.session.scalars(_exports_due(policy, now)))
    keys = {e.storage_key for e in exports if e.storage_key}
    for row in exports:
        db.session.delete(row)
    db.session.flush()
    delete_files_after_commit(db.session, keys)
    counts["exports"] = len(exports)
    policy.last_run_at, policy.last_run_counts = now, counts
    if any(counts.values()):
        audit.record(
            policy.organization_id,
            "retention.applied",
            target=("retention", None, "Retention policy"),
            after={
                **counts,
                "closed_ticket_action": policy.closed_ticket_action,
                "closed_ticket_days": policy.closed_ticket_days,
                "inbound_mail_days": policy.inbound_mail_days,
                "export_days": policy.export_days,
            },
        )
    db.session.flush()
    return counts


def apply_all(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every enabled policy, committing per organization; totals by kind."""
    totals = {"tickets": 0, "inbound_mail": 0, "exports": 0}
    org_ids = db.session.scalars(
        sa.select(RetentionPolicy.organization_id)
        .join(Organization, Organization.id == RetentionPolicy.organization_id)
        .where(RetentionPolicy.enabled.is_(True))
        .order_by(RetentionPolicy.organization_id)
    ).all()
    for org_id in org_ids:
        counts = apply_policy(db.session.get(RetentionPolicy, org_id), now=now)
        db.session.commit()
        for kind, n in counts.items():
            totals[kind] += n
    return totals
