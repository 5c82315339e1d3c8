"""Webhook events built from a transaction's domain events: `{"type", "timestamp", "data"}`.

Ticket events carry a snapshot of the ticket as committed, with its `version`, so receivers can
order events and drop stale ones; SLA events (from the sweep) carry the same snapshot. Unknown
domain events are ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from supportdesk.customers.events import CustomerCreated
from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.localtime import utc_iso
from supportdesk.sla.models import TicketSla
from supportdesk.sla.service import SlaBreached, SlaWarning
from supportdesk.tickets.domain_events import MessageCreated, TicketDeleted
from supportdesk.tickets.models import EventKind, Message, Ticket, TicketEvent, TicketTag

# History kinds that change a field of the ticket, and the field name in `changes`.
_FIELDS = {
    EventKind.STATUS: "status",
    EventKind.PRIORITY: "priority",
    EventKind.ASSIGNEE: "assignee_id",
    EventKind.TEAM: "team_id",
    EventKind.SUBJECT: "subject",
    EventKind.TAGS: "tags",
}


@dataclass
class WebhookEvent:
    """One event to deliver to every endpoint of the organization that subscribed to its type."""

    organization_id: int
    type: str
    timestamp: dt.datetime
    data: dict[str, Any]

    def as_payload(self) -> dict[str, Any]:
        return {"type": self.type, "timestamp": iso(self.timestamp), "data": self.data}


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as receivers expect (None stays None)."""
    return None if value is None else utc_iso(value)


_SLA = (SlaBreached, SlaWarning)
_KNOWN = (TicketEvent, MessageCreated, CustomerCreated, TicketDeleted, *_SLA)


def organization_ids(items: list[Any]) -> set[int]:
    """The organizations the known domain events belong to."""
    return {_organization_id(item) for item in items if isinstance(item, _KNOWN)}


def build(items: list[Any], organization_ids: set[int] | None = None) -> list[WebhookEvent]:
    """The webhook events of one transaction, in order (only for `organization_ids` if given)."""
    relevant = [
        item
        for item in items
        if isinstance(item, _KNOWN)
        and (organization_ids is None or _organization_id(item) in organization_ids)
    ]
    if not relevant:
        return []
    tags = _tags({_ticket_id(item) for item in relevant} - {None})
    result: list[WebhookEvent] = []
    updates: dict[int, WebhookEvent] = {}
    assignments: dict[int, WebhookEvent] = {}
    for item in relevant:
        if isinstance(item, CustomerCreated):
            result.append(_customer_created(item.customer))
        elif isinstance(item, MessageCreated):
            result.append(_message_created(item.message, tags))
        elif isinstance(item, _SLA):
            result.append(_sla_event(item, tags))
        elif isinstance(item, TicketDeleted):
            result.append(_ticket_deleted(item))
        else:
            result.extend(_ticket_events(item, tags, updates, assignments))
    return result


def _organization_id(item: Any) -> int:
    if isinstance(item, CustomerCreated):
        return item.customer.organization_id
    if isinstance(item, MessageCreated):
        return item.message.organization_id
    if isinstance(item, TicketDeleted):
        return item.deletion.organization_id
    return item.organization_id


def _ticket_id(item: Any) -> int | None:
    if isinstance(item, MessageCreated):
        return item.message.ticket_id
    if isinstance(item, (TicketEvent, *_SLA)):
        return item.ticket_id
    return None


def _tags(ticket_ids: set[int]) -> dict[int, list[str]]:
    if not ticket_ids:
        return {}
    rows = db.session.execute(
        sa.select(TicketTag.ticket_id, TicketTag.name)
        .where(TicketTag.ticket_id.in_(ticket_ids))
        .order_by(TicketTag.name)
    )
    tags: dict[int, list[str]] = {ticket_id: [] for ticket_id in ticket_ids}
    for ticket_id, name in rows:
        tags[ticket_id].append(name)
    return tags


def ticket_data(ticket: Ticket, tags: list[str]) -> dict[str, Any]:
    """The ticket as receivers see it; `version` grows with every change."""
    return {
        "id": ticket.id,
        "number": ticket.number,
        "organization_id": ticket.organization_id,
        "version": ticket.version,
        "subject": ticket.subject,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "channel": ticket.channel.value,
        "customer_id": ticket.customer_id,
        "assignee_id": ticket.assignee_id,
        "team_id": ticket.team_id,
        "tags": tags,
        "custom_fields": dict(ticket.custom_fields or {}),
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "merged_into": _merged_into(ticket),
    }


def _merged_into(ticket: Ticket) -> int | None:
    """The number of the ticket this one was merged into (one lookup, merged tickets only)."""
    if ticket.merged_into_id is None:
        return None
    return db.session.scalar(sa.select(Ticket.number).where(Ticket.id == ticket.merged_into_id))


def _actor(event: TicketEvent) -> dict[str, Any]:
    if event.actor_user_id is not None:
        return {"type": "agent", "id": event.actor_user_id}
    if event.actor_customer_id is not None:
        return {"type": "customer", "id": event.actor_customer_id}
    return {"type": "system", "id": None}


def _change(event: TicketEvent) -> dict[str, Any]:
    if event.kind is EventKind.SUBJECT:
        return {"old": event.old_value, "new": event.new_value}
    return {"old": event.data.get("old"), "new": event.data.get("new")}


def _ticket_events(
    event: TicketEvent,
    tags: dict[int, list[str]],
    updates: dict[int, WebhookEvent],
    assignments: dict[int, WebhookEvent],
) -> list[WebhookEvent]:
    """ticket.created, or the field changes: one ticket.updated per ticket and transaction
    (several changes merged, first old and last new), plus the specific events."""
    ticket = db.session.get(Ticket, event.ticket_id)
    snapshot = ticket_data(ticket, tags.get(ticket.id, []))
    org = event.organization_id
    if event.kind is EventKind.CREATED:
        return [
            WebhookEvent(
                org,
                "ticket.created",
                event.created_at,
                {"ticket": snapshot, "actor": _actor(event)},
            )
        ]
    if event.kind in _LINKS:
        return [_linked(event, snapshot, tags)]
    if event.kind is EventKind.RATED:
        return [_rated(event, snapshot)]
    field = _FIELDS.get(event.kind)
    if event.kind is EventKind.CUSTOM_FIELD:
        field = f"custom_fields.{event.data.get('field')}"
    if field is None:
        return []  # replies and notes are reported as message.created
    out: list[WebhookEvent] = []
    change = _change(event)
    update = updates.get(ticket.id)
    if update is None:
        update = updates[ticket.id] = WebhookEvent(
            org,
            "ticket.updated",
            event.created_at,
            {"ticket": snapshot, "changes": {}, "actor": _actor(event)},
        )
        out.append(update)
    update.timestamp = event.created_at
    previous = update.data["changes"].get(field)
    update.data["changes"][field] = {
        "old": previous["old"] if previous else change["old"],
        "new": change["new"],
    }
    if event.kind is EventKind.STATUS:
        out.append(
            WebhookEvent(
                org,
                "ticket.status_changed",
                event.created_at,
                {
                    "ticket": snapshot,
                    "old_status": change["old"],
                    "new_status": change["new"],
                    "actor": _actor(event),
                },
            )
        )
    elif event.kind in (EventKind.ASSIGNEE, EventKind.TEAM):
        key = "assignee" if event.kind is EventKind.ASSIGNEE else "team"
        assigned = assignments.get(ticket.id)
        if assigned is None:
            assigned = assignments[ticket.id] = WebhookEvent(
                org,
                "ticket.assigned",
                event.created_at,
                {"ticket": snapshot, "actor": _actor(event)},
            )
            out.append(assigned)
        assigned.data[key] = {"old_id": change["old"], "new_id": change["new"]}
    return out


# History kinds of a merge or split, reported from the ticket that gave: its type and the key
# of the other ticket in `data`.
_LINKS = {
    EventKind.MERGED_INTO: ("ticket.merged", "merged_into"),
    EventKind.SPLIT_OFF: ("ticket.split", "new_ticket"),
}


def _linked(
    event: TicketEvent, snapshot: dict[str, Any], tags: dict[int, list[str]]
) -> WebhookEvent:
    """ticket.merged (the merged ticket and the survivor) or ticket.split (the ticket and the new
    one, with the id of the message that moved)."""
    type_, key = _LINKS[event.kind]
    other = db.session.get(Ticket, event.data.get("into_id") or event.data.get("to_id"))
    other_tags = tags.get(other.id)
    if other_tags is None:
        other_tags = _tags({other.id})[other.id]
    data = {"ticket": snapshot, key: ticket_data(other, other_tags), "actor": _actor(event)}
    if event.kind is EventKind.MERGED_INTO:
        data["messages_moved"] = event.data.get("messages", 0)
    else:
        data["message_id"] = event.data.get("message_id")
    return WebhookEvent(event.organization_id, type_, event.created_at, data)


def _rated(event: TicketEvent, snapshot: dict[str, Any]) -> WebhookEvent:
    """ticket.rated: the customer's rating, and their comment once they add one."""
    data = event.data or {}
    rating = {
        "survey_id": data.get("survey_id"),
        "rating": data.get("rating"),
        "comment": data.get("comment"),
    }
    body = {"ticket": snapshot, "rating": rating, "actor": _actor(event)}
    return WebhookEvent(event.organization_id, "ticket.rated", event.created_at, body)


def _message_created(message: Message, tags: dict[int, list[str]]) -> WebhookEvent:
    ticket = db.session.get(Ticket, message.ticket_id)
    if message.author_user_id is not None:
        author = {"type": "agent", "id": message.author_user_id}
    else:
        author = {"type": "customer", "id": message.author_customer_id}
    data = {
        "ticket": ticket_data(ticket, tags.get(ticket.id, [])),
        "message": {
            "id": message.id,
            "ticket_id": message.ticket_id,
            "kind": message.kind.value,
            "author": author,
            "body_text": message.body_text,
            "created_at": iso(message.created_at),
        },
    }
    return WebhookEvent(message.organization_id, "message.created", message.created_at, data)


def _ticket_deleted(item: TicketDeleted) -> WebhookEvent:
    """ticket.deleted: the ticket as it was when deleted (its rows are gone), who and why."""
    deletion = item.deletion
    data = {
        "ticket": ticket_data(item.ticket, list(item.tags)),
        "deleted_at": iso(deletion.deleted_at),
        "reason": deletion.reason,
        "actor": {"type": "agent", "id": deletion.deleted_by_user_id},
    }
    return WebhookEvent(deletion.organization_id, "ticket.deleted", deletion.deleted_at, data)


def _customer_created(customer: Customer) -> WebhookEvent:
    data = {
        "customer": {
            "id": customer.id,
            "organization_id": customer.organization_id,
            "email": customer.email,
            "name": customer.name,
            "tier": customer.tier.value,
            "company": customer.company,
            "created_at": iso(customer.created_at),
        }
    }
    return WebhookEvent(customer.organization_id, "customer.created", customer.created_at, data)


def _sla_event(item: SlaBreached | SlaWarning, tags: dict[int, list[str]]) -> WebhookEvent:
    """sla.breached / sla.warning: which target, when it was due, when the sweep saw it pass."""
    ticket = db.session.get(Ticket, item.ticket_id)
    row = db.session.get(TicketSla, item.ticket_id)
    breach = isinstance(item, SlaBreached)
    mark = f"{item.clock}_breached_at" if breach else f"{item.clock}_warned_at"
    at = getattr(row, mark)  # stamped by the sweep in this very transaction
    data = {
        "ticket": ticket_data(ticket, tags.get(ticket.id, [])),
        "clock": item.clock,
        "due_at": iso(item.due_at),
        "breached_at" if breach else "warned_at": iso(at),
        "assignee_id": item.assignee_id,
        "team_id": item.team_id,
    }
    return WebhookEvent(item.organization_id, item.type, at, data)
