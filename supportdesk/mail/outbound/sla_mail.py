"""Mail about missed SLA targets: the assignee hears of a breach, or the team lead when unassigned.

Runs before the COMMIT of the sweep that recorded the breach (see supportdesk.sla.service.sweep),
so each breach queues its mail exactly once. Warnings send no mail: the console's amber badge and
its "Breaching soon" queue show them, and a mail per warning would double the automatic mail.
There is no per-organization switch (NotificationSettings has none): a missed promise to a
customer is always reported.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from supportdesk.accounts.models import Role, Team, User, team_members
from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.localtime import organization_time
from supportdesk.mail.outbound import service
from supportdesk.mail.outbound.compose import external_url
from supportdesk.mail.outbound.models import Notification
from supportdesk.sla.service import SlaBreached
from supportdesk.tickets.models import Ticket

TARGETS = {"first_response": "first response", "resolution": "resolution"}


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


def recipients(ticket: Ticket) -> list[User]:
    """Who hears of a breach: the assignee; when unassigned (or the assignee can no longer work
    tickets), the senior agents of the ticket's team, else of the organization, else its admins."""
    if ticket.assignee_id is not None:
        assignee = db.session.get(User, ticket.assignee_id)
        if assignee is not None and assignee.active and assignee.role is not Role.VIEWER:
            return [assignee]
    if ticket.team_id is not None:
        leads = _staff(ticket.organization_id, [Role.SENIOR_AGENT], ticket.team_id)
        if leads:
            return leads
    return _staff(ticket.organization_id, [Role.SENIOR_AGENT]) or _staff(
        ticket.organization_id, [Role.ADMIN]
    )


def notify_breach(event: SlaBreached) -> None:
    """Queue one email per recipient of this breach, threaded on the ticket."""
    ticket = db.session.get(Ticket, event.ticket_id)
    people = recipients(ticket)
    if not people:
        return
    settings = service.settings_for(ticket.organization_id)
    customer = db.session.get(Customer, ticket.customer_id)
    base = {
        **service.brand_context(ticket.organization_id, settings),
        **_context(event, ticket, customer),
    }
    for person in people:
        service.queue_email(
            Notification.SLA_BREACHED,
            organization_id=ticket.organization_id,
            ticket_id=ticket.id,
            to_address=person.email,
            to_name=person.name,
            context={
                **base,
                "recipient_name": person.name,
                "to_assignee": person.id == ticket.assignee_id,
            },
        )


def _context(event: SlaBreached, ticket: Ticket, customer: Customer) -> dict[str, Any]:
    team = db.session.get(Team, ticket.team_id) if ticket.team_id else None
    return {
        "ticket": {
            "number": ticket.number,
            "subject": ticket.subject,
            "status": ticket.status.label,
            "priority": ticket.priority.label,
            "url": external_url("console.ticket_show", number=ticket.number),
        },
        "customer": service.customer_context(customer),
        "sla": {
            "target": TARGETS[event.clock],
            "due": organization_time(ticket.organization_id, event.due_at),
            "team": team.name if team else "",
        },
    }
