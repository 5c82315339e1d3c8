"""Ticket writes. Each function validates, changes rows and appends history; it flushes, never commits.

Callers (views, API, inbound mail, CLI) commit once. The acting agent and the organization are
explicit arguments; nothing here reads the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from supportdesk import events
from supportdesk.accounts.models import Organization, Role, Team, User
from supportdesk.accounts.permissions import require
from supportdesk.customers import service as customers
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, UnknownReference, ValidationFailed
from supportdesk.extensions import db
from supportdesk.tickets.deletions import MAX_REASON, TicketDeletion
from supportdesk.tickets.domain_events import MessageCreated, TicketDeleted
from supportdesk.tickets.errors import InvalidTransition, StaleTicket
from supportdesk.tickets.models import (
    Channel,
    EventKind,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketTag,
)
from supportdesk.tickets.tags import parse_tags
from supportdesk.tickets.transitions import can_move

MAX_SUBJECT = 300
MAX_BODY = 100_000


# -- validation helpers ---------------------------------------------------------------------


def _clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationFailed("A subject is required.", {"subject": "Enter a subject."})
    if len(subject) > MAX_SUBJECT:
        raise ValidationFailed(
            "The subject is too long.", {"subject": f"Use at most {MAX_SUBJECT} characters."}
        )
    return subject


def _clean_body(body: str, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("The message is empty.", {field: "Write something first."})
    if len(body) > MAX_BODY:
        raise ValidationFailed(
            "The message is too long.", {field: f"Use at most {MAX_BODY:,} characters."}
        )
    return body


def _assignable_agent(organization_id: int, user_id: int) -> User:
    agent = db.session.scalar(
        sa.select(User).where(User.organization_id == organization_id, User.id == user_id)
    )
    if agent is None:
        raise UnknownReference(
            "There is no such agent in your organization.", {"assignee": "Choose an active agent."}
        )
    if not agent.active or agent.role is Role.VIEWER:
        raise Conflict(
            "Tickets can only be assigned to active agents of your organization.",
            {"assignee": "Choose an active agent."},
        )
    return agent


def _team(organization_id: int, team_id: int) -> Team:
    team = db.session.scalar(
        sa.select(Team).where(Team.organization_id == organization_id, Team.id == team_id)
    )
    if team is None:
        raise UnknownReference("That team does not exist.", {"team": "Choose a team."})
    return team


def _record(
    ticket: Ticket,
    kind: EventKind,
    *,
    actor: User | None = None,
    customer: Customer | None = None,
    old: str | None = None,
    new: str | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append one history entry for `ticket`."""
    event = TicketEvent(
        organization_id=ticket.organization_id,
        ticket=ticket,
        kind=kind,
        actor_user_id=actor.id if actor else None,
        actor_customer_id=customer.id if customer else None,
        old_value=old[:500] if old else old,
        new_value=new[:500] if new else new,
        data=data or {},
        ticket_version=ticket.version or 0,
        created_at=utcnow(),
    )
    db.session.add(event)
    events.record(db.session, event)
    return event


def _touch(ticket: Ticket) -> None:
    # Any change moves updated_at, which also makes the UPDATE bump the version.
    ticket.updated_at = utcnow()


def ensure_current(ticket: Ticket, expected_version: int | None) -> None:
    """Refuse a change made against an older version of the ticket (no silent overwrite)."""
    if expected_version is None or expected_version == ticket.version:
        return
    changes = list(
        db.session.scalars(
            sa.select(TicketEvent)
            .where(
                TicketEvent.ticket_id == ticket.id, TicketEvent.ticket_version >= expected_version
            )
            .options(joinedload(TicketEvent.actor_user))
            .order_by(TicketEvent.id)
        )
    )
    raise StaleTicket(ticket.number, changes)


def _next_number(organization_id: int) -> int:
    # A single UPDATE … RETURNING takes the row lock, so concurrent creates never share a number.
    return db.session.execute(
        sa.update(Organization)
        .where(Organization.id == organization_id)
        .values(last_ticket_number=Organization.last_ticket_number + 1)
        .returning(Organization.last_ticket_number)
    ).scalar_one()


# -- ticket lifecycle -----------------------------------------------------------------------


def open_ticket(
    organization_id: int,
    *,
    actor: User | None,
    customer_email: str,
    customer_name: str = "",
    subject: str,
    body: str,
    priority: Priority = Priority.MEDIUM,
    channel: Channel = Channel.WEB,
    assignee_id: int | None = None,
    team_id: int | None = None,
    tags: str | Iterable[str] = (),
    custom_fields: dict[str, Any] | None = None,
    event_data: dict[str, Any] | None = None,
) -> Ticket:
    """Open a ticket for a customer (found or created by email) with their request as first message.

    `actor` is the agent who logged it, or None when the customer wrote in themselves.
    `event_data` adds facts to the creation event (inbound mail: the sender's DMARC result).
    """
    if actor is not None:
        require(actor, "ticket.create")
        if actor.organization_id != organization_id:
            raise ValidationFailed("You cannot open tickets for another organization.")
    subject = _clean_subject(subject)
    body = _clean_body(body)
    tag_names = parse_tags(tags)
    assignee = _assignable_agent(organization_id, assignee_id) if assignee_id else None
    team = _team(organization_id, team_id) if team_id else None
    customer = customers.find_or_create(organization_id, customer_email, customer_name)

    now = utcnow()
    ticket = Ticket(
        organization_id=organization_id,
        number=_next_number(organization_id),
        subject=subject,
        status=Status.OPEN,
        priority=priority,
        channel=channel,
        customer=customer,
        assignee=assignee,
        team=team,
        custom_fields=custom_fields or {},
        created_at=now,
        updated_at=now,
        version=1,
        tag_rows=[TicketTag(name=t, organization_id=organization_id) for t in tag_names],
        messages=[],
        events=[],
    )
    db.session.add(ticket)
    first = Message(
        organization_id=organization_id,
        ticket=ticket,
        kind=MessageKind.PUBLIC,
        author_customer=customer,
        body_text=body,
        created_at=now,
    )
    db.session.add(first)
    created = _record(ticket, EventKind.CREATED, actor=actor, customer=None if actor else customer)
    created.ticket_version = 0
    created.new_value = subject[:500]
    created.data = {**(event_data or {}), "channel": channel.value, "priority": priority.value}
    events.record(db.session, MessageCreated(first))
    db.session.flush()
    return ticket


def reply(actor: User, ticket: Ticket, body: str) -> Message:
    """Add a public reply from an agent (the customer will see it)."""
    require(actor, "ticket.reply")
    body = _clean_body(body)
    now = utcnow()
    message = Message(
        organization_id=ticket.organization_id,
        ticket=ticket,
        kind=MessageKind.PUBLIC,
        author_user=actor,
        body_text=body,
        created_at=now,
    )
    db.session.add(message)
    events.record(db.session, MessageCreated(message))
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    _record(ticket, EventKind.REPLIED, actor=actor, data={"length": len(body)})
    _touch(ticket)
    db.session.flush()
    return message


def add_note(actor: User, ticket: Ticket, body: str) -> Message:
    """Add an internal note (agents only; never sent to the customer)."""
    require(actor, "ticket.note")
    body = _clean_body(body)
    message = Message(
        organization_id=ticket.organization_id,
        ticket=ticket,
        kind=MessageKind.INTERNAL,
        author_user=actor,
        body_text=body,
        created_at=utcnow(),
    )
    db.session.add(message)
    events.record(db.session, MessageCreated(message))
    _record(ticket, EventKind.NOTED, actor=actor)
    _touch(ticket)
    db.session.flush()
    return message


def customer_reply(ticket: Ticket, customer: Customer, body: str, **headers: str | None) -> Message:
    """Add the customer's reply; a resolved ticket reopens and a pending one goes back to open."""
    body = _clean_body(body)
    message = Message(
        organization_id=ticket.organization_id,
        ticket=ticket,
        kind=MessageKind.PUBLIC,
        author_customer=customer,
        body_text=body,
        email_message_id=headers.get("message_id"),
        in_reply_to=headers.get("in_reply_to"),
        created_at=utcnow(),
    )
    db.session.add(message)
    events.record(db.session, MessageCreated(message))
    _record(ticket, EventKind.CUSTOMER_REPLIED, customer=customer)
    if ticket.status in (Status.RESOLVED, Status.PENDING):
        _set_status(ticket, Status.OPEN, actor=None, customer=customer)
    _touch(ticket)
    db.session.flush()
    return message


def _set_status(
    ticket: Ticket, target: Status, *, actor: User | None, customer: Customer | None = None
) -> None:
    old = ticket.status
    now = utcnow()
    ticket.status = target
    if target is Status.RESOLVED:
        ticket.resolved_at = now
    elif target is Status.CLOSED:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    else:
        ticket.resolved_at = None
        ticket.closed_at = None
    _record(
        ticket,
        EventKind.STATUS,
        actor=actor,
        customer=customer,
        old=old.label,
        new=target.label,
        data={"old": old.value, "new": target.value},
    )
    _touch(ticket)


def change_status(actor: User, ticket: Ticket, target: Status) -> bool:
    """Move the ticket along the transition table. Returns False when nothing changed."""
    require(actor, "ticket.status")
    if target is ticket.status:
        return False
    if not can_move(ticket.status, target):
        raise InvalidTransition(ticket.status, target)
    if ticket.status is Status.CLOSED:
        require(actor, "ticket.reopen_closed")
    _set_status(ticket, target, actor=actor)
    return True


def change_priority(actor: User, ticket: Ticket, priority: Priority) -> bool:
    """Set the priority. Returns False when nothing changed."""
    require(actor, "ticket.priority")
    if priority is ticket.priority:
        return False
    old = ticket.priority
    ticket.priority = priority
    _record(
        ticket,
        EventKind.PRIORITY,
        actor=actor,
        old=old.label,
        new=priority.label,
        data={"old": old.value, "new": priority.value},
    )
    _touch(ticket)
    return True


def assign(actor: User, ticket: Ticket, *, assignee_id: int | None, team_id: int | None) -> bool:
    """Assign to an agent and/or a team (None clears). Returns False when nothing changed."""
    require(actor, "ticket.assign")
    changed = False
    if assignee_id != ticket.assignee_id:
        agent = _assignable_agent(ticket.organization_id, assignee_id) if assignee_id else None
        old = db.session.get(User, ticket.assignee_id) if ticket.assignee_id else None
        ticket.assignee = agent
        _record(
            ticket,
            EventKind.ASSIGNEE,
            actor=actor,
            old=old.name if old else None,
            new=agent.name if agent else None,
            data={"old": old.id if old else None, "new": agent.id if agent else None},
        )
        changed = True
    if team_id != ticket.team_id:
        team = _team(ticket.organization_id, team_id) if team_id else None
        old_team = db.session.get(Team, ticket.team_id) if ticket.team_id else None
        ticket.team = team
        _record(
            ticket,
            EventKind.TEAM,
            actor=actor,
            old=old_team.name if old_team else None,
            new=team.name if team else None,
            data={"old": old_team.id if old_team else None, "new": team.id if team else None},
        )
        changed = True
    if changed:
        _touch(ticket)
    return changed


def auto_assign(ticket: Ticket, agent: User, *, reason: str, rule: str | None = None) -> None:
    """Assign a ticket as the system (team assignment, escalation); the reason is kept in history."""
    old = db.session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    ticket.assignee = agent
    data: dict[str, Any] = {"old": old.id if old else None, "new": agent.id, "rule": reason}
    if rule:
        data["rule_name"] = rule
    _record(ticket, EventKind.ASSIGNEE, old=old.name if old else None, new=agent.name, data=data)
    _touch(ticket)


def raise_priority(ticket: Ticket, *, rule: str) -> bool:
    """Raise the priority one level as the system (escalation). False when already critical."""
    if ticket.priority is Priority.CRITICAL:
        return False
    old = ticket.priority
    ticket.priority = Priority.from_rank(old.rank + 1)
    _record(
        ticket,
        EventKind.PRIORITY,
        old=old.label,
        new=ticket.priority.label,
        data={"old": old.value, "new": ticket.priority.value, "rule_name": rule},
    )
    _touch(ticket)
    return True


def record_escalation(ticket: Ticket, *, rule: str, data: dict[str, Any]) -> None:
    """Note in the history that an escalation rule fired, and what it did."""
    _record(ticket, EventKind.ESCALATED, new=rule, data=data)
    _touch(ticket)


def edit(
    actor: User,
    ticket: Ticket,
    *,
    subject: str | None = None,
    tags: str | Iterable[str] | None = None,
) -> bool:
    """Edit the subject and/or replace the tags (None leaves it). Returns False if nothing changed."""
    require(actor, "ticket.edit")
    changed = False
    if subject is not None:
        subject = _clean_subject(subject)
        if subject != ticket.subject:
            _record(ticket, EventKind.SUBJECT, actor=actor, old=ticket.subject, new=subject)
            ticket.subject = subject
            changed = True
    if tags is not None:
        wanted = sorted(parse_tags(tags))
        rows = list(
            db.session.scalars(sa.select(TicketTag).where(TicketTag.ticket_id == ticket.id))
        )
        current = sorted(row.name for row in rows)
        if wanted != current:
            for row in rows:
                if row.name not in wanted:
                    db.session.delete(row)
            added = [
                TicketTag(ticket_id=ticket.id, name=t, organization_id=ticket.organization_id)
                for t in wanted
                if t not in current
            ]
            db.session.add_all(added)
            # Keep the in-memory tags in step with the rows (the collection never lazy-loads).
            kept = [row for row in rows if row.name in wanted]
            set_committed_value(ticket, "tag_rows", sorted(kept + added, key=lambda r: r.name))
            _record(
                ticket,
                EventKind.TAGS,
                actor=actor,
                old=", ".join(current) or None,
                new=", ".join(wanted) or None,
                data={"old": current, "new": wanted},
            )
            changed = True
    if changed:
        _touch(ticket)
    return changed


def update_ticket(
    actor: User,
    ticket: Ticket,
    *,
    expected_version: int | None,
    status: Status | None = None,
    priority: Priority | None = None,
    assignee_id: int | None | type[...] = ...,
    team_id: int | None | type[...] = ...,
    subject: str | None = None,
    tags: str | Iterable[str] | None = None,
) -> bool:
    """Apply the ticket page's property form in one go, refusing it if the ticket moved on.

    Arguments left out (None, or ... for the nullable ids) are not touched.
    """
    ensure_current(ticket, expected_version)
    changed = False
    # One save is one UPDATE (one version): the lookups below must not flush half the changes.
    with db.session.no_autoflush:
        if subject is not None or tags is not None:
            changed |= edit(actor, ticket, subject=subject, tags=tags)
        if status is not None:
            changed |= change_status(actor, ticket, status)
        if priority is not None:
            changed |= change_priority(actor, ticket, priority)
        if assignee_id is not ... or team_id is not ...:
            changed |= assign(
                actor,
                ticket,
                assignee_id=ticket.assignee_id if assignee_id is ... else assignee_id,
                team_id=ticket.team_id if team_id is ... else team_id,
            )
    db.session.flush()
    return changed


def delete_ticket(
    actor: User, ticket: Ticket, *, expected_version: int | None = None, reason: str = ""
) -> TicketDeletion:
    """Delete a ticket with its conversation, tags and history (admins only).

    The history cascades away with the ticket, so the deletion is recorded where it survives:
    a `TicketDeletion` row (who, when, why, and the ticket as it was), and a `TicketDeleted`
    domain event (webhook `ticket.deleted`). Deleting is for spam and mistakes; resolving or
    closing is how a ticket ends normally.
    """
    require(actor, "ticket.delete")
    ensure_current(ticket, expected_version)
    reason = " ".join((reason or "").split())
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            "The reason is too long.", {"reason": f"Use at most {MAX_REASON} characters."}
        )
    tags = tuple(
        db.session.scalars(
            sa.select(TicketTag.name)
            .where(TicketTag.ticket_id == ticket.id)
            .order_by(TicketTag.name)
        )
    )
    messages = db.session.scalar(
        sa.select(sa.func.count()).select_from(Message).where(Message.ticket_id == ticket.id)
    )
    deletion = TicketDeletion(
        organization_id=ticket.organization_id,
        ticket_id=ticket.id,
        number=ticket.number,
        subject=ticket.subject,
        status=ticket.status.value,
        customer_id=ticket.customer_id,
        customer_email=db.session.scalar(
            sa.select(Customer.email).where(Customer.id == ticket.customer_id)
        ),
        ticket_version=ticket.version,
        message_count=messages,
        details={"tags": list(tags), "assignee_id": ticket.assignee_id, "team_id": ticket.team_id},
        ticket_created_at=ticket.created_at,
        deleted_by_user_id=actor.id,
        reason=reason,
        deleted_at=utcnow(),
    )
    db.session.add(deletion)
    events.record(db.session, TicketDeleted(ticket, tags, deletion))
    db.session.delete(ticket)
    db.session.flush()
    return deletion


def close_resolved_tickets(*, older_than: dt.timedelta, limit: int = 500) -> int:
    """Close tickets resolved longer ago than `older_than` (the customer did not come back).

    Runs as the system (no actor). Returns how many were closed; callers loop until 0.
    """
    cutoff = utcnow() - older_than
    tickets = db.session.scalars(
        sa.select(Ticket)
        .where(Ticket.status == Status.RESOLVED, Ticket.resolved_at < cutoff)
        .order_by(Ticket.resolved_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for ticket in tickets:
        _set_status(ticket, Status.CLOSED, actor=None)
    db.session.flush()
    return len(tickets)
