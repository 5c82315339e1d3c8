"""Pick an agent for a ticket that arrives in a team: round robin or least loaded.

Runs as a subscriber, just before the COMMIT that created the ticket or moved it to the team.
The team row is locked (SELECT … FOR UPDATE) while picking, so concurrent arrivals queue on it:
the round-robin cursors and the ticket counts they read are never stale, no agent is skipped
and none is counted twice.

Critical tickets go to senior agents (or admins) when one is available, in a rotation of their
own (`Team.critical_cursor`): a senior taking a critical ticket never moves the ordinary
rotation, so ordinary tickets stay evenly spread over the members whatever the critical ones do.
Least loaded counts an agent's open and in-progress tickets across the organization; pending
tickets wait on the customer, so they are no load.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from supportdesk.accounts.models import AssignmentStrategy, Role, Team, User, team_members
from supportdesk.assignment.rules import AssignmentRule
from supportdesk.extensions import db
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import (
    ACTIVE_STATUSES,
    EventKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

# What least loaded counts: tickets waiting on the agent, not pending ones (waiting on the customer).
LOAD_STATUSES = (Status.OPEN, Status.IN_PROGRESS)


def candidates(team: Team, *, senior_only: bool) -> list[User]:
    """Members who can take a ticket now (active, not away, not viewers), by id."""
    query = (
        sa.select(User)
        .join(team_members, team_members.c.user_id == User.id)
        .where(
            team_members.c.team_id == team.id,
            User.organization_id == team.organization_id,
            User.active.is_(True),
            User.away.is_(False),
            User.role != Role.VIEWER,
        )
        .order_by(User.id)
    )
    if senior_only:
        query = query.where(User.role.in_([Role.SENIOR_AGENT, Role.ADMIN]))
    return list(db.session.scalars(query))


def _after_cursor(people: list[User], cursor: int | None) -> list[User]:
    """People in round-robin order: first the ones after the cursor, then from the start."""
    if cursor is None:
        return people
    return [u for u in people if u.id > cursor] + [u for u in people if u.id <= cursor]


def _load(organization_id: int, user_ids: list[int]) -> dict[int, int]:
    """Open and in-progress tickets per agent, across the organization (every team)."""
    rows = db.session.execute(
        sa.select(Ticket.assignee_id, sa.func.count())
        .where(
            Ticket.organization_id == organization_id,
            Ticket.assignee_id.in_(user_ids),
            Ticket.status.in_(LOAD_STATUSES),
        )
        .group_by(Ticket.assignee_id)
    ).all()
    return dict(rows)


def pick(team: Team, ticket: Ticket) -> tuple[User, AssignmentRule] | None:
    """The agent the team's strategy gives `ticket` to and the rule that chose them.

    Moves the rotation the ticket belongs to (the caller holds the team row lock).
    """
    critical = ticket.priority is Priority.CRITICAL
    least_loaded = team.assignment_strategy is AssignmentStrategy.LEAST_LOADED
    rule = AssignmentRule.LEAST_LOADED if least_loaded else AssignmentRule.ROUND_ROBIN
    people: list[User] = []
    if critical:
        people = candidates(team, senior_only=True)
        rule = AssignmentRule.CRITICAL_TO_SENIOR if people else AssignmentRule.CRITICAL_NO_SENIOR
    people = people or candidates(team, senior_only=False)
    if not people:
        return None
    ordered = _after_cursor(people, team.critical_cursor if critical else team.round_robin_cursor)
    if least_loaded:
        load = _load(team.organization_id, [u.id for u in people])
        # min() keeps the first of equals: ties go round robin.
        chosen = min(ordered, key=lambda u: load.get(u.id, 0))
    else:
        chosen = ordered[0]
    if critical:
        team.critical_cursor = chosen.id
    else:
        team.round_robin_cursor = chosen.id
    return chosen, rule


def assign_from_team(ticket_id: int) -> User | None:
    """Give an unassigned active ticket to an agent of its team, if the team assigns automatically."""
    db.session.flush()  # relationship changes (ticket.team = …) reach the foreign keys
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or ticket.team_id is None or ticket.assignee_id is not None:
        return None
    if ticket.status not in ACTIVE_STATUSES:
        return None
    team = db.session.scalar(
        sa.select(Team)
        .where(Team.id == ticket.team_id, Team.organization_id == ticket.organization_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if team is None or team.assignment_strategy is AssignmentStrategy.MANUAL:
        return None
    picked = pick(team, ticket)
    if picked is None:
        return None
    agent, rule = picked
    tickets.auto_assign(ticket, agent, reason=rule.value)
    db.session.flush()
    return agent


def on_ticket_events(batch: list[Any]) -> None:
    """Subscriber: tickets created in a team or moved to one get an agent from its strategy."""
    ids = []
    for e in batch:
        if not isinstance(e, TicketEvent):
            continue
        if e.kind is EventKind.CREATED or (e.kind is EventKind.TEAM and (e.data or {}).get("new")):
            ticket_id = e.ticket_id or e.ticket.id
            if ticket_id not in ids:
                ids.append(ticket_id)
    for ticket_id in ids:
        assign_from_team(ticket_id)
