"""Account reads, scoped to one organization."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from supportdesk.accounts.models import Role, Team, User
from supportdesk.errors import NotFound
from supportdesk.extensions import db


def list_agents(organization_id: int) -> list[User]:
    """Every agent of the organization (active first, then by name), with their teams."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.organization_id == organization_id)
            .options(selectinload(User.teams))
            .order_by(User.active.desc(), User.name)
        )
    )


def get_agent(organization_id: int, agent_id: int) -> User:
    """One agent of the organization, or NotFound."""
    agent = db.session.scalar(
        sa.select(User).where(User.organization_id == organization_id, User.id == agent_id)
    )
    if agent is None:
        raise NotFound("That agent does not exist.")
    return agent


def list_teams(organization_id: int) -> list[Team]:
    """The organization's teams with their members, by name."""
    return list(
        db.session.scalars(
            sa.select(Team)
            .where(Team.organization_id == organization_id)
            .options(selectinload(Team.members))
            .order_by(Team.name)
        )
    )


def get_team(organization_id: int, team_id: int) -> Team:
    """One team of the organization with its members, or NotFound."""
    team = db.session.scalar(
        sa.select(Team)
        .where(Team.organization_id == organization_id, Team.id == team_id)
        .options(selectinload(Team.members))
    )
    if team is None:
        raise NotFound("That team does not exist.")
    return team


def find_active_by_email(email: str) -> User | None:
    """The agent signing in with this email (any case), if active."""
    return db.session.scalar(
        sa.select(User).where(User.email == email.strip().lower(), User.active.is_(True))
    )


def find_by_email(email: str) -> User | None:
    """The agent with this email (any case), active or not."""
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def assignable_agents(organization_id: int) -> list[User]:
    """Active agents who can own tickets (not viewers), by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.organization_id == organization_id,
                User.active.is_(True),
                User.role != Role.VIEWER,
            )
            .order_by(User.name)
        )
    )


def assignment_choices(organization_id: int) -> tuple[list[sa.Row], list[sa.Row]]:
    """(agents, teams) as (id, name) rows by name, in one query: the filter and property menus.

    The agents are assignable_agents' (active, not viewers); nothing else of either is loaded.
    """
    rows = db.session.execute(_choices_statement(), {"organization_id": organization_id}).all()
    return [r for r in rows if r.kind == 0], [r for r in rows if r.kind == 1]


def assignment_choices_cached(organization_id: int) -> tuple[tuple[sa.Row, ...], ...]:
    """assignment_choices from the per-process cache (rows are immutable; no query on a hit)."""
    from supportdesk.accounts import orgcache

    return orgcache.cached(
        organization_id,
        "assignment_choices",
        lambda: tuple(tuple(rows) for rows in assignment_choices(organization_id)),
    )


@functools.cache
def _choices_statement():
    # Built once (a page view runs it; building it costs more than running it).
    organization_id = sa.bindparam("organization_id")
    agents = sa.select(sa.literal(0).label("kind"), User.id, User.name).where(
        User.organization_id == organization_id,
        User.active.is_(True),
        User.role != Role.VIEWER,
    )
    teams = sa.select(sa.literal(1), Team.id, Team.name).where(
        Team.organization_id == organization_id
    )
    return sa.union_all(agents, teams).order_by("kind", "name")
