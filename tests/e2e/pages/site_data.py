"""A desk populated enough that every page has something to show: a conversation with a note
and an attachment, mail both ways, unrouted mail, SLA settings and clocks in every state, tickets
in every status and priority, and a webhook endpoint with a delivery in every state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage

import sqlalchemy as sa

from supportdesk import events
from supportdesk.attachments.models import Attachment
from supportdesk.bulk_actions.models import BulkJob, BulkJobFailure, JobStatus
from supportdesk.customers.models import Tier
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.fields import saved_views
from supportdesk.fields import service as field_service
from supportdesk.fields.models import FieldType
from supportdesk.macros import service as macros
from supportdesk.mail.identity import signing
from supportdesk.mail.inbound.models import InboundEmail
from supportdesk.mail.inbound.service import receive_email
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.outbox import OutboxState
from supportdesk.reports import digest
from supportdesk.sla import service as sla_service
from supportdesk.sla.models import (
    BusinessCalendar,
    EscalationRule,
    EscalationTrigger,
    SlaPolicy,
    TicketSla,
)
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Priority, Status, Ticket
from supportdesk.webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookEndpoint
from supportdesk.webhooks.signing import new_secret
from tests import factories
from tests.e2e.conftest import Desk


@dataclass
class Site:
    """A populated desk and the ids that fill the pages' paths, by argument name."""

    desk: Desk
    ids: dict[str, int]


def _customer_reply_with_attachment(desk) -> InboundEmail:
    """The customer answers by email to the ticket's reply address, with a file attached."""
    mime = MimeMessage()
    mime["From"] = f"{desk.customer.name} <{desk.customer.email}>"
    mime["To"] = signing.reply_address(desk.ticket.id)
    mime["Subject"] = f"Re: {desk.ticket.subject}"
    mime["Message-ID"] = "<reply-1@driftwood-travel.example>"
    mime.set_content("Here is the booking confirmation you asked for.\n")
    mime.add_attachment(
        b"Booking 4411, cancelled 18 Nov 2026.\n",
        maintype="text",
        subtype="plain",
        filename="booking-4411.txt",
    )
    result = receive_email(mime.as_bytes(), source="e2e")
    return db.session.get(InboundEmail, result.inbound_id)


def _sla(desk) -> tuple[BusinessCalendar, SlaPolicy, EscalationRule]:
    calendar = BusinessCalendar(
        organization_id=desk.org.id,
        name="Office hours",
        time_zone="Europe/Berlin",
        weekly_hours={str(day): [["09:00", "17:00"]] for day in range(5)},
        holidays=[],
    )
    db.session.add(calendar)
    db.session.flush()
    policy = SlaPolicy(
        organization_id=desk.org.id,
        name="Standard",
        calendar_id=calendar.id,
        first_response_minutes={"critical": 30, "high": 60, "medium": 240, "low": 480},
        resolution_minutes={"critical": 240, "high": 480, "medium": 1440, "low": 2880},
    )
    rule = EscalationRule(
        organization_id=desk.org.id,
        name="Breached first response",
        trigger=EscalationTrigger.FIRST_RESPONSE_BREACHED,
    )
    db.session.add_all([policy, rule])
    db.session.flush()
    return calendar, policy, rule


def _webhook(desk) -> tuple[WebhookEndpoint, WebhookDelivery]:
    """An endpoint with one delivery in each state; the failed one is returned to show."""
    endpoint = WebhookEndpoint(
        organization_id=desk.org.id,
        url="https://hooks.driftwood-travel.example/supportdesk",
        event_types=list(EVENT_TYPES),
        secret=new_secret(),
    )
    db.session.add(endpoint)
    db.session.flush()
    deliveries = [
        WebhookDelivery(
            organization_id=desk.org.id,
            endpoint_id=endpoint.id,
            event_type="ticket.created",
            event_id=f"evt_e2e_{state.value}",
            payload=f'{{"type": "ticket.created", "data": {{"number": {desk.ticket.number}}}}}',
            state=state,
            attempts=0 if state is OutboxState.QUEUED else 1,
            last_status_code=200 if state is OutboxState.SENT else 503,
            last_error="" if state is OutboxState.SENT else "Service Unavailable",
        )
        for state in OutboxState
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    return endpoint, deliveries[-1]


def _unrouted_mail() -> None:
    """A message to an address nobody owns: kept for an admin to look at."""
    mime = MimeMessage()
    mime["From"] = "Dana White <dana@white.example>"
    mime["To"] = "orders@unknown.example"
    mime["Subject"] = "Where is my order?"
    mime["Message-ID"] = "<order-1@white.example>"
    mime.set_content("I ordered two weeks ago.\n")
    receive_email(mime.as_bytes(), envelope_recipients=["orders@unknown.example"], source="e2e")


def _queue_of_every_kind(desk) -> None:
    """Tickets in every status and priority, with tags and SLA clocks in every state."""
    vip = factories.CustomerFactory(
        organization=desk.org, name="Jonas Weber", company="Northwind Hotels", tier=Tier.PREMIUM
    )
    kinds = [
        ("Invoice shows the wrong VAT number", Status.IN_PROGRESS, Priority.HIGH, "billing, vat"),
        ("Payment failed twice with card ending 4242", Status.OPEN, Priority.CRITICAL, "payments"),
        ("Please add our second office to the account", Status.PENDING, Priority.LOW, ""),
        ("Export of last year's tickets", Status.RESOLVED, Priority.MEDIUM, "export"),
        ("Thanks, all sorted", Status.CLOSED, Priority.LOW, ""),
    ]
    made = [
        factories.make_ticket(
            desk.org,
            customer=vip,
            subject=subject,
            status=status,
            priority=priority,
            tags=tags,
            assignee=desk.senior if status is Status.IN_PROGRESS else None,
        )
        for subject, status, priority, tags in kinds
    ]
    # Let the subscribers (the SLA clocks among them) run now, not at the commit after the edits.
    events.publish_pending(db.session)
    sla_service.recompute([t.id for t in (desk.ticket, *made)])
    now = utcnow()
    clocks = {row.ticket_id: row for row in db.session.scalars(sa.select(TicketSla))}
    near, breached, paused = clocks[made[0].id], clocks[made[1].id], clocks[made[2].id]
    near.first_response_warn_at = now - dt.timedelta(minutes=5)
    near.first_response_due_at = now + dt.timedelta(minutes=25)
    breached.first_response_due_at = now - dt.timedelta(minutes=42)
    paused.paused_since = now - dt.timedelta(hours=3)
    db.session.flush()


def _deleted_ticket(desk) -> None:
    """A spam ticket an admin deleted, for the deletion record page."""
    spam = factories.make_ticket(desk.org, subject="Cheap watches", tags=["spam"])
    db.session.commit()  # created and deleted in one transaction would publish a vanished ticket
    tickets.delete_ticket(desk.admin, spam, reason="Spam")


def _replies_and_macros(desk):
    """A shared and a personal canned reply, and a macro applied once (a grouped history)."""
    canned = macros.create_reply(
        desk.admin,
        title="Refund approved",
        body="Hi {{ customer.first_name }}, your refund for #{{ ticket.number }} is on its way.",
        shared=True,
    )
    macros.create_reply(desk.admin, title="Booking number", body="Could you send the booking?")
    macro = macros.create_macro(
        desk.admin,
        name="Refund approved",
        reply_body="Refund approved by {{ agent.name }}.",
        priority="high",
        add_tags=["refund"],
    )
    macros.apply_macro(desk.ticket, macro, desk.agent)
    return canned, macro


def _bulk_job(desk) -> BulkJob:
    """A finished bulk job that refused one ticket (a running one would reload its page)."""
    ids = list(
        db.session.scalars(sa.select(Ticket.id).where(Ticket.organization_id == desk.org.id))
    )
    job = BulkJob(
        organization_id=desk.org.id, created_by_user_id=desk.agent.id, action="status",
        params={"status": "resolved"}, selection={"queue": "open"}, ticket_ids=ids,
        total=len(ids), done=len(ids) - 1, failed=1, status=JobStatus.COMPLETED,
        started_at=utcnow(), finished_at=utcnow(),
    )  # fmt: skip
    db.session.add(job)
    db.session.flush()
    db.session.add(
        BulkJobFailure(
            organization_id=desk.org.id, bulk_job_id=job.id, ticket_id=desk.ticket.id,
            ticket_number=desk.ticket.number,
            reason="A ticket that is closed cannot be moved to resolved.",
        )
    )  # fmt: skip
    return job


def _data_export(desk) -> int:
    """A failed data export of the desk's customer (a running one would reload its page)."""
    from supportdesk.privacy.models import DataExport, ExportStatus

    export = DataExport(
        organization_id=desk.org.id, customer_id=desk.customer.id,
        requested_by_user_id=desk.admin.id, status=ExportStatus.FAILED,
        error="The storage was full.", finished_at=utcnow(),
    )  # fmt: skip
    db.session.add(export)
    db.session.flush()
    return export.id


def _export(desk) -> int:
    """A finished export of the admin's (a running one would reload its page)."""
    import datetime as dt

    from supportdesk.exports.models import Export, ExportStatus

    now = utcnow()
    export = Export(
        organization_id=desk.org.id, requested_by_id=desk.admin.id, kind="tickets", format="csv",
        parameters={"queue": "open"}, status=ExportStatus.COMPLETED, rows=5, total=5, size=2048,
        storage_key="0" * 64, started_at=now, finished_at=now, expires_at=now + dt.timedelta(days=7),
    )  # fmt: skip
    db.session.add(export)
    db.session.flush()
    return export.id


def _fields_and_views(desk) -> int:
    """Custom fields (a value on the desk's ticket) and views, shared and personal."""
    plan = field_service.create_field(
        desk.admin, key="plan", label="Plan", type=FieldType.SELECT, options=["Free", "Pro"],
        required_on_resolve=True,
    )  # fmt: skip
    field_service.create_field(
        desk.admin, key="order_number", label="Order number", type=FieldType.TEXT
    )
    field_service.create_field(desk.admin, key="vip", label="VIP", type=FieldType.CHECKBOX)
    tickets.set_custom_fields(desk.agent, desk.ticket, {"plan": "Pro", "order_number": "A-10442"})
    saved_views.create_view(
        desk.admin, name="Pro plan", filters={"queue": "open", "cf.plan": "Pro"},
        columns=["plan", "order_number"], shared=True,
    )  # fmt: skip
    saved_views.create_view(desk.admin, name="Pending", filters={"queue": "pending"})
    return plan.id


def _knowledge_base(desk) -> tuple[int, int, int]:
    """Categories, a published article with two revisions, a draft: (article, revision, category)."""
    from supportdesk.kb import categories as kb_categories
    from supportdesk.kb import queries as kb_queries
    from supportdesk.kb import service as kb_service

    billing = kb_categories.create_category(
        desk.admin, name="Billing", description="Invoices, refunds and payments."
    )
    kb_categories.create_category(desk.admin, name="Bookings")
    article = kb_service.create_article(
        desk.agent, title="Refund a cancelled booking",
        body="## Before you start\n\nOpen **Bookings** and choose the trip.\n\n- Choose *Refund*\n- Confirm",
        status="published", category_id=billing.id, tags=["refund", "billing"],
        seo_description="How to get your money back for a cancelled trip.",
    )  # fmt: skip
    kb_service.update_article(
        desk.agent, article.id,
        body="## Before you start\n\nOpen **Bookings** and choose the trip.\n\n- Choose *Refund*\n- Confirm by email",
    )  # fmt: skip
    kb_service.create_article(desk.agent, title="Change the invoice address", body="Draft text.")
    revision = kb_queries.revisions(desk.org.id, article.id)[0]
    return article.id, revision.id, billing.id


def _crm(desk) -> None:
    """A HubSpot connection that broke, with a sent, a waiting and a failed sync, and the
    customer's last error, so the CRM pages and the customer's CRM card have rows to show."""
    from supportdesk.crm.mapping import defaults
    from supportdesk.crm.models import ConnectionStatus, CrmConnection, CrmSync, Provider, SyncKind

    connection = CrmConnection(
        organization_id=desk.org.id,
        provider=Provider.HUBSPOT,
        base_url="https://api.hubapi.com",
        access_token="pat-na1-e2e",
        field_map=defaults(Provider.HUBSPOT),
        timeline_events=["ticket.created", "ticket.resolved"],
        status=ConnectionStatus.BROKEN,
        status_message="HubSpot refused the access token (401): it was revoked or mistyped.",
    )
    db.session.add(connection)
    db.session.flush()
    for n, state in enumerate((OutboxState.SENT, OutboxState.DEFERRED, OutboxState.FAILED)):
        db.session.add(
            CrmSync(
                organization_id=desk.org.id,
                connection_id=connection.id,
                customer_id=desk.customer.id,
                kind=SyncKind.CONTACT if n != 1 else SyncKind.TIMELINE,
                event_key=f"e2e-{n}",
                payload={
                    "event": "ticket.created",
                    "number": desk.ticket.number,
                    "subject": desk.ticket.subject,
                },
                state=state,
                attempts=1,
                crm_object_id="501" if state is OutboxState.SENT else "",
                request_summary="POST /crm/v3/objects/contacts/batch/upsert → 200 in 84 ms",
                response_summary='{"status": "COMPLETE", "results": [{"id": "501"}]}',
                last_error="" if state is OutboxState.SENT else "HubSpot answered 503.",
            )
        )
    desk.customer.crm_id = "501"
    desk.customer.crm_sync_status = "failed"
    desk.customer.crm_sync_error = "HubSpot refused the data: Property values were not valid."
    db.session.flush()


def populate(desk) -> Site:
    """Give `desk` a conversation, mail both ways, SLA settings, a webhook and a varied queue."""
    tickets.reply(desk.agent, desk.ticket, "Sorry for the wait. Could you send the booking?")
    tickets.add_note(desk.agent, desk.ticket, "Refunds over 500 EUR need a lead's approval.")
    tickets.assign(desk.admin, desk.ticket, assignee_id=desk.agent.id, team_id=desk.team.id)
    # The admin (who opens every page) gets a mention, so the notification list has rows.
    tickets.add_note(desk.agent, desk.ticket, f"@{desk.admin.email} can you approve the refund?")
    inbound = _customer_reply_with_attachment(desk)
    _unrouted_mail()
    calendar, policy, rule = _sla(desk)
    _queue_of_every_kind(desk)
    _deleted_ticket(desk)
    endpoint, delivery = _webhook(desk)
    _crm(desk)
    canned, macro = _replies_and_macros(desk)
    secret = _links(desk)
    job = _bulk_job(desk)
    data_export_id = _data_export(desk)
    field_id = _fields_and_views(desk)
    article_id, revision_id, category_id = _knowledge_base(desk)
    export_id = _export(desk)
    # The admin's weekly summary email, so its page lists one.
    digest.subscribe(desk.admin, "weekly")
    email_id = db.session.scalar(
        sa.select(EmailMessage.id).where(EmailMessage.organization_id == desk.org.id).limit(1)
    )
    attachment_id = db.session.scalar(
        sa.select(Attachment.id).where(Attachment.organization_id == desk.org.id)
    )
    assert email_id and attachment_id, "the reply should have queued mail and kept the file"
    return Site(
        desk=desk,
        ids={
            "number": desk.ticket.number,
            "agent_id": desk.agent.id,
            "customer_id": desk.customer.id,
            "team_id": desk.team.id,
            "inbound_id": inbound.id,
            "attachment_id": attachment_id,
            "message_id": inbound.message_id,
            "email_id": email_id,
            "calendar_id": calendar.id,
            "policy_id": policy.id,
            "rule_id": rule.id,
            "endpoint_id": endpoint.id,
            "delivery_id": delivery.id,
            "canned_reply_id": canned.id,
            "macro_id": macro.id,
            "secret": secret,
            "job_id": job.id,
            "data_export_id": data_export_id,
            "field_id": field_id,
            "article_id": article_id,
            "revision_id": revision_id,
            "category_id": category_id,
            "export_id": export_id,
        },
    )


def _links(desk) -> str:
    """A pending invitation and an open reset link behind one secret (the tables are apart),
    and the audit entries both leave, so the audit page has rows to show."""
    from supportdesk.accounts import invitations, resets
    from supportdesk.accounts.links import Invitation, PasswordReset, new_secret
    from supportdesk.accounts.models import Role

    secret, hashed = new_secret()
    invitation = invitations.invite(
        desk.admin, email="nia.new@example.com", name="Nia New", role=Role.AGENT
    )
    reset = resets.send_reset(desk.agent.email)
    db.session.execute(
        sa.update(Invitation).where(Invitation.id == invitation.id).values(token_hash=hashed)
    )
    db.session.execute(
        sa.update(PasswordReset).where(PasswordReset.id == reset.id).values(token_hash=hashed)
    )
    return secret
