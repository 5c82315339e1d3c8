"""Merge two tickets of an organization into one, and split a message off into a new ticket.

Merging moves the source's whole conversation (messages, with their attachments, which hang on
the messages) to the target, where it reads in time order with the target's own; the source
closes and keeps `merged_into_id`, so its number, reply address and Message-IDs still reach the
survivor (supportdesk.mail.inbound.routing follows the link, and so does `survivor`). Both
histories say so. The target keeps its customer, assignee, team and priority and gains the
source's tags. A source whose customer is someone else is allowed: their messages keep their
author, their mail keeps landing on the survivor, and the target's history names them; replies
from the survivor go to the target's customer only (the console says so before merging).

Splitting moves one public message into a new ticket for that message's customer (the ticket's
customer when an agent wrote it), with the old ticket's priority, channel, team and assignee.

Both flush, never commit. `merge` is the function bulk actions call, one source at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.db import utcnow
from supportdesk.errors import DomainError, NotFound
from supportdesk.extensions import db
from supportdesk.tickets import lifecycle
from supportdesk.tickets.models import (
    EventKind,
    Message,
    MessageKind,
    Status,
    Ticket,
    TicketTag,
)
from supportdesk.tickets.queries import get_message
from supportdesk.tickets.service import (
    MAX_SUBJECT,
    _actor,
    _append,
    _clean_subject,
    _next_number,
    edit,
    ensure_current,
)

# Links followed at most when looking for the survivor (a longer chain is a loop or damage).
MAX_HOPS = 50
# A subject taken from a message's first line is cut here (at a word when it can be).
SUBJECT_FROM_MESSAGE = 120


class MergeRefused(DomainError):
    """The merge or split is not allowed; `fields` names the input at fault."""

    status = 409
    code = "merge_refused"


@dataclass(frozen=True)
class Merged:
    """What a merge did: the survivor and how many messages moved to it."""

    target: Ticket
    messages: int


def survivor(ticket: Ticket) -> Ticket:
    """The ticket that holds `ticket`'s conversation now: itself, or the end of its merge links."""
    seen = {ticket.id}
    while ticket.merged_into_id is not None:
        following = db.session.scalar(
            sa.select(Ticket).where(
                Ticket.organization_id == ticket.organization_id,
                Ticket.id == ticket.merged_into_id,
            )
        )
        if following is None or following.id in seen or len(seen) > MAX_HOPS:
            break
        seen.add(following.id)
        ticket = following
    return ticket


def _lock(*tickets: Ticket) -> None:
    """Wait for both rows and read them fresh, lowest id first (two merges never deadlock)."""
    db.session.flush()
    columns = [column.key for column in sa.inspect(Ticket).column_attrs]
    for ticket in sorted(tickets, key=lambda t: t.id):
        db.session.refresh(ticket, attribute_names=columns, with_for_update=True)


def _refuse(message: str) -> MergeRefused:
    return MergeRefused(message, {"into": message})


def merge(
    actor: User,
    source: Ticket,
    into: Ticket,
    *,
    expected_version: int | None = None,
    target_version: int | None = None,
) -> Merged:
    """Merge `source` into `into` (or into the ticket `into` was merged into, and so on).

    `expected_version` is the source's version the agent saw, `target_version` the target's
    (either None: not checked). Refused: another organization, the same ticket, a source
    already merged. An active source wakes a resolved or closed target up (open again).
    """
    require(actor, "ticket.merge")
    if source.organization_id != actor.organization_id:
        raise NotFound(f"Ticket #{source.number} does not exist.")
    if into.organization_id != source.organization_id:
        raise _refuse("Tickets of different organizations cannot be merged.")
    target = survivor(into)
    if target.id == source.id:
        raise _refuse(
            f"Ticket #{source.number} cannot be merged into itself."
            if into.id == source.id
            else f"Ticket #{into.number} was merged into #{source.number}: that is this ticket."
        )
    _lock(source, target)
    ensure_current(source, expected_version)
    if target_version is not None and into.id == target.id:
        ensure_current(target, target_version)
    if source.merged_into_id is not None:
        raise _refuse(f"Ticket #{source.number} is already merged into another ticket.")
    if target.merged_into_id is not None:  # merged meanwhile, by someone else
        raise _refuse(f"Ticket #{target.number} was just merged into another ticket; try again.")

    reopen = source.status.is_active and not target.status.is_active
    if reopen and target.status is Status.CLOSED:
        require(actor, "ticket.reopen_closed")

    # Every refusal is above: nothing was changed when one is raised (bulk merges rely on it).
    now = utcnow()
    who = _actor(actor)
    moved = db.session.execute(
        sa.update(Message)
        .where(Message.organization_id == source.organization_id, Message.ticket_id == source.id)
        .values(ticket_id=target.id)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    _merge_tags(actor, source, target)
    if reopen:
        _append(target, lifecycle.status_set(target, Status.OPEN, who, now))
    merged_from = {"from": source.number, "from_id": source.id, "messages": moved}
    if source.customer_id != target.customer_id:
        merged_from["customer_id"] = source.customer_id
    _append(target, [lifecycle.linked(target, EventKind.MERGED_FROM, source.number, who, now, merged_from)])  # fmt: skip

    source.merged_into_id = target.id
    if source.status is not Status.CLOSED:
        _append(source, lifecycle.status_set(source, Status.CLOSED, who, now))
    into_data = {"into": target.number, "into_id": target.id, "messages": moved}
    _append(source, [lifecycle.linked(source, EventKind.MERGED_INTO, target.number, who, now, into_data)])  # fmt: skip
    db.session.flush()
    return Merged(target, moved)


def _merge_tags(actor: User, source: Ticket, target: Ticket) -> None:
    names = list(
        db.session.scalars(
            sa.select(TicketTag.name).where(
                TicketTag.ticket_id.in_([source.id, target.id]),
                TicketTag.organization_id == source.organization_id,
            )
        )
    )
    current = db.session.scalars(
        sa.select(TicketTag.name).where(TicketTag.ticket_id == target.id)
    ).all()
    if set(names) != set(current):
        edit(actor, target, tags=sorted(set(names)))


def subject_of(message: Message) -> str:
    """A subject for a ticket split off from `message`: its first line, cut at a word."""
    line = next((line.strip() for line in message.body_text.splitlines() if line.strip()), "")
    line = " ".join(line.split())
    if len(line) > SUBJECT_FROM_MESSAGE:
        line = line[:SUBJECT_FROM_MESSAGE].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return line[:MAX_SUBJECT] or "Split off"


def split(
    actor: User,
    ticket: Ticket,
    message_id: int,
    *,
    subject: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Move one public message of `ticket` into a new ticket; returns the new ticket.

    The subject is `subject`, or the message's first line. Refused: internal notes, the only
    message of a ticket, a merged ticket.
    """
    require(actor, "ticket.split")
    if ticket.organization_id != actor.organization_id:
        raise NotFound(f"Ticket #{ticket.number} does not exist.")
    message = get_message(ticket.organization_id, ticket.id, message_id)
    _lock(ticket)
    ensure_current(ticket, expected_version)
    if ticket.merged_into_id is not None:
        raise MergeRefused(f"Ticket #{ticket.number} was merged; its conversation moved on.")
    if message.kind is MessageKind.INTERNAL:
        raise MergeRefused("Internal notes cannot be split off; only the conversation can.")
    others = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Message)
        .where(Message.ticket_id == ticket.id, Message.id != message.id)
    )
    if not others:
        raise MergeRefused(f"This is the only message of ticket #{ticket.number}.")
    subject = _clean_subject(subject) if (subject or "").strip() else subject_of(message)

    now = utcnow()
    who = _actor(actor)
    customer_id = message.author_customer_id or ticket.customer_id
    columns, _first, created = lifecycle.opened(
        subject=subject,
        body=message.body_text,
        customer=lifecycle.Actor(customer_id=customer_id),
        priority=ticket.priority,
        channel=ticket.channel,
        actor=who,
        at=now,
        event_data={"split_from": ticket.number, "split_from_id": ticket.id},
    )
    new = Ticket(
        organization_id=ticket.organization_id,
        number=_next_number(ticket.organization_id),
        customer_id=customer_id,
        assignee_id=ticket.assignee_id,
        team_id=ticket.team_id,
        custom_fields={},
        version=1,
        tag_rows=[],
        messages=[],
        events=[],
        **columns,
    )
    db.session.add(new)
    _append(new, [created], version=0)
    db.session.flush()
    message.ticket_id = new.id
    came = {"message_id": message.id, "from": ticket.number, "from_id": ticket.id}
    went = {"message_id": message.id, "to": new.number, "to_id": new.id}
    _append(new, [lifecycle.linked(new, EventKind.SPLIT_FROM, ticket.number, who, now, came)])
    _append(ticket, [lifecycle.linked(ticket, EventKind.SPLIT_OFF, new.number, who, now, went)])
    db.session.flush()
    return new
