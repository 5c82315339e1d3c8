"""Notification writes: the subscriber that adds one row per recipient agent, and marking read.

Who hears of what is the mail rules table (supportdesk.mail.rules.RULES): every rule with a
notification `kind` is also an in-app notification, to the same recipients, skipping the actor,
for the agents who want that kind in the console (notifications.preferences). SLA warnings, which
mail nobody, are the one trigger added here. The subscriber does no I/O: it adds rows, which are
committed with the change they report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from supportdesk.accounts.models import User
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.errors import NotFound
from supportdesk.exports.service import ExportFinished
from supportdesk.extensions import db
from supportdesk.mail import rules
from supportdesk.mail.outbound import recipients
from supportdesk.mail.outbound.recipients import Recipient
from supportdesk.notifications import preferences
from supportdesk.notifications.models import AgentNotification, Channel, NotificationKind
from supportdesk.sla.service import SlaBreached, SlaWarning
from supportdesk.tickets.domain_events import MessageCreated
from supportdesk.tickets.models import Ticket

TEXT_LENGTH = 500
SNIPPET = 140
TARGETS = {"first_response": "first response", "resolution": "resolution"}


@dataclass(frozen=True)
class Trigger:
    """When an `event` passes `when`, notify each of `to(event)` of `kind`."""

    event: type
    when: Callable[[Any], bool]
    kind: NotificationKind
    to: Callable[[Any], list[Recipient]]


def _always(event: Any) -> bool:
    return True


TRIGGERS: tuple[Trigger, ...] = (
    *(
        Trigger(r.event, r.when, r.kind, r.to)
        for r in rules.RULES
        if r.kind is not None and r.event is not ExportFinished
    ),
    Trigger(SlaWarning, _always, NotificationKind.SLA_WARNING, recipients.breach_watchers),
    # In the console always (the mail rule writes only to an agent who is away).
    Trigger(ExportFinished, _always, NotificationKind.EXPORT_FINISHED, recipients.requester),
)


def on_events(events: list[Any]) -> None:
    """The subscriber (supportdesk.events): add the notifications the transaction's events call for."""
    for event in events:
        if getattr(event, "data", None) and event.data.get("suppress_notifications") is True:
            continue
        for trigger in TRIGGERS:
            if isinstance(event, trigger.event) and trigger.when(event):
                _notify(trigger.kind, event, trigger.to(event))


def _notify(kind: NotificationKind, event: Any, people: list[Recipient]) -> None:
    actor = rules.actor_of(event)
    ids = [p.user_id for p in people if p.user_id is not None and p.user_id != actor]
    wanting = preferences.wanting(ids, kind, Channel.IN_APP)
    if not wanting:
        return
    ticket_id = getattr(event, "ticket_id", None)
    ticket = db.session.get(Ticket, ticket_id) if ticket_id is not None else None
    text = describe(kind, event, ticket)[:TEXT_LENGTH]
    for user_id in dict.fromkeys(i for i in ids if i in wanting):
        db.session.add(
            AgentNotification(
                organization_id=event.organization_id,
                user_id=user_id,
                kind=kind,
                ticket_id=ticket_id,
                export_id=getattr(event, "export_id", None),
                actor_user_id=actor,
                text=text,
            )
        )


def _quoted(text: str, length: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


def describe(kind: NotificationKind, event: Any, ticket: Ticket | None) -> str:
    """The one line the bell's list shows (plain text; templates escape it)."""
    if kind is NotificationKind.EXPORT_FINISHED:
        return event.sentence
    actor_id = rules.actor_of(event)
    actor = db.session.get(User, actor_id) if actor_id else None
    subject = f"#{ticket.number} “{_quoted(ticket.subject, 120)}”"
    if kind is NotificationKind.ASSIGNED:
        return (
            f"{actor.name} assigned {subject} to you" if actor else f"{subject} was assigned to you"
        )
    if kind is NotificationKind.CUSTOMER_REPLIED:
        customer = db.session.get(Customer, ticket.customer_id)
        return f"{customer.display_name} replied on {subject}"
    if kind is NotificationKind.MENTIONED:
        note = event.message if isinstance(event, MessageCreated) else None
        said = f": “{_quoted(note.body_text, SNIPPET)}”" if note else ""
        return f"{actor.name if actor else 'Someone'} mentioned you on {subject}{said}"
    target = TARGETS.get(getattr(event, "clock", ""), "SLA")
    if kind is NotificationKind.SLA_WARNING:
        return f"{subject} is close to missing its {target} target"
    if isinstance(event, SlaBreached):
        return f"{subject} missed its {target} target"
    raise ValueError(f"No text for {kind}")


def _own(agent: User, notification_id: int) -> AgentNotification:
    row = db.session.scalar(
        sa.select(AgentNotification)
        .where(
            AgentNotification.id == notification_id,
            AgentNotification.user_id == agent.id,
            AgentNotification.organization_id == agent.organization_id,
        )
        .options(joinedload(AgentNotification.ticket), joinedload(AgentNotification.export))
    )
    if row is None:
        raise NotFound("That notification does not exist.")
    return row


def mark_read(agent: User, notification_id: int) -> AgentNotification:
    """Mark one of the agent's own notifications read (another agent's is a 404). Flushes."""
    row = _own(agent, notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.flush()
    return row


def mark_all_read(agent: User) -> int:
    """Mark every unread notification of the agent read; returns how many were unread."""
    result = db.session.execute(
        sa.update(AgentNotification)
        .where(
            AgentNotification.user_id == agent.id,
            AgentNotification.organization_id == agent.organization_id,
            AgentNotification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
