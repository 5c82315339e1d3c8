"""Turn the ticket events of a transaction into queued emails (runs just before the COMMIT).

Rules: only TicketEvents, SLA breaches (supportdesk.mail.outbound.sla_mail) and support address
verification requests are read (other domain events are ignored); an event whose data says
`suppress_notifications` (auto-replies, bounces) never sends mail; nobody is told about their own
action; each organization's switches are respected; automatic mail is capped per address.

Acknowledgements of mail are not a relay for whoever forged the sender: a ticket opened by mail
whose sender's domain failed DMARC gets none, and one without a DMARC pass gets one that carries
no text the sender chose (no body, no subject, no name), so it cannot carry spam to a stranger.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from supportdesk.accounts.models import Team, User
from supportdesk.assignment.rules import rule_label
from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.localtime import organization_time
from supportdesk.mail.identity import signing
from supportdesk.mail.identity.verification import VerificationRequested
from supportdesk.mail.outbound import service, sla_mail
from supportdesk.mail.outbound.models import Notification, NotificationSettings
from supportdesk.sla.service import SlaBreached
from supportdesk.tickets.models import EventKind, Message, MessageKind, Ticket, TicketEvent

QUOTED_MESSAGES = 3


def on_ticket_events(events: list[Any]) -> None:
    """Queue the notifications the transaction's ticket events call for."""
    for event in events:
        if isinstance(event, SlaBreached):
            sla_mail.notify_breach(event)
            continue
        if isinstance(event, VerificationRequested):
            service.queue_verification(event)
            continue
        if not isinstance(event, TicketEvent):
            continue
        if (event.data or {}).get("suppress_notifications") is True:
            continue
        for notification in _notifications_for(event):
            _notify(event, notification)


def _notifications_for(event: TicketEvent) -> list[Notification]:
    data = event.data or {}
    if event.kind is EventKind.CREATED:
        # A ticket opened with an assignee records no separate assignment event.
        ticket = db.session.get(Ticket, event.ticket_id)
        assigned = [Notification.TICKET_ASSIGNED] if ticket.assignee_id else []
        acknowledged = [] if data.get("dmarc") == "fail" else [Notification.TICKET_ACKNOWLEDGED]
        return [*acknowledged, *assigned]
    if event.kind is EventKind.REPLIED:
        return [Notification.AGENT_REPLIED]
    if event.kind is EventKind.STATUS and data.get("new") == "resolved":
        return [Notification.TICKET_RESOLVED]
    if event.kind is EventKind.ASSIGNEE and data.get("new"):
        return [Notification.TICKET_ASSIGNED]
    if event.kind is EventKind.CUSTOMER_REPLIED:
        return [Notification.CUSTOMER_REPLIED]
    return []


def _notify(event: TicketEvent, notification: Notification) -> None:
    settings = service.settings_for(event.organization_id)
    if not settings.enabled(notification):
        return
    ticket = db.session.get(Ticket, event.ticket_id)
    customer = db.session.get(Customer, ticket.customer_id)
    sender_verified = _sender_verified(event)
    if notification.to_customer:
        recipient_email, recipient_name = customer.email, customer.display_name
        if not sender_verified:
            recipient_name = ""
        reply_to = signing.reply_address(ticket.id)
    else:
        agent_id = ticket.assignee_id
        if event.kind is EventKind.ASSIGNEE:
            agent_id = event.data["new"]
        agent = db.session.get(User, agent_id) if agent_id else None
        if agent is None or not agent.active or agent.id == event.actor_user_id:
            return  # nobody to tell, or they did it themselves
        recipient_email, recipient_name = agent.email, agent.name
        reply_to = ""

    # An assignment is about the ticket, not one message: quote the latest ones instead.
    message = (
        None if notification is Notification.TICKET_ASSIGNED else _event_message(event, ticket)
    )
    context = _context(event, notification, settings, ticket, customer, message, recipient_name)
    if not sender_verified:
        context.update(message=None, sender_verified=False)
    service.queue_email(
        notification,
        organization_id=ticket.organization_id,
        ticket_id=ticket.id,
        message_id=message.id if message else None,
        to_address=recipient_email,
        to_name=recipient_name,
        reply_to=reply_to,
        context=context,
    )


def _sender_verified(event: TicketEvent) -> bool:
    """False for a ticket opened by mail whose sender's domain did not pass DMARC."""
    data = event.data or {}
    if event.kind is not EventKind.CREATED or data.get("channel") != "email":
        return True
    return data.get("dmarc") == "pass"


def _public_messages(ticket: Ticket, limit: int) -> list[Message]:
    """The ticket's last public messages, newest first. Internal notes never leave the console."""
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(
                Message.organization_id == ticket.organization_id,
                Message.ticket_id == ticket.id,
                Message.kind == MessageKind.PUBLIC,
            )
            .options(joinedload(Message.author_user), joinedload(Message.author_customer))
            .order_by(Message.id.desc())
            .limit(limit)
        )
    )


def _event_message(event: TicketEvent, ticket: Ticket) -> Message | None:
    """The public message an event is about: the request, the reply or the customer's reply."""
    if event.kind not in (EventKind.CREATED, EventKind.REPLIED, EventKind.CUSTOMER_REPLIED):
        return None
    query = sa.select(Message).where(
        Message.organization_id == ticket.organization_id,
        Message.ticket_id == ticket.id,
        Message.kind == MessageKind.PUBLIC,
    )
    if event.kind is EventKind.CREATED:
        query = query.order_by(Message.id)
    elif event.kind is EventKind.REPLIED:
        query = query.where(Message.author_user_id == event.actor_user_id).order_by(
            Message.id.desc()
        )
    else:
        query = query.where(Message.author_customer_id.is_not(None)).order_by(Message.id.desc())
    return db.session.scalar(
        query.options(joinedload(Message.author_user), joinedload(Message.author_customer)).limit(1)
    )


def _message_view(message: Message) -> dict[str, str]:
    return {
        "author": message.author_name,
        "body": message.body_text,
        "date": organization_time(message.organization_id, message.created_at),
    }


def _context(
    event: TicketEvent,
    notification: Notification,
    settings: NotificationSettings,
    ticket: Ticket,
    customer: Customer,
    message: Message | None,
    recipient_name: str,
) -> dict[str, Any]:
    base_url = current_app.config["BASE_URL"].rstrip("/")
    recent = _public_messages(ticket, QUOTED_MESSAGES + 1)
    quoted = [m for m in recent if message is None or m.id < message.id][:QUOTED_MESSAGES]
    actor = db.session.get(User, event.actor_user_id) if event.actor_user_id else None
    return {
        **service.brand_context(ticket.organization_id, settings),
        "ticket": {
            "number": ticket.number,
            "subject": ticket.subject,
            "status": ticket.status.label,
            "priority": ticket.priority.label,
            "url": f"{base_url}/tickets/{ticket.number}",
        },
        "customer": service.customer_context(customer),
        "recipient_name": recipient_name,
        "actor_name": actor.name if actor else "",
        "message": _message_view(message) if message else None,
        "quoted": [_message_view(m) for m in quoted],
        "to_customer": notification.to_customer,
        "assignment": _assignment_view(event, ticket),
        "sender_verified": True,
    }


def _assignment_view(event: TicketEvent, ticket: Ticket) -> dict[str, str]:
    """The ticket's team and the rule that assigned it (empty when a person did)."""
    data = event.data or {}
    team = db.session.get(Team, ticket.team_id) if ticket.team_id else None
    rule = rule_label(data.get("rule"))
    if data.get("rule_name"):
        rule = f"escalation rule “{data['rule_name']}”"
    return {"team": team.name if team else "", "rule": rule}
