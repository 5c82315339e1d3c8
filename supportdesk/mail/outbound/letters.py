"""What each automatic email says: the template context for one event and one recipient.

One ticket context (`ticket_context`) and one date format (supportdesk.localtime's
`organization_time`, in the organization's zone) serve every email about a ticket. The context
carries the event's own data where it has it (an SLA breach's due time, a disabled endpoint's
reason) instead of reloading rows.

Acknowledgements of mail are not a relay for whoever forged the sender: a ticket opened by mail
without a DMARC pass gets mail that carries no text the sender chose (no body, no name), so it
cannot carry spam to a stranger (mail.rules sends none at all on a DMARC fail).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from supportdesk import markdown
from supportdesk.accounts.invitations import InvitationSent
from supportdesk.accounts.models import Organization, Team, User
from supportdesk.accounts.resets import PasswordResetSent
from supportdesk.assignment.rules import rule_label
from supportdesk.attachments.queries import for_messages
from supportdesk.crm.service import ConnectionBroken
from supportdesk.customers.models import Customer
from supportdesk.exports.service import ExportFinished, failure_cause
from supportdesk.extensions import db
from supportdesk.i18n import format_number
from supportdesk.kb.hosts import public_url
from supportdesk.localtime import organization_time
from supportdesk.mail.identity.support_addresses import default_address_for
from supportdesk.mail.identity.verification import VerificationRequested
from supportdesk.mail.outbound.compose import external_url
from supportdesk.mail.outbound.models import Notification, NotificationSettings
from supportdesk.mail.outbound.recipients import Recipient, sender_verified
from supportdesk.mail.outbound.service import sender_name, settings_for
from supportdesk.reports import digest
from supportdesk.satisfaction import service as satisfaction
from supportdesk.selfservice.service import PortalLinkSent
from supportdesk.sla.service import SlaBreached
from supportdesk.tickets.domain_events import MessageCreated
from supportdesk.tickets.models import EventKind, Message, MessageKind, Ticket, TicketEvent
from supportdesk.webhooks.service import EndpointDisabled

QUOTED_MESSAGES = 3
SLA_TARGETS = {"first_response": "first response", "resolution": "resolution"}


@dataclass(frozen=True)
class Letter:
    """One email's template context, and the ticket and message it is about (for threading)."""

    context: dict[str, Any]
    ticket_id: int | None = None
    message_id: int | None = None


def write(event: Any, template: Notification | str, recipient: Recipient) -> Letter:
    """The letter `template` sends to `recipient` about `event`."""
    settings = settings_for(event.organization_id)
    brand = brand_context(event.organization_id, settings)
    if isinstance(event, TicketEvent):
        letter = _ticket_letter(event, template, recipient)
    elif isinstance(event, MessageCreated):
        letter = _mention_letter(event, recipient)
    elif isinstance(event, SlaBreached):
        letter = _breach_letter(event, recipient)
    elif isinstance(event, EndpointDisabled):
        letter = _endpoint_letter(event, recipient)
    elif isinstance(event, ConnectionBroken):
        letter = _crm_letter(event, recipient)
    elif isinstance(event, VerificationRequested):
        letter = _verification_letter(event)
    elif isinstance(event, InvitationSent):
        letter = _invitation_letter(event)
    elif isinstance(event, PasswordResetSent):
        letter = _reset_letter(event, recipient)
    elif isinstance(event, PortalLinkSent):
        letter = _portal_link_letter(event, recipient)
    elif isinstance(event, satisfaction.SurveyDue):
        letter = _survey_letter(event, recipient)
    elif isinstance(event, ExportFinished):
        letter = _export_letter(event, recipient)
    elif isinstance(event, digest.SummaryDue):
        letter = Letter(digest.summary(event, recipient.language))
    else:
        raise TypeError(f"No letter for {type(event).__name__}")
    return Letter({**brand, **letter.context}, letter.ticket_id, letter.message_id)


def brand_context(organization_id: int, settings: NotificationSettings) -> dict[str, Any]:
    """`org_name` and `brand`: what every email template's header and footer show."""
    org = db.session.get(Organization, organization_id)
    return {
        "org_name": org.name,
        "brand": {
            "sender_name": sender_name(org, settings),
            "accent_color": settings.accent_color,
            "logo_url": settings.logo_url,
            "footer_text": settings.footer_text,
        },
    }


def ticket_context(ticket: Ticket) -> dict[str, Any]:
    """What every email about a ticket says of it (the one shape the templates read)."""
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status.label,
        "priority": ticket.priority.label,
        "url": external_url("console.ticket_show", number=ticket.number),
    }


def customer_context(customer: Customer) -> dict[str, str]:
    """What every template says about the customer; `address` shows the email only once."""
    address = f"{customer.name} <{customer.email}>" if customer.name else customer.email
    return {"name": customer.display_name, "email": customer.email, "address": address}


def _ticket_letter(
    event: TicketEvent, template: Notification | str, recipient: Recipient
) -> Letter:
    ticket = db.session.get(Ticket, event.ticket_id)
    customer = db.session.get(Customer, ticket.customer_id)
    # An assignment is about the ticket, not one message: quote the latest ones instead.
    message = None if template is Notification.TICKET_ASSIGNED else _event_message(event, ticket)
    recent = _public_messages(ticket, QUOTED_MESSAGES + 1)
    quoted = [m for m in recent if message is None or m.id < message.id][:QUOTED_MESSAGES]
    actor = db.session.get(User, event.actor_user_id) if event.actor_user_id else None
    verified = sender_verified(event)
    context = {
        "ticket": ticket_context(ticket),
        "customer": customer_context(customer),
        "recipient_name": recipient.name,
        "actor_name": actor.name if actor else "",
        "message": (
            _message_view(
                message, recipient.language, with_files=template is Notification.AGENT_REPLIED
            )
            if message and verified
            else None
        ),
        "quoted": [_message_view(m, recipient.language) for m in quoted],
        "to_customer": isinstance(template, Notification) and template.to_customer,
        "assignment": _assignment_view(event, ticket),
        "sender_verified": verified,
    }
    if template is Notification.TICKET_RESOLVED:
        # The survey due now rides in the resolution email (supportdesk.satisfaction).
        org = db.session.get(Organization, ticket.organization_id)
        context["survey"] = satisfaction.claim_for_resolution_mail(ticket, org)
    return Letter(context, ticket.id, message.id if message else None)


def _breach_letter(event: SlaBreached, recipient: Recipient) -> Letter:
    ticket = db.session.get(Ticket, event.ticket_id)
    customer = db.session.get(Customer, ticket.customer_id)
    team = db.session.get(Team, ticket.team_id) if ticket.team_id else None
    context = {
        "ticket": ticket_context(ticket),
        "customer": customer_context(customer),
        "sla": {
            "target": SLA_TARGETS[event.clock],
            "due": organization_time(
                ticket.organization_id, event.due_at, language=recipient.language
            ),
            "team": team.name if team else "",
        },
        "recipient_name": recipient.name,
        "to_assignee": recipient.user_id == ticket.assignee_id,
    }
    return Letter(context, ticket.id)


def _mention_letter(event: MessageCreated, recipient: Recipient) -> Letter:
    """An internal note that mentions the recipient: it goes to an agent, never to the customer."""
    note = event.message
    ticket = db.session.get(Ticket, note.ticket_id)
    customer = db.session.get(Customer, ticket.customer_id)
    context = {
        "ticket": ticket_context(ticket),
        "customer": customer_context(customer),
        "recipient_name": recipient.name,
        "actor_name": note.author_name,
        "note": _message_view(note, recipient.language),
    }
    return Letter(context, ticket.id)


def _endpoint_letter(event: EndpointDisabled, recipient: Recipient) -> Letter:
    endpoint = {
        "url": event.url,
        "description": event.description,
        "reason": event.reason,
        "disabled_at": organization_time(
            event.organization_id, event.disabled_at, language=recipient.language
        ),
        "page_url": external_url("admin.webhook_show", endpoint_id=event.endpoint_id),
    }
    return Letter({"endpoint": endpoint, "recipient_name": recipient.name})


def _crm_letter(event: ConnectionBroken, recipient: Recipient) -> Letter:
    crm = {
        "provider": event.provider,
        "reason": event.reason,
        "broken_at": organization_time(
            event.organization_id, event.broken_at, language=recipient.language
        ),
        "page_url": external_url("admin.crm_show"),
    }
    return Letter({"crm": crm, "recipient_name": recipient.name})


def _export_letter(event: ExportFinished, recipient: Recipient) -> Letter:
    export = {
        "kind": event.kind,  # the template names it in the recipient's language
        "id": event.export_id,
        "completed": event.completed,
        "rows": format_number(event.rows, recipient.language),
        "reason": None if event.completed else failure_cause(event.error),
        "finished": organization_time(
            event.organization_id, event.finished_at, language=recipient.language
        ),
        "url": external_url("console.export_show", export_id=event.export_id),
        "download_url": external_url("console.export_download", export_id=event.export_id),
    }
    return Letter({"export": export, "recipient_name": recipient.name})


def _verification_letter(event: VerificationRequested) -> Letter:
    org = db.session.get(Organization, event.organization_id)
    context = {"address": event.address, "code": event.code, "forward_to": default_address_for(org)}
    return Letter(context)


def _invitation_letter(event: InvitationSent) -> Letter:
    invitation = {
        "name": event.name,
        "role": event.role,
        "inviter": event.inviter,
        "url": external_url("auth.invitation_accept", secret=event.secret),
        "expires": organization_time(event.organization_id, event.expires_at),
    }
    return Letter({"invitation": invitation})


def _reset_letter(event: PasswordResetSent, recipient: Recipient) -> Letter:
    reset = {
        "name": event.name,
        "forced_by": event.forced_by,
        "url": external_url("auth.password_reset", secret=event.secret),
        "expires": organization_time(
            event.organization_id, event.expires_at, language=recipient.language
        ),
    }
    return Letter({"reset": reset})


def _portal_link_letter(event: PortalLinkSent, recipient: Recipient) -> Letter:
    org = db.session.get(Organization, event.organization_id)
    link = {
        "name": event.name or event.email,
        "url": public_url(org, "portal.sign_in_link", secret=event.secret),
        "expires": organization_time(
            event.organization_id, event.expires_at, language=recipient.language
        ),
    }
    return Letter({"link": link})


def _survey_letter(event: satisfaction.SurveyDue, recipient: Recipient) -> Letter:
    """A delayed survey: about the ticket, with the rating links."""
    ticket = db.session.get(Ticket, event.ticket_id)
    org = db.session.get(Organization, ticket.organization_id)
    survey = db.session.get(satisfaction.SatisfactionRating, event.survey_id)
    context = {
        "ticket": ticket_context(ticket),
        "recipient_name": recipient.name,
        "survey": satisfaction.survey_view(survey, org),
    }
    return Letter(context, ticket.id)


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


def _message_view(
    message: Message, language: str | None, *, with_files: bool = False
) -> dict[str, Any]:
    """A message as the templates show it: `body` is plain text; `html`, when it was written in
    Markdown, its sanitized rendering (supportdesk.markdown), shown as is by the HTML part;
    `with_files`: the files this email carries (the agent's reply: inline images by cid:, the
    others as attachments; build_mime adds them)."""
    rich = message.body_format == "markdown"
    view: dict[str, Any] = {
        "author": message.author_name,
        "body": markdown.to_text(message.body_text) if rich else message.body_text,
        "html": markdown.as_markup(message.body_html) if rich else None,
        "date": organization_time(message.organization_id, message.created_at, language=language),
    }
    if with_files:
        rows = for_messages(message.organization_id, [message.id]).get(message.id, [])
        kept = [a for a in rows if a.stored]
        view["images"] = [{"cid": a.content_id, "name": a.filename} for a in kept if a.inline]
        view["files"] = [{"name": a.filename, "size": a.size} for a in kept if not a.inline]
    return view


def _assignment_view(event: TicketEvent, ticket: Ticket) -> dict[str, str]:
    """The ticket's team and the rule that assigned it (empty when a person did)."""
    data = event.data or {}
    team = db.session.get(Team, ticket.team_id) if ticket.team_id else None
    rule = rule_label(data.get("rule"))
    if data.get("rule_name"):
        rule = f"escalation rule “{data['rule_name']}”"
    return {"team": team.name if team else "", "rule": rule}
