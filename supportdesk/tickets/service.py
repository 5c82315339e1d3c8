"""Ticket writes. Each function validates, changes rows and appends history; it flushes, never commits.

Callers (views, API, inbound mail, CLI) commit once. The acting agent and the organization are
explicit arguments; nothing here reads the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from supportdesk import audit, events
from supportdesk.accounts.models import Organization, Role, Team, User
from supportdesk.accounts.permissions import require
from supportdesk.attachments import service as files
from supportdesk.attachments.models import Attachment
from supportdesk.attachments.service import Upload
from supportdesk.composer import rules as composer_rules
from supportdesk.customers import service as customers
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, UnknownReference, ValidationFailed
from supportdesk.extensions import db
from supportdesk.fields import rules as field_rules
from supportdesk.fields.queries import field_specs
from supportdesk.jobs.privacy import delete_files_after_commit
from supportdesk.tickets import lifecycle
from supportdesk.tickets.deletions import MAX_REASON, TicketDeletion
from supportdesk.tickets.domain_events import MessageCreated, TicketDeleted
from supportdesk.tickets.errors import ReplyCollision, StaleTicket, TicketMerged
from supportdesk.tickets.lifecycle import SYSTEM, Actor, Entry
from supportdesk.tickets.models import (
    Channel,
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


def _actor(user: User | None = None, customer: Customer | None = None) -> Actor:
    return Actor(user.id if user else None, customer.id if customer else None)


# Facts every history entry appended in the block carries in its data (see `history_data`).
_HISTORY_DATA: ContextVar[dict[str, Any] | None] = ContextVar("history_data", default=None)


@contextmanager
def history_data(**data: Any) -> Iterator[None]:
    """Add `data` to every history entry appended inside the block (a macro run marks its
    changes with its id, so the history shows them as one group)."""
    token = _HISTORY_DATA.set({**(_HISTORY_DATA.get() or {}), **data})
    try:
        yield
    finally:
        _HISTORY_DATA.reset(token)


def _append(ticket: Ticket, entries: Iterable[Entry], *, version: int | None = None) -> None:
    """Append the history entries a lifecycle rule returned, against the ticket's version."""
    extra = _HISTORY_DATA.get()
    for entry in entries:
        columns = entry.columns()
        if extra:
            columns["data"] = {**columns["data"], **extra}
        event = TicketEvent(
            organization_id=ticket.organization_id,
            ticket=ticket,
            ticket_version=(ticket.version or 0) if version is None else version,
            **columns,
        )
        db.session.add(event)
        events.record(db.session, event)


def _add_message(
    ticket: Ticket, columns: dict[str, Any], *, user: User | None = None,
    customer: Customer | None = None,
) -> Message:  # fmt: skip
    # The author objects too, not only their ids: subscribers name the author before the flush.
    message = Message(
        organization_id=ticket.organization_id, ticket=ticket, author_user=user,
        author_customer=customer, **columns,
    )  # fmt: skip
    db.session.add(message)
    events.record(db.session, MessageCreated(message))
    return message


def _lock_for_message(ticket: Ticket) -> None:
    """Wait for the ticket's row and read it fresh (SELECT … FOR UPDATE, until the COMMIT).

    Messages are appended, never compared with a version the author saw: two replies at the same
    moment both land, one after the other, instead of the second failing the version check of
    the row it changes (first response, reopening, `updated_at`). A ticket not yet in the
    database (opened in this transaction) has nobody to wait for. A merged ticket takes no more
    messages (supportdesk.tickets.merge: they belong on the survivor).
    """
    if sa.inspect(ticket).persistent:
        db.session.flush()
        columns = [column.key for column in sa.inspect(Ticket).column_attrs]
        db.session.refresh(ticket, attribute_names=columns, with_for_update=True)
    if ticket.merged_into_id is not None:
        raise TicketMerged(ticket.number)


def ensure_current(ticket: Ticket, expected_version: int | None) -> None:
    """Refuse a change made against an older version of the ticket (no silent overwrite).

    The row is locked first (SELECT … FOR UPDATE, until the COMMIT): no other save can slip in
    between this check and this transaction's UPDATE, so this is where every stale save is refused.
    """
    if expected_version is None:
        return
    db.session.refresh(ticket, attribute_names=["version"], with_for_update=True)
    if expected_version == ticket.version:
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
    attachments: Iterable[Upload] = (),
) -> Ticket:
    """Open a ticket for a customer (found or created by email) with their request as first message.

    `actor` is the agent who logged it, or None when the customer wrote in themselves.
    `event_data` adds facts to the creation event (inbound mail: the sender's DMARC result).
    `attachments` are files the agent attached to the request (checked against the limits).
    """
    if actor is not None:
        require(actor, "ticket.create")
        if actor.organization_id != organization_id:
            raise ValidationFailed("You cannot open tickets for another organization.")
    subject = _clean_subject(subject)
    body = _clean_body(body)
    uploads = files.check(list(attachments))
    tag_names = parse_tags(tags)
    assignee = _assignable_agent(organization_id, assignee_id) if assignee_id else None
    team = _team(organization_id, team_id) if team_id else None
    values = (
        field_rules.apply_values(field_specs(organization_id), {}, custom_fields)
        if custom_fields
        else {}
    )
    customer = customers.find_or_create(organization_id, customer_email, customer_name)

    now = utcnow()
    columns, first, created = lifecycle.opened(
        subject=subject,
        body=body,
        customer=_actor(customer=customer),
        priority=priority,
        channel=channel,
        actor=_actor(actor) if actor else None,
        at=now,
        event_data=event_data,
    )
    ticket = Ticket(
        organization_id=organization_id,
        number=_next_number(organization_id),
        customer=customer,
        assignee=assignee,
        team=team,
        custom_fields=values,
        version=1,
        tag_rows=[TicketTag(name=t, organization_id=organization_id) for t in tag_names],
        messages=[],
        events=[],
        **columns,
    )
    db.session.add(ticket)
    # Subscribers hear of the ticket before its first message (webhook order: created, message).
    _append(ticket, [created], version=0)
    message = _add_message(ticket, first, customer=customer)
    db.session.flush()
    files.attach(message, uploads)
    return ticket


def reply(
    actor: User, ticket: Ticket, body: str, attachments: Iterable[Upload] = (), *,
    body_format: str = "text", cc: Any = None, time_spent_minutes: int | None = None,
    last_seen_message_id: int | None = None,
) -> Message:  # fmt: skip
    """Add a public reply from an agent (the customer will see it, and whoever is in `cc`), with
    any files attached. `last_seen_message_id`: the newest public message the agent had seen;
    a newer one refuses the reply (ReplyCollision) so the customer is not answered twice."""
    require(actor, "ticket.reply")
    extras = _extras(ticket, False, body_format, cc, time_spent_minutes)
    uploads = files.check(list(attachments))
    _lock_for_message(ticket)
    if last_seen_message_id is not None:
        # Checked under the ticket's row lock: two agents replying at once see each other.
        newer = public_messages_after(ticket, last_seen_message_id)
        if newer:
            raise ReplyCollision(ticket.number, newer)
    body = _clean_body(body)
    columns, entries = lifecycle.replied(ticket, _actor(actor), body, utcnow(), cc=extras.cc)
    message = _add_message(ticket, {**columns, **extras.columns(body)}, user=actor)
    _append(ticket, entries)
    db.session.flush()
    files.attach(message, uploads)
    return message


def public_messages_after(ticket: Ticket, message_id: int) -> list[Message]:
    """The ticket's public messages newer than `message_id`, oldest first, authors loaded."""
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(
                Message.organization_id == ticket.organization_id,
                Message.ticket_id == ticket.id,
                Message.kind == MessageKind.PUBLIC,
                Message.id > message_id,
            )
            .options(joinedload(Message.author_user), joinedload(Message.author_customer))
            .order_by(Message.id)
        )
    )


def add_note(
    actor: User, ticket: Ticket, body: str, attachments: Iterable[Upload] = (), *,
    body_format: str = "text", time_spent_minutes: int | None = None,
) -> Message:  # fmt: skip
    """Add an internal note (agents only; never sent to the customer), with any files attached."""
    require(actor, "ticket.note")
    extras = _extras(ticket, True, body_format, None, time_spent_minutes)
    uploads = files.check(list(attachments))
    _lock_for_message(ticket)
    body = _clean_body(body)
    columns, entries = lifecycle.noted(ticket, _actor(actor), body, utcnow())
    message = _add_message(ticket, {**columns, **extras.columns(body)}, user=actor)
    _append(ticket, entries)
    db.session.flush()
    files.attach(message, uploads)
    return message


def _extras(
    ticket: Ticket, internal: bool, body_format: str, cc: Any, minutes: int | None
) -> composer_rules.Extras:
    """Format, Cc and minutes checked (supportdesk.composer.rules); rows read only when needed."""
    customer = db.session.get(Customer, ticket.customer_id) if cc else None
    org = db.session.get(Organization, ticket.organization_id) if minutes is not None else None
    return composer_rules.extras(
        internal=internal,
        body_format=body_format,
        cc=cc,
        time_spent_minutes=minutes,
        customer_email=customer.email if customer else "",
        time_tracking=bool(org and org.time_tracking),
    )


def customer_reply(ticket: Ticket, customer: Customer, body: str, **headers: str | None) -> Message:
    """Add the customer's reply; a resolved ticket reopens and a pending one goes back to open."""
    _lock_for_message(ticket)
    columns, entries = lifecycle.customer_replied(
        ticket,
        _actor(customer=customer),
        _clean_body(body),
        utcnow(),
        message_id=headers.get("message_id"),
        in_reply_to=headers.get("in_reply_to"),
    )
    message = _add_message(ticket, columns, customer=customer)
    _append(ticket, entries)
    db.session.flush()
    return message


def customer_close(ticket: Ticket, customer: Customer) -> bool:
    """The customer closes their ticket (from the portal). Returns False when it already was."""
    if ticket.status is Status.CLOSED:
        return False
    entries = lifecycle.status_changed(ticket, Status.CLOSED, _actor(customer=customer), utcnow())
    _append(ticket, entries)
    return bool(entries)


def record_rating(ticket: Ticket, customer: Customer, rating: str, label: str, **data: Any) -> None:
    """History of a satisfaction rating or its comment (supportdesk.satisfaction), by the customer."""
    entry = lifecycle.rated(ticket, _actor(customer=customer), rating, label, utcnow(), data)
    _append(ticket, [entry])


def change_status(actor: User, ticket: Ticket, target: Status) -> bool:
    """Move the ticket along the transition table. Returns False when nothing changed."""
    require(actor, "ticket.status")
    if ticket.status is Status.CLOSED and can_move(ticket.status, target):
        require(actor, "ticket.reopen_closed")
    if target in _RESOLVED and ticket.status not in _RESOLVED:
        specs = field_specs(ticket.organization_id).values()
        missing = field_rules.missing_on_resolve(specs, ticket.custom_fields or {})
        if missing:
            raise field_rules.refuse_resolve(missing)
    entries = lifecycle.status_changed(ticket, target, _actor(actor), utcnow())
    _append(ticket, entries)
    return bool(entries)


_RESOLVED = (Status.RESOLVED, Status.CLOSED)


def set_custom_fields(actor: User, ticket: Ticket, given: dict[str, Any]) -> bool:
    """Set custom field values (None clears one), validated by supportdesk.fields.rules; one
    history entry per field that changed. Returns False when nothing changed."""
    require(actor, "ticket.edit")
    specs = field_specs(ticket.organization_id)
    current = dict(ticket.custom_fields or {})
    values = field_rules.apply_values(specs, current, given)
    changed = False
    for key, spec in specs.items():
        old, new = current.get(key), values.get(key)
        if old == new:
            continue
        shown = (field_rules.display(spec, old), field_rules.display(spec, new))
        now = utcnow()
        entry = lifecycle.custom_field_changed(ticket, key, shown, (old, new), _actor(actor), now)
        _append(ticket, [entry])
        changed = True
    if changed:
        ticket.custom_fields = values  # a new dict: the JSON column sees the change
    return changed


def change_priority(actor: User, ticket: Ticket, priority: Priority) -> bool:
    """Set the priority. Returns False when nothing changed."""
    require(actor, "ticket.priority")
    entries = lifecycle.priority_changed(ticket, priority, _actor(actor), utcnow())
    _append(ticket, entries)
    return bool(entries)


def assign(actor: User, ticket: Ticket, *, assignee_id: int | None, team_id: int | None) -> bool:
    """Assign to an agent and/or a team (None clears). Returns False when nothing changed."""
    require(actor, "ticket.assign")
    changed = False
    if assignee_id != ticket.assignee_id:
        agent = _assignable_agent(ticket.organization_id, assignee_id) if assignee_id else None
        old = db.session.get(User, ticket.assignee_id) if ticket.assignee_id else None
        ticket.assignee = agent
        entry = lifecycle.assignee_changed(ticket, old, agent, _actor(actor), utcnow())
        _append(ticket, [entry])
        changed = True
    if team_id != ticket.team_id:
        team = _team(ticket.organization_id, team_id) if team_id else None
        old_team = db.session.get(Team, ticket.team_id) if ticket.team_id else None
        ticket.team = team
        _append(ticket, [lifecycle.team_changed(ticket, old_team, team, _actor(actor), utcnow())])
        changed = True
    return changed


def auto_assign(ticket: Ticket, agent: User, *, reason: str, rule: str | None = None) -> None:
    """Assign a ticket as the system (team assignment, escalation); the reason is kept in history."""
    old = db.session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    ticket.assignee = agent
    extra = {"rule": reason, **({"rule_name": rule} if rule else {})}
    _append(ticket, [lifecycle.assignee_changed(ticket, old, agent, SYSTEM, utcnow(), **extra)])


def raise_priority(ticket: Ticket, *, rule: str) -> bool:
    """Raise the priority one level as the system (escalation). False when already critical."""
    if ticket.priority is Priority.CRITICAL:
        return False
    higher = Priority.from_rank(ticket.priority.rank + 1)
    _append(ticket, lifecycle.priority_changed(ticket, higher, SYSTEM, utcnow(), rule=rule))
    return True


def record_escalation(ticket: Ticket, *, rule: str, data: dict[str, Any]) -> None:
    """Note in the history that an escalation rule fired, and what it did."""
    _append(ticket, [lifecycle.escalated(ticket, rule, data, utcnow())])


def record_macro(actor: User, ticket: Ticket, name: str) -> None:
    """Note in the history that a macro was applied; its changes follow (see `history_data`)."""
    _append(ticket, [lifecycle.macro_applied(ticket, name, _actor(actor), utcnow(), {})])


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
        entries = lifecycle.subject_changed(
            ticket, _clean_subject(subject), _actor(actor), utcnow()
        )
        _append(ticket, entries)
        changed = bool(entries)
    if tags is not None:
        wanted = sorted(parse_tags(tags))
        rows = list(
            db.session.scalars(sa.select(TicketTag).where(TicketTag.ticket_id == ticket.id))
        )
        current = sorted(row.name for row in rows)
        entries = lifecycle.tags_changed(ticket, current, wanted, _actor(actor), utcnow())
        if entries:
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
            _append(ticket, entries)
            changed = True
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
    custom_fields: dict[str, Any] | None = None,
) -> bool:
    """Apply the ticket page's property form in one go, refusing it if the ticket moved on.

    Arguments left out (None, or ... for the nullable ids) are not touched. Custom fields are
    set before the status, so one save can fill a required field and resolve.
    """
    ensure_current(ticket, expected_version)
    changed = False
    # One save is one UPDATE (one version): the lookups below must not flush half the changes.
    with db.session.no_autoflush:
        if subject is not None or tags is not None:
            changed |= edit(actor, ticket, subject=subject, tags=tags)
        if custom_fields:
            changed |= set_custom_fields(actor, ticket, custom_fields)
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
    audit.record(
        actor.organization_id,
        "ticket.deleted",
        actor=actor,
        target=("ticket", ticket.id, f"#{ticket.number} {ticket.subject}"),
        before={
            "number": ticket.number,
            "subject": ticket.subject,
            "status": ticket.status,
            "customer_email": deletion.customer_email,
            "messages": messages,
        },
        after={"reason": reason},
    )
    events.record(db.session, TicketDeleted(ticket, tags, deletion))
    stored = db.session.scalars(
        sa.select(Attachment.storage_key)
        .join(Message, Message.id == Attachment.message_id)
        .where(Message.ticket_id == ticket.id, Attachment.storage_key.is_not(None))
        .distinct()
    ).all()
    db.session.delete(ticket)
    db.session.flush()
    # Once the rows are gone for good; a file another message shares stays.
    delete_files_after_commit(db.session, stored)
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
        _append(ticket, lifecycle.status_set(ticket, Status.CLOSED, SYSTEM, utcnow()))
    db.session.flush()
    return len(tickets)
