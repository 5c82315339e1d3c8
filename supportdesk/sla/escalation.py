"""Escalation rules, evaluated by the SLA sweep: each rule fires at most once per ticket.

A rule fires when a target was breached, or a ticket stayed unassigned or untouched longer than
its threshold. It raises the priority one level, marks the ticket escalated and/or reassigns it to
a senior agent; every action is in the history with the rule's name.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from supportdesk.accounts.models import Role, User, team_members
from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.sla.models import EscalationRule, EscalationTrigger, TicketEscalation, TicketSla
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import ACTIVE_STATUSES, Ticket

T = EscalationTrigger


def _due_tickets(rule: EscalationRule, now: dt.datetime, limit: int) -> list[Ticket]:
    """Active tickets of the rule's organization that meet its trigger and it has not fired on."""
    fired = sa.exists().where(
        TicketEscalation.ticket_id == Ticket.id, TicketEscalation.rule_id == rule.id
    )
    query = sa.select(Ticket).where(
        Ticket.organization_id == rule.organization_id,
        Ticket.status.in_(ACTIVE_STATUSES),
        ~fired,
    )
    threshold = now - dt.timedelta(minutes=rule.threshold_minutes)
    if rule.trigger in (T.FIRST_RESPONSE_BREACHED, T.RESOLUTION_BREACHED):
        column = (
            TicketSla.first_response_breached_at
            if rule.trigger is T.FIRST_RESPONSE_BREACHED
            else TicketSla.resolution_breached_at
        )
        query = query.join(TicketSla, TicketSla.ticket_id == Ticket.id).where(column <= threshold)
    elif rule.trigger is T.UNASSIGNED_FOR:
        query = query.where(Ticket.assignee_id.is_(None), Ticket.created_at <= threshold)
    else:
        query = query.where(Ticket.updated_at <= threshold)
    return list(
        db.session.scalars(query.order_by(Ticket.id).limit(limit).with_for_update(skip_locked=True))
    )


def _senior_for(ticket: Ticket) -> User | None:
    """An available senior agent: of the ticket's team first, else of the organization."""
    base = sa.select(User).where(
        User.organization_id == ticket.organization_id,
        User.active.is_(True),
        User.away.is_(False),
        User.role.in_([Role.SENIOR_AGENT, Role.ADMIN]),
    )
    if ticket.team_id is not None:
        in_team = base.join(team_members, team_members.c.user_id == User.id).where(
            team_members.c.team_id == ticket.team_id
        )
        found = db.session.scalar(in_team.order_by(User.role.desc(), User.id).limit(1))
        if found is not None:
            return found
    # Senior agents before admins: the role column sorts by value, "senior_agent" > "admin".
    return db.session.scalar(base.order_by(User.role.desc(), User.id).limit(1))


def apply(rule: EscalationRule, ticket: Ticket, now: dt.datetime) -> list[str]:
    """Fire `rule` on `ticket`: its actions, the escalated mark and the history. Returns actions."""
    db.session.add(
        TicketEscalation(ticket_id=ticket.id, rule_id=rule.id, organization_id=rule.organization_id)
    )
    actions = []
    if rule.raise_priority and tickets.raise_priority(ticket, rule=rule.name):
        actions.append("priority_raised")
    if rule.reassign_to_senior:
        senior = _senior_for(ticket)
        if senior is not None and senior.id != ticket.assignee_id:
            tickets.auto_assign(ticket, senior, reason="escalation", rule=rule.name)
            actions.append("reassigned")
    sla = db.session.get(TicketSla, ticket.id)
    if sla is not None and sla.escalated_at is None:
        sla.escalated_at = now
    actions.append("escalated")
    tickets.record_escalation(
        ticket,
        rule=rule.name,
        data={"rule_id": rule.id, "trigger": rule.trigger.value, "actions": actions},
    )
    return actions


def run(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Evaluate every active rule once; returns how many tickets were escalated."""
    now = now or utcnow()
    rules = db.session.scalars(
        sa.select(EscalationRule).where(EscalationRule.active.is_(True)).order_by(EscalationRule.id)
    ).all()
    fired = 0
    for rule in rules:
        for ticket in _due_tickets(rule, now, limit):
            apply(rule, ticket, now)
            fired += 1
    db.session.flush()
    return fired
