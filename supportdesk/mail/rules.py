"""Which event mails whom, with which template: the one table of automatic mail.

Domains never compose mail. They record an event (`supportdesk.events.record`): tickets their
TicketEvents, the SLA sweep an SlaBreached, webhooks an EndpointDisabled, the CRM sync a
ConnectionBroken, a support address a VerificationRequested, the report summaries a SummaryDue.
Just before the COMMIT, `on_events` reads every event against RULES, top
to bottom; each rule that matches names the recipients and the template, and one email per
recipient is queued in the same transaction (mail.outbound.letters writes it,
mail.outbound.service queues it), so mail exists exactly when the change does.

Rules that hold for every row:
- an event whose data says `suppress_notifications` (auto-replies, bounces) mails nobody;
- nobody is told about their own action (a recipient who is the event's actor is skipped);
- a template the organization switched off (NotificationSettings) is not sent;
- an agent's email about a rule of a notification `kind` is sent only when that agent wants that
  kind by email (supportdesk.notifications.preferences); the in-app notifications follow this same
  table (supportdesk.notifications.service), so who hears of what is decided here once;
- automatic mail is capped per address, and never goes to an address of ours (service.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from supportdesk.accounts.invitations import InvitationSent
from supportdesk.accounts.resets import PasswordResetSent
from supportdesk.crm.service import ConnectionBroken
from supportdesk.exports.service import ExportFinished
from supportdesk.mail.identity.verification import EMAIL_KIND, VerificationRequested
from supportdesk.mail.outbound import letters, recipients, service
from supportdesk.mail.outbound.models import (
    AGENT_INVITATION,
    EXPORT_FINISHED,
    PASSWORD_RESET,
    PORTAL_SIGN_IN,
    REPORT_SUMMARY,
    SATISFACTION_SURVEY,
    Notification,
)
from supportdesk.mail.outbound.recipients import Recipient
from supportdesk.notifications import preferences
from supportdesk.notifications.models import Channel, NotificationKind
from supportdesk.reports.digest import SummaryDue
from supportdesk.satisfaction.service import SurveyDue
from supportdesk.selfservice.service import PortalLinkSent
from supportdesk.sla.service import SlaBreached
from supportdesk.tickets.domain_events import MessageCreated
from supportdesk.tickets.models import EventKind, MessageKind, TicketEvent
from supportdesk.webhooks.service import EndpointDisabled


@dataclass(frozen=True)
class Rule:
    """When an `event` passes `when`, mail `template` to each of `to(event)`.

    `kind`: the agent notification it is (each agent's preference applies; None for mail to
    customers, admins' alerts and address checks).
    """

    event: type
    when: Callable[[Any], bool]
    template: Notification | str
    to: Callable[[Any], list[Recipient]]
    kind: NotificationKind | None = None


def _created(event: TicketEvent) -> bool:
    return event.kind is EventKind.CREATED


def _replied(event: TicketEvent) -> bool:
    return event.kind is EventKind.REPLIED


def _customer_replied(event: TicketEvent) -> bool:
    return event.kind is EventKind.CUSTOMER_REPLIED


def _acknowledged(event: TicketEvent) -> bool:
    """A new ticket, unless it came by mail from a sender whose domain failed DMARC (forged), or
    an agent split it off an existing conversation (the customer did not write anew)."""
    data = event.data or {}
    return (
        event.kind is EventKind.CREATED and data.get("dmarc") != "fail" and "split_from" not in data
    )


def _resolved(event: TicketEvent) -> bool:
    return event.kind is EventKind.STATUS and (event.data or {}).get("new") == "resolved"


def _assigned(event: TicketEvent) -> bool:
    return event.kind is EventKind.ASSIGNEE and bool((event.data or {}).get("new"))


def _note(event: MessageCreated) -> bool:
    return event.message.kind is MessageKind.INTERNAL


def _always(event: Any) -> bool:
    return True


ASSIGNED, REPLIED, MENTIONED = (
    NotificationKind.ASSIGNED,
    NotificationKind.CUSTOMER_REPLIED,
    NotificationKind.MENTIONED,
)

RULES: tuple[Rule, ...] = (
    Rule(TicketEvent, _acknowledged, Notification.TICKET_ACKNOWLEDGED, recipients.customer),
    # A ticket opened with an assignee records no separate assignment event.
    Rule(TicketEvent, _created, Notification.TICKET_ASSIGNED, recipients.assignee, ASSIGNED),
    Rule(TicketEvent, _replied, Notification.AGENT_REPLIED, recipients.customer),
    Rule(TicketEvent, _resolved, Notification.TICKET_RESOLVED, recipients.customer),
    Rule(TicketEvent, _assigned, Notification.TICKET_ASSIGNED, recipients.new_assignee, ASSIGNED),
    Rule(
        TicketEvent, _customer_replied, Notification.CUSTOMER_REPLIED, recipients.assignee, REPLIED
    ),
    Rule(MessageCreated, _note, Notification.MENTIONED, recipients.mentioned, MENTIONED),
    Rule(
        SlaBreached,
        _always,
        Notification.SLA_BREACHED,
        recipients.breach_watchers,
        NotificationKind.SLA_BREACHED,
    ),
    Rule(EndpointDisabled, _always, Notification.WEBHOOK_DISABLED, recipients.admins),
    Rule(ConnectionBroken, _always, Notification.CRM_CONNECTION_BROKEN, recipients.admins),
    Rule(VerificationRequested, _always, EMAIL_KIND, recipients.the_address),
    Rule(InvitationSent, _always, AGENT_INVITATION, recipients.invitee),
    Rule(PasswordResetSent, _always, PASSWORD_RESET, recipients.the_agent),
    Rule(PortalLinkSent, _always, PORTAL_SIGN_IN, recipients.the_customer),
    Rule(SurveyDue, _always, SATISFACTION_SURVEY, recipients.ticket_customer),
    Rule(
        ExportFinished,
        _always,
        EXPORT_FINISHED,
        recipients.requester_if_away,
        NotificationKind.EXPORT_FINISHED,
    ),
    Rule(SummaryDue, _always, REPORT_SUMMARY, recipients.subscriber),
)


def matching(event: Any) -> list[Rule]:
    """The rules `event` triggers, in table order (none for a suppressed event)."""
    if isinstance(event, TicketEvent) and (event.data or {}).get("suppress_notifications") is True:
        return []
    return [rule for rule in RULES if isinstance(event, rule.event) and rule.when(event)]


def on_events(events: list[Any]) -> None:
    """The subscriber (supportdesk.events): queue the emails the transaction's events call for."""
    for event in events:
        for rule in matching(event):
            _send(rule, event)


def _send(rule: Rule, event: Any) -> None:
    template = rule.template
    if isinstance(template, Notification) and not _switched_on(event, template):
        return
    for recipient in _wanting(rule, _not_the_actor(rule.to(event), actor_of(event))):
        letter = letters.write(event, template, recipient)
        service.queue_email(
            template,
            organization_id=event.organization_id,
            ticket_id=letter.ticket_id,
            message_id=letter.message_id,
            to_address=recipient.address,
            to_name=recipient.name,
            reply_to=recipient.reply_to,
            cc=recipient.cc,
            context=letter.context,
            language=recipient.language,
        )


def _switched_on(event: Any, template: Notification) -> bool:
    return service.settings_for(event.organization_id).enabled(template)


def actor_of(event: Any) -> int | None:
    """The agent who caused the event (None: a customer, the system)."""
    return getattr(event, "actor_user_id", None)


def _not_the_actor(people: list[Recipient], actor_id: int | None) -> list[Recipient]:
    """Everyone but the agent who caused the event (customers carry no user id)."""
    return [p for p in people if p.user_id is None or p.user_id != actor_id]


def _wanting(rule: Rule, people: list[Recipient]) -> list[Recipient]:
    """The agents among `people` who want this kind by email (everyone, for a rule of no kind)."""
    if rule.kind is None:
        return people
    agents = [p.user_id for p in people if p.user_id is not None]
    keep = preferences.wanting(agents, rule.kind, Channel.EMAIL)
    return [p for p in people if p.user_id is None or p.user_id in keep]
