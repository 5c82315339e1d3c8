"""Which organization a message belongs to, and which ticket (if any) it answers.

Routing looks only at the addresses the mail was sent to, in order: envelope recipients,
Delivered-To, To, Cc; only verified support addresses route. Matching then tries, in this order: our signed reply address, a Message-ID
of ours in In-Reply-To/References, a Message-ID of an earlier stored message of that
organization, and the `[#number]` subject token only when the sender is that ticket's customer
(and their domain did not fail DMARC: a forged sender must not reach a customer's ticket).
A ticket that was merged hands the message on to the ticket that holds its conversation now
(supportdesk.tickets.merge.survivor); the reason names both. Nothing is guessed: no match means a new ticket, no route means the unprocessed list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from supportdesk.extensions import db
from supportdesk.mail.identity import signing
from supportdesk.mail.identity.models import SupportAddress
from supportdesk.mail.inbound.models import Decision
from supportdesk.mail.inbound.parse import ParsedEmail, message_ids
from supportdesk.tickets.merge import survivor
from supportdesk.tickets.models import Message, Ticket

_TOKEN_RE = re.compile(r"\[#(\d{1,9})\]")


@dataclass
class Route:
    """The organization a message belongs to and the sentence saying why."""

    organization_id: int
    reason: str


@dataclass
class Match:
    """The matching decision: a ticket to reply to (None for a new ticket) and why."""

    decision: Decision
    ticket: Ticket | None
    reason: str


def route(recipients: list[str]) -> Route | None:
    """The organization owning the first recipient that is a verified support or reply address."""
    if not recipients:
        return None
    owned = dict(
        db.session.execute(
            sa.select(SupportAddress.address, SupportAddress.organization_id).where(
                SupportAddress.address.in_(recipients), SupportAddress.verified_at.is_not(None)
            )
        ).all()
    )
    for address in recipients:
        if address in owned:
            return Route(owned[address], f"sent to the support address {address}")
        ticket_id = signing.ticket_from_reply_address(address)
        if ticket_id is not None:
            org_id = db.session.scalar(
                sa.select(Ticket.organization_id).where(Ticket.id == ticket_id)
            )
            if org_id is not None:
                return Route(org_id, "sent to a ticket's reply address")
    return None


def ticket_in(organization_id: int, ticket_id: int) -> Ticket | None:
    """The organization's ticket by id (with its customer), or None."""
    return db.session.scalar(
        sa.select(Ticket)
        .where(Ticket.organization_id == organization_id, Ticket.id == ticket_id)
        .options(joinedload(Ticket.customer))
    )


def _matched(decision: Decision, ticket: Ticket, reason: str) -> Match:
    """The match on `ticket`, or on the ticket it was merged into (saying so)."""
    current = survivor(ticket)
    if current.id == ticket.id:
        return Match(decision, ticket, reason)
    reason = f"{reason} It was merged into ticket #{current.number}."
    return Match(decision, ticket_in(current.organization_id, current.id), reason)


def _by_number(organization_id: int, number: int) -> Ticket | None:
    return db.session.scalar(
        sa.select(Ticket)
        .where(Ticket.organization_id == organization_id, Ticket.number == number)
        .options(joinedload(Ticket.customer))
    )


def _by_stored_message_id(organization_id: int, ids: list[str]) -> Ticket | None:
    if not ids:
        return None
    ticket_id = db.session.scalar(
        sa.select(Message.ticket_id)
        .where(Message.organization_id == organization_id, Message.email_message_id.in_(ids))
        .order_by(Message.id.desc())
        .limit(1)
    )
    return ticket_in(organization_id, ticket_id) if ticket_id else None


def match(
    organization_id: int, parsed: ParsedEmail, recipients: list[str], *, subject_token: bool = True
) -> Match:
    """Decide which ticket the message answers, in the documented order.

    `subject_token` False (the sender's domain failed DMARC) skips the `[#number]` token.
    """
    for address in recipients:
        ticket_id = signing.ticket_from_reply_address(address)
        ticket = ticket_in(organization_id, ticket_id) if ticket_id else None
        if ticket is not None:
            return _matched(
                Decision.REPLY_BY_ADDRESS,
                ticket,
                f"Sent to the reply address of ticket #{ticket.number}.",
            )
    thread = " ".join(filter(None, (parsed.in_reply_to, parsed.references)))
    ticket_id = signing.ticket_from_message_ids(thread)
    ticket = ticket_in(organization_id, ticket_id) if ticket_id else None
    if ticket is not None:
        return _matched(
            Decision.REPLY_BY_MESSAGE_ID,
            ticket,
            f"In-Reply-To/References carries our Message-ID for ticket #{ticket.number}.",
        )
    ticket = _by_stored_message_id(organization_id, message_ids(thread))
    if ticket is not None:
        return _matched(
            Decision.REPLY_BY_MESSAGE_ID,
            ticket,
            f"Answers an earlier message of ticket #{ticket.number} (same email thread).",
        )
    note = ""
    token = _TOKEN_RE.search(parsed.subject)
    if token:
        ticket = _by_number(organization_id, int(token.group(1)))
        if not subject_token and ticket is not None:
            note = f" The subject names ticket #{ticket.number}, but the sender failed DMARC."
        elif ticket is not None and parsed.from_address in _customers_of(ticket):
            return _matched(
                Decision.REPLY_BY_SUBJECT_TOKEN,
                ticket,
                f"The subject names ticket #{ticket.number} and the sender is its customer.",
            )
        elif ticket is not None:
            note = (
                f" The subject names ticket #{ticket.number}, but the sender is not its customer."
            )
    return Match(
        Decision.NEW_TICKET,
        None,
        "No reply address, Message-ID or ticket number of ours matched." + note,
    )


def _customers_of(ticket: Ticket) -> set[str]:
    """The email of the ticket's customer, and of its survivor's when it was merged."""
    emails = {ticket.customer.email}
    if ticket.merged_into_id is not None:
        current = survivor(ticket)
        emails.add(ticket_in(current.organization_id, current.id).customer.email)
    return emails
