"""What each change to a ticket writes: its columns, its message and its history entries.

The only copy of these rules. The service applies them to an ORM ticket, one request at a time;
the bulk loaders apply them to in-memory drafts (supportdesk.tickets.bulk) and insert the rows in
batches. Each rule is a pure function of the ticket's current values, the actor and the time: it
sets the columns the change moves and returns the message and history entries to append. The
caller adds what the database decides (ids, the ticket's version) and checks permissions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from supportdesk.tickets.errors import InvalidTransition
from supportdesk.tickets.models import Channel, EventKind, MessageKind, Priority, Status
from supportdesk.tickets.transitions import can_move

# History keeps values readable, not whole documents (TicketEvent.old_value / new_value).
VALUE_LENGTH = 500


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an agent (user_id), the customer (customer_id), or the system (neither)."""

    user_id: int | None = None
    customer_id: int | None = None


SYSTEM = Actor()


class Named(Protocol):
    """An agent or a team as history names it: its id for machines, its name for people."""

    id: int
    name: str


class Lifecycle(Protocol):
    """The ticket columns these rules read and write (an ORM Ticket or a bulk draft)."""

    subject: str
    status: Status
    priority: Priority
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None


@dataclass(frozen=True)
class Entry:
    """One history entry to append: TicketEvent's columns, less the ids and the ticket version."""

    kind: EventKind
    at: dt.datetime
    actor: Actor = SYSTEM
    old: str | None = None
    new: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def columns(self) -> dict[str, Any]:
        """The entry as TicketEvent column values."""
        return {
            "kind": self.kind,
            "actor_user_id": self.actor.user_id,
            "actor_customer_id": self.actor.customer_id,
            "old_value": self.old[:VALUE_LENGTH] if self.old else self.old,
            "new_value": self.new[:VALUE_LENGTH] if self.new else self.new,
            "data": self.data,
            "created_at": self.at,
        }


def message(
    kind: MessageKind,
    author: Actor,
    body: str,
    at: dt.datetime,
    *,
    message_id: str | None = None,
    in_reply_to: str | None = None,
) -> dict[str, Any]:
    """The Message column values of one entry of the conversation (ticket and ids aside)."""
    return {
        "kind": kind,
        "author_user_id": author.user_id,
        "author_customer_id": author.customer_id,
        "body_text": body,
        "body_html": "",
        "email_message_id": message_id,
        "in_reply_to": in_reply_to,
        "created_at": at,
    }


def _changed(ticket: Lifecycle, entry: Entry) -> Entry:
    # Every change that leaves a history entry moves updated_at (and so the ticket's version).
    ticket.updated_at = entry.at
    return entry


# -- opening and the conversation ----------------------------------------------------------


def opened(
    *,
    subject: str,
    body: str,
    customer: Actor,
    priority: Priority,
    channel: Channel,
    actor: Actor | None,
    at: dt.datetime,
    event_data: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], Entry]:
    """A new ticket's own columns (people and tags aside), its first message and creation entry.

    The first message is the customer's request. `actor` is the agent who logged it, or None when
    the customer wrote in themselves. The creation entry is made against version 0: the ticket
    row does not exist yet.
    """
    columns = {
        "subject": subject,
        "status": Status.OPEN,
        "priority": priority,
        "channel": channel,
        "created_at": at,
        "updated_at": at,
        "first_response_at": None,
        "resolved_at": None,
        "closed_at": None,
    }
    data = {**(event_data or {}), "channel": channel.value, "priority": priority.value}
    created = Entry(EventKind.CREATED, at, actor or customer, new=subject, data=data)
    return columns, message(MessageKind.PUBLIC, customer, body, at), created


def replied(
    ticket: Lifecycle, author: Actor, body: str, at: dt.datetime, *, cc: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[Entry]]:
    """An agent's public reply: the first one is the ticket's first response. The entry names
    the copied addresses (`cc`): the reply's email goes to them too (mail.outbound.recipients)."""
    if ticket.first_response_at is None:
        ticket.first_response_at = at
    data: dict[str, Any] = {"length": len(body), **({"cc": list(cc)} if cc else {})}
    entry = Entry(EventKind.REPLIED, at, author, data=data)
    return message(MessageKind.PUBLIC, author, body, at), [_changed(ticket, entry)]


def noted(
    ticket: Lifecycle, author: Actor, body: str, at: dt.datetime
) -> tuple[dict[str, Any], list[Entry]]:
    """An internal note (agents only)."""
    entry = Entry(EventKind.NOTED, at, author)
    return message(MessageKind.INTERNAL, author, body, at), [_changed(ticket, entry)]


def customer_replied(
    ticket: Lifecycle,
    customer: Actor,
    body: str,
    at: dt.datetime,
    *,
    message_id: str | None = None,
    in_reply_to: str | None = None,
) -> tuple[dict[str, Any], list[Entry]]:
    """The customer's reply: a resolved ticket reopens and a pending one goes back to open."""
    written = message(
        MessageKind.PUBLIC, customer, body, at, message_id=message_id, in_reply_to=in_reply_to
    )
    entries = [_changed(ticket, Entry(EventKind.CUSTOMER_REPLIED, at, customer))]
    if ticket.status in (Status.RESOLVED, Status.PENDING):
        entries += status_set(ticket, Status.OPEN, customer, at)
    return written, entries


# -- properties ----------------------------------------------------------------------------


def status_set(ticket: Lifecycle, target: Status, actor: Actor, at: dt.datetime) -> list[Entry]:
    """Move to `target` as it is (the caller checked the move): what resolving or closing stamps."""
    old = ticket.status
    ticket.status = target
    if target is Status.RESOLVED:
        ticket.resolved_at = at
    elif target is Status.CLOSED:
        ticket.closed_at = at
        ticket.resolved_at = ticket.resolved_at or at
    else:
        ticket.resolved_at = None
        ticket.closed_at = None
    data = {"old": old.value, "new": target.value}
    entry = Entry(EventKind.STATUS, at, actor, old.label, target.label, data)
    return [_changed(ticket, entry)]


def status_changed(ticket: Lifecycle, target: Status, actor: Actor, at: dt.datetime) -> list[Entry]:
    """Move along the transition table; no entry when the status stays."""
    if target is ticket.status:
        return []
    if not can_move(ticket.status, target):
        raise InvalidTransition(ticket.status, target)
    return status_set(ticket, target, actor, at)


def priority_changed(
    ticket: Lifecycle, priority: Priority, actor: Actor, at: dt.datetime, *, rule: str | None = None
) -> list[Entry]:
    """Set the priority; `rule` names the escalation rule that raised it. No entry if unchanged."""
    old = ticket.priority
    if priority is old:
        return []
    ticket.priority = priority
    data: dict[str, Any] = {"old": old.value, "new": priority.value}
    if rule:
        data["rule_name"] = rule
    entry = Entry(EventKind.PRIORITY, at, actor, old.label, priority.label, data)
    return [_changed(ticket, entry)]


def _person_changed(
    kind: EventKind, ticket: Lifecycle, old: Named | None, new: Named | None, actor: Actor,
    at: dt.datetime, extra: dict[str, Any],
) -> Entry:  # fmt: skip
    data = {"old": old.id if old else None, "new": new.id if new else None, **extra}
    entry = Entry(kind, at, actor, old.name if old else None, new.name if new else None, data)
    return _changed(ticket, entry)


def assignee_changed(
    ticket: Lifecycle, old: Named | None, new: Named | None, actor: Actor, at: dt.datetime,
    **extra: Any,
) -> Entry:  # fmt: skip
    """The entry of a new assignee (the caller sets it); `extra` says why the system chose them."""
    return _person_changed(EventKind.ASSIGNEE, ticket, old, new, actor, at, extra)


def team_changed(
    ticket: Lifecycle, old: Named | None, new: Named | None, actor: Actor, at: dt.datetime
) -> Entry:
    """The entry of a new team (the caller sets it)."""
    return _person_changed(EventKind.TEAM, ticket, old, new, actor, at, {})


def subject_changed(ticket: Lifecycle, subject: str, actor: Actor, at: dt.datetime) -> list[Entry]:
    """Set a (clean) subject; no entry if unchanged."""
    if subject == ticket.subject:
        return []
    entry = Entry(EventKind.SUBJECT, at, actor, ticket.subject, subject)
    ticket.subject = subject
    return [_changed(ticket, entry)]


def tags_changed(
    ticket: Lifecycle, current: list[str], wanted: list[str], actor: Actor, at: dt.datetime
) -> list[Entry]:
    """The entry of replacing the sorted tags `current` by `wanted` (the caller swaps the rows)."""
    if wanted == current:
        return []
    data = {"old": current, "new": wanted}
    entry = Entry(EventKind.TAGS, at, actor, ", ".join(current) or None, ", ".join(wanted) or None, data)  # fmt: skip
    return [_changed(ticket, entry)]


def custom_field_changed(
    ticket: Lifecycle, key: str, shown: tuple[str, str], values: tuple[Any, Any], actor: Actor,
    at: dt.datetime,
) -> Entry:  # fmt: skip
    """The entry of one custom field's new value (the caller stores it): `shown` old and new as
    people read them, `values` as stored (None: no value)."""
    data = {"field": key, "old": values[0], "new": values[1]}
    entry = Entry(EventKind.CUSTOM_FIELD, at, actor, shown[0] or None, shown[1] or None, data)
    return _changed(ticket, entry)


def escalated(ticket: Lifecycle, rule: str, data: dict[str, Any], at: dt.datetime) -> Entry:
    """The entry of an escalation rule that fired, and what it did."""
    return _changed(ticket, Entry(EventKind.ESCALATED, at, SYSTEM, new=rule, data=data))


def linked(
    ticket: Lifecycle, kind: EventKind, other: int, actor: Actor, at: dt.datetime,
    data: dict[str, Any],
) -> Entry:  # fmt: skip
    """The entry of a merge or split that ties this ticket to ticket number `other`."""
    return _changed(ticket, Entry(kind, at, actor, None, f"#{other}", data))


def macro_applied(
    ticket: Lifecycle, name: str, actor: Actor, at: dt.datetime, data: dict[str, Any]
) -> Entry:
    """The entry heading a macro's changes in the history (they carry the same `data["macro"]`)."""
    return _changed(ticket, Entry(EventKind.MACRO, at, actor, new=name, data=data))


def rated(
    ticket: Lifecycle, customer: Actor, rating: str, label: str, at: dt.datetime,
    data: dict[str, Any],
) -> Entry:  # fmt: skip
    """The customer rated the resolution (or added a comment to their rating). The ticket's
    fields stay as they are: a rating is about the ticket, not a change to it."""
    return Entry(EventKind.RATED, at, customer, None, label, {"rating": rating, **data})
