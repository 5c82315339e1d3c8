"""CRM writes: the connection (credentials, mapping, timeline events) and the sync rows queued
with the change that causes them. Flushes, never commits, never does HTTP (crm.sync does).

Secrets arrive here once: an empty field keeps the stored value, so forms never render it back.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from supportdesk import audit, events, jobs
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.crm import mapping
from supportdesk.crm.models import (
    ConnectionStatus,
    CrmConnection,
    CrmSync,
    Provider,
    SyncKind,
)
from supportdesk.customers.events import CustomerCreated, CustomerUpdated
from supportdesk.customers.models import Customer
from supportdesk.db import touch_if_changed, utcnow
from supportdesk.errors import Conflict, NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.outbox import PENDING_STATES, OutboxState
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent
from supportdesk.webhooks import guard

log = logging.getLogger(__name__)

DRAIN_JOB = "supportdesk.jobs.crm.sync_crm"
QUEUE = "default"
# Ticket events that may go to the contact's timeline, in the order the admin page lists them.
TIMELINE_EVENTS: dict[str, str] = {
    "ticket.created": "A ticket was opened",
    "ticket.resolved": "A ticket was resolved",
}
TIMELINE_OBJECTS = ("Task", "Case")
AUDITED = (
    "provider",
    "enabled",
    "base_url",
    "client_id",
    "field_map",
    "timeline_events",
    "timeline_object",
)


@dataclass(frozen=True)
class ConnectionBroken:
    """Domain event: the CRM refused the connection's credentials during a sync, so its writes
    are held; the organization's admins hear of it by mail (once per break, see `record_check`).

    Like a disabled webhook endpoint, there is no switch for that mail.
    """

    organization_id: int
    connection_id: int
    provider: str
    reason: str
    broken_at: dt.datetime


def get_connection(organization_id: int) -> CrmConnection | None:
    """The organization's connection, if it has one."""
    return db.session.scalar(
        sa.select(CrmConnection).where(CrmConnection.organization_id == organization_id)
    )


def require_connection(organization_id: int) -> CrmConnection:
    connection = get_connection(organization_id)
    if connection is None:
        raise NotFound("This organization has no CRM connection.")
    return connection


def _clean_url(url: str, provider: Provider) -> str:
    url = (url or "").strip().rstrip("/") or provider.default_base_url
    if len(url) > 500:
        raise ValidationFailed("The URL is too long.", {"base_url": "Use at most 500 characters."})
    try:
        guard.resolve(url, allow_private=bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"]))
    except guard.UnsafeDestination as exc:
        # Keep its status: a malformed address is a 422, one refused by policy (a host that
        # does not resolve, or a private address) a 403, as for webhook URLs.
        exc.fields = {"base_url": exc.message}
        raise
    if url.startswith("http://") and not current_app.config["WEBHOOKS_ALLOW_PRIVATE"]:
        raise ValidationFailed(
            "Use an https:// address.", {"base_url": "The CRM must be reached over https://."}
        )
    return url


def save_connection(
    actor: User,
    *,
    provider: str,
    base_url: str = "",
    access_token: str = "",
    client_id: str = "",
    client_secret: str = "",
    refresh_token: str = "",
    webhook_secret: str = "",
    field_map: dict[str, dict[str, str]] | None = None,
    timeline_events: list[str] | None = None,
    timeline_object: str = "Task",
    enabled: bool = True,
) -> CrmConnection:
    """Create or change the organization's connection. Empty secrets keep the stored ones."""
    require(actor, "crm.manage")
    try:
        chosen = Provider(provider)
    except ValueError:
        raise ValidationFailed(
            "Choose a CRM.", {"provider": "Choose HubSpot or Salesforce."}
        ) from None
    connection = get_connection(actor.organization_id)
    before = None if connection is None else audit.snapshot(connection, AUDITED)
    if connection is None or connection.provider is not chosen:
        if connection is None:
            connection = CrmConnection(organization_id=actor.organization_id, provider=chosen)
            db.session.add(connection)
        connection.provider = chosen
        connection.access_token = connection.client_secret = connection.refresh_token = None
        connection.webhook_secret = None
        connection.session_token, connection.instance_url, connection.client_id = None, "", ""
        connection.pull_cursor = None
    url = _clean_url(base_url, chosen)
    if url != connection.base_url:
        connection.session_token, connection.instance_url = None, ""
    connection.base_url = url
    errors: dict[str, str] = {}
    if chosen is Provider.HUBSPOT:
        if access_token.strip():
            connection.access_token = access_token.strip()
        elif not connection.access_token:
            errors["access_token"] = "Paste the private app's access token."  # noqa: S105
        if webhook_secret.strip():
            connection.webhook_secret = webhook_secret.strip()
    else:
        connection.client_id = client_id.strip()[:300]
        if not connection.client_id:
            errors["client_id"] = "Enter the connected app's consumer key."
        for name, value in (("client_secret", client_secret), ("refresh_token", refresh_token)):
            if value.strip():
                setattr(connection, name, value.strip())
                connection.session_token = None
            elif not getattr(connection, name) and name == "client_secret":
                errors[name] = "Enter it once; it is stored encrypted and never shown again."
        # No refresh token yet: "Connect Salesforce" (crm.oauth) gets one; writes wait until then.
    stored = connection.field_map or {}
    given = field_map or stored
    connection.field_map = mapping.clean(
        chosen,
        {  # a master left out keeps the stored one
            name: {"master": (stored.get(name) or {}).get("master"), **(entry or {})}
            for name, entry in given.items()
        },
    )
    events = timeline_events if timeline_events is not None else list(TIMELINE_EVENTS)
    if any(e not in TIMELINE_EVENTS for e in events):
        errors["timeline_events"] = "Choose among the listed events."
    connection.timeline_events = [e for e in TIMELINE_EVENTS if e in events]
    if timeline_object not in TIMELINE_OBJECTS:
        errors["timeline_object"] = "Choose Task or Case."
    connection.timeline_object = timeline_object
    connection.enabled = bool(enabled)
    if errors:
        if set(errors) <= {"access_token", "client_secret", "refresh_token"}:
            # Nothing stored to keep: the request is well formed, the connection lacks them.
            raise Conflict("The connection needs its credentials once.", errors)
        raise ValidationFailed("The connection is not complete.", errors)
    if not touch_if_changed(connection):
        return connection  # saved unchanged: its state, log and held rows stay as they are
    connection.status, connection.status_message = ConnectionStatus.UNTESTED, ""
    db.session.flush()
    audit.record_changes(
        actor.organization_id,
        "crm.connected" if before is None else "crm.updated",
        actor=actor,
        target=("crm", connection.id, connection.provider.label),
        before=before,
        after=audit.snapshot(connection, AUDITED),
    )
    resume(connection)
    return connection


def delete_connection(actor: User) -> None:
    """Disconnect: forget the credentials and the pending sync rows (the log goes with them)."""
    require(actor, "crm.manage")
    connection = require_connection(actor.organization_id)
    audit.record(
        actor.organization_id,
        "crm.disconnected",
        actor=actor,
        target=("crm", connection.id, connection.provider.label),
    )
    db.session.execute(sa.delete(CrmSync).where(CrmSync.connection_id == connection.id))
    db.session.delete(connection)
    db.session.flush()


def record_check(connection: CrmConnection, problem: str | None, *, tell: bool = False) -> None:
    """Keep the outcome of a test or a sync call on the connection (a sentence when broken).

    `tell`: a background call found the credentials refused; when that breaks a connection that
    was not broken yet, a ConnectionBroken event is recorded (mail.rules mails the admins at the
    COMMIT). Further failures while it stays broken tell nobody again; once repaired (saved again
    or a call that works), the next break is told anew. A failed "Test connection" tells nobody:
    the admin who pressed it reads the sentence on the page.
    """
    connection.checked_at = utcnow()
    if problem is None:
        connection.status, connection.status_message = ConnectionStatus.OK, ""
    else:
        newly = connection.status is not ConnectionStatus.BROKEN
        connection.status, connection.status_message = ConnectionStatus.BROKEN, problem[:1000]
        if tell and newly:
            _tell_broken(connection)
    db.session.flush()


def _tell_broken(connection: CrmConnection) -> None:
    log.warning(
        "CRM connection %s of organization %s is broken: %s",
        connection.id,
        connection.organization_id,
        connection.status_message,
    )
    events.record(
        db.session,
        ConnectionBroken(
            organization_id=connection.organization_id,
            connection_id=connection.id,
            provider=connection.provider.label,
            reason=connection.status_message,
            broken_at=connection.checked_at,
        ),
    )


def resume(connection: CrmConnection) -> None:
    """Rows held while the connection was broken or off are due again now."""
    if not (connection.enabled and connection.has_credentials):
        return
    db.session.execute(
        sa.update(CrmSync)
        .where(CrmSync.connection_id == connection.id, CrmSync.state.in_(PENDING_STATES))
        .values(next_attempt_at=utcnow(), locked_until=None)
        .execution_options(synchronize_session=False)
    )
    jobs.wake(db.session, DRAIN_JOB, queue=QUEUE)


# -- sync rows ------------------------------------------------------------------------------


def _active(organization_ids: set[int]) -> dict[int, CrmConnection]:
    rows = db.session.scalars(
        sa.select(CrmConnection).where(
            CrmConnection.organization_id.in_(organization_ids), CrmConnection.enabled.is_(True)
        )
    )
    return {c.organization_id: c for c in rows if c.has_credentials}


def queue_contact(connection: CrmConnection, customer: Customer) -> CrmSync | None:
    """A contact upsert for the customer, unless one is already waiting (it will send the
    customer as they are then)."""
    waiting = db.session.scalar(
        sa.select(CrmSync.id).where(
            CrmSync.connection_id == connection.id,
            CrmSync.customer_id == customer.id,
            CrmSync.kind == SyncKind.CONTACT,
            CrmSync.state.in_(PENDING_STATES),
            CrmSync.locked_until.is_(None),
        )
    )
    customer.crm_sync_status = "pending"
    if waiting is not None:
        return None
    row = CrmSync(
        organization_id=connection.organization_id,
        connection_id=connection.id,
        customer_id=customer.id,
        kind=SyncKind.CONTACT,
        event_key=f"contact:{customer.id}:{utcnow().timestamp():.6f}",
        payload={},
        state=OutboxState.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
    )
    db.session.add(row)
    return row


def _queue_timeline(connection: CrmConnection, ticket: Ticket, event: str, key: str) -> None:
    exists = db.session.scalar(
        sa.select(CrmSync.id).where(
            CrmSync.connection_id == connection.id, CrmSync.event_key == key
        )
    )
    if exists is not None:
        return
    db.session.add(
        CrmSync(
            organization_id=connection.organization_id,
            connection_id=connection.id,
            customer_id=ticket.customer_id,
            kind=SyncKind.TIMELINE,
            event_key=key,
            payload={
                "event": event,
                "ticket_id": ticket.id,
                "number": ticket.number,
                "subject": ticket.subject,
                "status": ticket.status.value,
                "at": utcnow().isoformat(),
            },
            state=OutboxState.QUEUED,
            attempts=0,
            next_attempt_at=utcnow(),
            last_error="",
        )
    )


def _ticket_event(item: TicketEvent) -> str | None:
    if item.kind is EventKind.CREATED:
        return "ticket.created"
    if item.kind is EventKind.STATUS and (item.data or {}).get("new") == "resolved":
        return "ticket.resolved"
    return None


def _organization_id(item: Any) -> int | None:
    if isinstance(item, CustomerCreated | CustomerUpdated):
        return item.customer.organization_id
    if isinstance(item, TicketEvent):
        return item.organization_id or item.ticket.organization_id
    return None


def on_events(items: list[Any]) -> None:
    """The subscriber: contact upserts for created or edited customers, and timeline entries for
    ticket events the connection wants, in the same transaction as the change."""
    organization_ids = {o for o in map(_organization_id, items) if o is not None}
    if not organization_ids:
        return
    connections = _active(organization_ids)
    if not connections:
        return
    db.session.flush()
    queued = False
    for item in items:
        connection = connections.get(_organization_id(item) or 0)
        if connection is None:
            continue
        if isinstance(item, CustomerCreated | CustomerUpdated):
            queue_contact(connection, item.customer)
            queued = True
        elif isinstance(item, TicketEvent):
            event = _ticket_event(item)
            if event is None or event not in (connection.timeline_events or []):
                continue
            ticket = db.session.get(Ticket, item.ticket_id or item.ticket.id)
            key = (
                f"ticket-{ticket.id}-created"
                if event == "ticket.created"
                else (f"ticket-{ticket.id}-resolved-{item.id}")
            )
            _queue_timeline(connection, ticket, event, key)
            queued = True
    if queued:
        db.session.flush()
        jobs.wake(db.session, DRAIN_JOB, queue=QUEUE)


def record_read(
    connection: CrmConnection,
    customer: Customer,
    source: str,
    changes: list[str],
    notes: list[str],
) -> CrmSync:
    """A read of the contact that changed the customer or met a conflict, in the sync log (a
    row that is done already: nothing is sent)."""
    now = utcnow()
    row = CrmSync(
        organization_id=connection.organization_id,
        connection_id=connection.id,
        customer_id=customer.id,
        kind=SyncKind.PULL,
        event_key=f"pull:{customer.id}:{now.timestamp():.6f}",
        payload={"source": source},
        request_summary=source,
        response_summary=(("Taken: " + "; ".join(changes) + ".") if changes else "Nothing taken.")[
            :2000
        ],
        note="\n".join(notes)[:2000],
        crm_object_id=customer.crm_id or "",
        state=OutboxState.SENT,
        attempts=1,
        sent_at=now,
        next_attempt_at=now,
        last_error="",
    )
    db.session.add(row)
    return row


def queue_full_sync(actor: User) -> int:
    """Queue a contact upsert for every customer of the organization that has none waiting;
    returns how many. Two statements whatever the number of customers; the rows are the
    progress (the sync log counts them down) and survive restarts, so the sync resumes."""
    require(actor, "crm.manage")
    connection = require_connection(actor.organization_id)
    now = utcnow()
    waiting = sa.select(CrmSync.customer_id).where(
        CrmSync.connection_id == connection.id,
        CrmSync.kind == SyncKind.CONTACT,
        CrmSync.state.in_(PENDING_STATES),
    )
    chosen = sa.select(Customer.id).where(
        Customer.organization_id == actor.organization_id, Customer.id.not_in(waiting)
    )
    key = sa.func.concat("contact:", Customer.id, f":full:{now.timestamp():.6f}")
    inserted = (
        db.session.execute(
            sa.insert(CrmSync)
            .from_select(
                [
                    "organization_id",
                    "connection_id",
                    "customer_id",
                    "kind",
                    "event_key",
                    "payload",
                    "crm_object_id",
                    "request_summary",
                    "response_summary",
                    "duration_ms",
                    "created_at",
                    "state",
                    "attempts",
                    "next_attempt_at",
                    "last_error",
                ],
                sa.select(
                    sa.literal(actor.organization_id),
                    sa.literal(connection.id),
                    Customer.id,
                    sa.literal(SyncKind.CONTACT.value),
                    key,
                    sa.cast(sa.literal("{}"), CrmSync.__table__.c.payload.type),
                    sa.literal(""),
                    sa.literal(""),
                    sa.literal(""),
                    sa.literal(0),
                    sa.literal(now, CrmSync.__table__.c.created_at.type),
                    sa.literal(OutboxState.QUEUED.value),
                    sa.literal(0),
                    sa.literal(now, CrmSync.__table__.c.next_attempt_at.type),
                    sa.literal(""),
                ).where(Customer.id.in_(chosen)),
            )
            .returning(CrmSync.customer_id)
        )
        .scalars()
        .all()
    )
    count = len(inserted)
    db.session.execute(
        sa.update(Customer)
        .where(Customer.organization_id == actor.organization_id)
        .values(crm_sync_status="pending")
        .execution_options(synchronize_session=False)
    )
    audit.record(
        actor.organization_id,
        "crm.full_sync_started",
        actor=actor,
        target=("crm", connection.id, connection.provider.label),
        after={"customers": count},
    )
    jobs.wake(db.session, DRAIN_JOB, queue=QUEUE)
    return count


def resend(actor: User, sync_id: int) -> CrmSync:
    """Run a sync row again now, whatever its state (it writes the same record, not a new one)."""
    require(actor, "crm.manage")
    row = db.session.scalar(
        sa.select(CrmSync).where(
            CrmSync.organization_id == actor.organization_id, CrmSync.id == sync_id
        )
    )
    if row is None:
        raise NotFound("That sync entry does not exist.")
    if row.kind is SyncKind.PULL:
        raise Conflict(
            "A read from the CRM is not run again: press “Refresh from CRM” on the customer."
        )
    row.state, row.next_attempt_at, row.locked_until = OutboxState.QUEUED, utcnow(), None
    db.session.flush()
    jobs.wake(db.session, DRAIN_JOB, queue=QUEUE)
    return row
