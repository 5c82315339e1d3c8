"""Which event mails whom, with which template: the one table of automatic mail.

Domains never compose mail. They record an event (`supportdesk.events.record`): tickets their
TicketEvents, the SLA sweep an SlaBreached, webhooks an EndpointDisabled, a support address a
VerificationRequested. Just before the COMMIT, `on_events` reads every event against RULES, top
to bottom; each rule that matches names the recipients and the template, and one email per
recipient is queued in the same transaction (mail.outbound.letters writes it,
mail.outbound.service queues it), so mail exists exactly when the change does.

Rules that hold for every row:
- an event whose data says `suppress_notifications` (auto-replies, bounces) mails nobody;
- nobody is told about their own action (a recipient who is the event's actor is skipped);
- a template the organization switched off (NotificationSettings) is not sent;
- automatic mail is capped per address, and never goes to an address of ours (service.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from supportdesk.mail.identity.verification import EMAIL_KIND, VerificationRequested
from supportdesk.mail.outbound import letters, recipients, service
from supportdesk.mail.outbound.models import Notification
from supportdesk.mail.outbound.recipients import Recipient
from supportdesk.sla.service import SlaBreached
from supportdesk.tickets.models import EventKind, TicketEvent
from supportdesk.webhooks.service import EndpointDisabled


@dataclass(frozen=True)
class Rule:
    """When an `event` passes `when`, mail `template` to each of `to(event)`."""

    event: type
    when: Callable[[Any], bool]
    template: Notification | str
    to: Callable[[Any], list[Recipient]]


def _created(event: TicketEvent) -> bool:
    return event.kind is EventKind.CREATED


def _replied(event: TicketEvent) -> bool:
    return event.kind is EventKind.REPLIED


def _customer_replied(event: TicketEvent) -> bool:
    return event.kind is EventKind.CUSTOMER_REPLIED


def _acknowledged(event: TicketEvent) -> bool:
    """A new ticket, unless it came by mail from a sender whose domain failed DMARC (forged)."""
    return event.kind is EventKind.CREATED and (event.data or {}).get("dmarc") != "fail"


def _resolved(event: TicketEvent) -> bool:
    return event.kind is EventKind.STATUS and (event.data or {}).get("new") == "resolved"


def _assigned(event: TicketEvent) -> bool:
    return event.kind is EventKind.ASSIGNEE and bool((event.data or {}).get("new"))


def _always(event: Any) -> bool:
    return True


RULES: tuple[Rule, ...] = (
    Rule(TicketEvent, _acknowledged, Notification.TICKET_ACKNOWLEDGED, recipients.customer),
    # A ticket opened with an assignee records no separate assignment event.
    Rule(TicketEvent, _created, Notification.TICKET_ASSIGNED, recipients.assignee),
    Rule(TicketEvent, _replied, Notification.AGENT_REPLIED, recipients.customer),
    Rule(TicketEvent, _resolved, Notification.TICKET_RESOLVED, recipients.customer),
    Rule(TicketEvent, _assigned, Notification.TICKET_ASSIGNED, recipients.new_assignee),
    Rule(TicketEvent, _customer_replied, Notification.CUSTOMER_REPLIED, recipients.assignee),
    Rule(SlaBreached, _always, Notification.SLA_BREACHED, recipients.breach_watchers),
    Rule(EndpointDisabled, _always, Notification.WEBHOOK_DISABLED, recipients.admins),
    Rule(VerificationRequested, _always, EMAIL_KIND, recipients.the_address),
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
    for recipient in _not_the_actor(rule.to(event), getattr(event, "actor_user_id", None)):
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
        )


def _switched_on(event: Any, template: Notification) -> bool:
    return service.settings_for(event.organization_id).enabled(template)


def _not_the_actor(people: list[Recipient], actor_id: int | None) -> list[Recipient]:
    """Everyone but the agent who caused the event (customers carry no user id)."""
    return [p for p in people if p.user_id is None or p.user_id != actor_id]
