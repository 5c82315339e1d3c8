"""Who an automatic email goes to: one function per kind of recipient, named in mail.rules.

Each takes the event and returns the people to mail (possibly none). Agents who can no longer
work (inactive) are never mailed; an agent is never told about their own action (mail.rules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from supportdesk.accounts.models import Role, User, team_members
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.mail.identity import signing
from supportdesk.notifications.mentions import mentioned_ids
from supportdesk.tickets.models import EventKind, Ticket, TicketEvent


@dataclass(frozen=True)
class Recipient:
    """One address to mail: an agent carries their user id, a customer the ticket's reply address."""

    address: str
    name: str
    user_id: int | None = None
    reply_to: str = ""
    # Addresses copied on the same email (an agent's reply with Cc).
    cc: tuple[str, ...] = ()
    # The language the email speaks (supportdesk.i18n); None: English.
    language: str | None = None


def sender_verified(event: TicketEvent) -> bool:
    """False for a ticket opened by mail whose sender's domain did not pass DMARC."""
    data = event.data or {}
    if event.kind is not EventKind.CREATED or data.get("channel") != "email":
        return True
    return data.get("dmarc") == "pass"


def customer(event: TicketEvent) -> list[Recipient]:
    """The ticket's customer; unnamed when their mail was not proven theirs (no DMARC pass).

    An agent's reply copies the addresses its event names (`cc`, checked by
    supportdesk.composer.rules) on the same email: one message, one thread, everyone sees who
    else received it.
    """
    ticket = db.session.get(Ticket, event.ticket_id)
    person = db.session.get(Customer, ticket.customer_id)
    name = person.display_name if sender_verified(event) else ""
    cc = tuple((event.data or {}).get("cc") or ()) if event.kind is EventKind.REPLIED else ()
    reply_to = signing.reply_address(ticket.id)
    return [Recipient(person.email, name, reply_to=reply_to, cc=cc, language=person.language)]


def the_customer(event: Any) -> list[Recipient]:
    """The customer an event names (a portal sign-in link: to their address only), in their
    language."""
    person = db.session.get(Customer, event.customer_id)
    language = person.language if person is not None else None
    return [Recipient(event.email, event.name or event.email, language=language)]


def ticket_customer(event: Any) -> list[Recipient]:
    """The customer of the ticket an event names (a delayed satisfaction survey)."""
    ticket = db.session.get(Ticket, event.ticket_id)
    person = db.session.get(Customer, ticket.customer_id)
    reply_to = signing.reply_address(ticket.id)
    return [
        Recipient(person.email, person.display_name, reply_to=reply_to, language=person.language)
    ]


def assignee(event: TicketEvent) -> list[Recipient]:
    """The ticket's assignee, if any."""
    return _agents([db.session.get(Ticket, event.ticket_id).assignee_id])


def new_assignee(event: TicketEvent) -> list[Recipient]:
    """The agent the ticket was just assigned to."""
    return _agents([event.data["new"]])


def mentioned(event: Any) -> list[Recipient]:
    """The active agents of the organization an internal note mentions (notifications.mentions)."""
    message = event.message
    if not message.is_internal:
        return []
    return _agents(mentioned_ids(message.organization_id, message.body_text))


def breach_watchers(event: Any) -> list[Recipient]:
    """Who hears of a missed SLA target: the assignee; when unassigned (or the assignee can no
    longer work tickets), the senior agents of the ticket's team, else of the organization, else
    its admins."""
    ticket = db.session.get(Ticket, event.ticket_id)
    if ticket.assignee_id is not None:
        person = db.session.get(User, ticket.assignee_id)
        if person is not None and person.active and person.role is not Role.VIEWER:
            return _as_recipients([person])
    if ticket.team_id is not None:
        leads = _staff(ticket.organization_id, [Role.SENIOR_AGENT], ticket.team_id)
        if leads:
            return _as_recipients(leads)
    return _as_recipients(
        _staff(ticket.organization_id, [Role.SENIOR_AGENT])
        or _staff(ticket.organization_id, [Role.ADMIN])
    )


def admins(event: Any) -> list[Recipient]:
    """Every active admin of the event's organization."""
    return _as_recipients(_staff(event.organization_id, [Role.ADMIN]))


def invitee(event: Any) -> list[Recipient]:
    """The person an invitation is for (not an agent yet)."""
    return [Recipient(event.email, event.name)]


def the_agent(event: Any) -> list[Recipient]:
    """The agent a password reset link is for (their address as it is now), in their language."""
    agent = db.session.get(User, event.user_id)
    language = agent.language if agent is not None else None
    return [Recipient(event.email, event.name, user_id=event.user_id, language=language)]


def subscriber(event: Any) -> list[Recipient]:
    """The agent a report summary is for, while they can still sign in."""
    return _agents([event.user_id])


def the_address(event: Any) -> list[Recipient]:
    """The address the event is about (a support address being verified)."""
    return [Recipient(event.address, "")]


def _agents(user_ids: list[int | None]) -> list[Recipient]:
    people = [db.session.get(User, user_id) for user_id in user_ids if user_id]
    return _as_recipients([p for p in people if p is not None and p.active])


# An agent whose console made a request this recently is at their desk: the bell tells them.
AWAY_AFTER = dt.timedelta(minutes=5)


def requester(event: Any) -> list[Recipient]:
    """The agent who asked for an export (none once they are deactivated)."""
    agent = db.session.get(User, event.user_id)
    return _as_recipients([agent]) if agent is not None and agent.active else []


def requester_if_away(event: Any) -> list[Recipient]:
    """The agent who asked for an export, when none of their sign-in sessions was seen in the
    last AWAY_AFTER (sessions record a request at most once a minute)."""
    from supportdesk.sessions.models import AgentSession

    seen = db.session.scalar(
        sa.select(sa.func.max(AgentSession.last_seen_at)).where(
            AgentSession.user_id == event.user_id, AgentSession.revoked_at.is_(None)
        )
    )
    if seen is not None and seen > utcnow() - AWAY_AFTER:
        return []
    return requester(event)


def _as_recipients(people: list[User]) -> list[Recipient]:
    return [Recipient(p.email, p.name, user_id=p.id, language=p.language) for p in people]


def _staff(organization_id: int, roles: list[Role], team_id: int | None = None) -> list[User]:
    query = sa.select(User).where(
        User.organization_id == organization_id,
        User.active.is_(True),
        User.role.in_(roles),
    )
    if team_id is not None:
        query = query.join(team_members, team_members.c.user_id == User.id).where(
            team_members.c.team_id == team_id
        )
    return list(db.session.scalars(query.order_by(User.id)))
