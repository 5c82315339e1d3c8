"""Account writes: organizations, agents (create, role, deactivate, password) and teams.

Flushes, never commits. Every function taking an actor checks the actor's role first.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from supportdesk import audit, i18n
from supportdesk.accounts.links import PasswordReset
from supportdesk.accounts.models import AssignmentStrategy, Organization, Role, Team, User
from supportdesk.accounts.passwords import hash_password
from supportdesk.accounts.permissions import require
from supportdesk.customers.service import normalise_email
from supportdesk.db import utcnow
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.extensions import db
from supportdesk.kb.hosts import checked_help_host
from supportdesk.localtime import is_time_zone
from supportdesk.sessions.models import AgentSession
from supportdesk.sessions.service import revoke_sessions
from supportdesk.tokens.service import revoke_agent_tokens

MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class SlugOwner:
    """A domain that names things after organization slugs (mail: `*@<slug>.<MAIL_DOMAIN>`).

    It registers itself (create_app), so accounts imports none of the domains built on it.
    """

    is_free: Callable[[str], bool]  # nothing of the domain's already uses this slug
    claim: Callable[[Organization], None]  # set up the new organization's share (same transaction)


_slug_owners: list[SlugOwner] = []


def register_slug_owner(owner: SlugOwner) -> None:
    """Have `owner` vet every new organization's slug and claim its share; once per owner."""
    if owner not in _slug_owners:
        _slug_owners.append(owner)


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "org"


def create_organization(name: str) -> Organization:
    """A new tenant with a unique slug derived from its name, and its default support address.

    A slug is taken when another organization has it or when a registered SlugOwner uses it
    (mail: an address was ever registered in its namespace `*@<slug>.<MAIL_DOMAIN>`): then a
    free one is picked (`<slug>-1a2b`), so the default address `support@<slug>.<MAIL_DOMAIN>`
    that mail claims for it is always the new organization's.
    """
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("An organization needs a name.", {"org": "Enter a name."})
    base = _slugify(name)
    slug = base
    while db.session.scalar(sa.select(Organization.id).where(Organization.slug == slug)) or not all(
        owner.is_free(slug) for owner in _slug_owners
    ):
        slug = f"{base}-{secrets.token_hex(2)}"
    org = Organization(name=name[:200], slug=slug)
    db.session.add(org)
    db.session.flush()
    for owner in _slug_owners:
        owner.claim(org)
    return org


def check_password_strength(password: str) -> None:
    """Refuse passwords shorter than the minimum (length beats composition rules)."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            "The password is too short.",
            {"password": f"Use at least {MIN_PASSWORD_LENGTH} characters."},
        )


def _unique_email(email: str, *, exclude_id: int | None = None) -> str:
    email = normalise_email(email)
    query = sa.select(User.id).where(User.email == email)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise ValidationFailed(
            f"An agent with the address {email} already exists.",
            {"email": "This address is already used by an agent."},
        )
    return email


def register_agent(
    organization: Organization, *, email: str, name: str, password: str, role: Role
) -> User:
    """Create an agent without an acting user (installation setup: create-admin, seeding)."""
    email = _unique_email(email)
    check_password_strength(password)
    name = " ".join((name or "").split()) or email.split("@")[0]
    user = User(
        organization_id=organization.id,
        organization=organization,
        email=email,
        name=name[:200],
        role=role,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_agent(actor: User, *, email: str, name: str, password: str, role: Role) -> User:
    """An admin adds an agent to their organization."""
    require(actor, "agent.manage")
    agent = register_agent(actor.organization, email=email, name=name, password=password, role=role)
    _audit_agent(actor, "agent.created", agent, after={"email": agent.email, "role": role})
    return agent


def _audit_agent(actor: User | None, action: str, agent: User, **change) -> None:
    audit.record(
        agent.organization_id,
        action,
        actor=actor,
        target=("agent", agent.id, audit.service.agent_label(agent)),
        **change,
    )


def _agent(actor: User, agent_id: int) -> User:
    agent = db.session.scalar(
        sa.select(User).where(User.organization_id == actor.organization_id, User.id == agent_id)
    )
    if agent is None:
        raise NotFound("That agent does not exist.")
    return agent


def _other_active_admins(agent: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            User.organization_id == agent.organization_id,
            User.role == Role.ADMIN,
            User.active.is_(True),
            User.id != agent.id,
        )
    )


def update_agent(actor: User, agent_id: int, *, name: str, email: str, role: Role) -> User:
    """Change an agent's name, email and role; the last active admin keeps the admin role."""
    require(actor, "agent.manage")
    agent = _agent(actor, agent_id)
    if agent.role is Role.ADMIN and role is not Role.ADMIN and not _other_active_admins(agent):
        raise ValidationFailed(
            "The organization needs at least one active admin.",
            {"role": "Make another agent admin first."},
        )
    before = audit.snapshot(agent, ("name", "email"))
    old_role = agent.role
    agent.email = _unique_email(email, exclude_id=agent.id)
    agent.name = " ".join((name or "").split())[:200] or agent.name
    agent.role = role
    db.session.flush()
    was, now = audit.changes(before, audit.snapshot(agent, ("name", "email")))
    if now:
        _audit_agent(actor, "agent.updated", agent, before=was, after=now)
    if old_role is not role:
        _audit_agent(
            actor, "agent.role_changed", agent, before={"role": old_role}, after={"role": role}
        )
    return agent


def set_active(actor: User, agent_id: int, active: bool) -> User:
    """Deactivate (revokes every session and API token) or reactivate (revives none) an agent."""
    require(actor, "agent.manage")
    agent = _agent(actor, agent_id)
    if not active:
        if agent.id == actor.id:
            raise ValidationFailed(
                "You cannot deactivate yourself.", {"active": "Ask another admin."}
            )
        if agent.role is Role.ADMIN and not _other_active_admins(agent):
            raise ValidationFailed(
                "The organization needs at least one active admin.",
                {"active": "Make another agent admin first."},
            )
    revoked = {}
    if not active:
        revoked = {
            "sessions_ended": revoke_sessions(agent),
            "tokens_revoked": revoke_agent_tokens(agent),
        }
    if agent.active is not active:
        _audit_agent(
            actor,
            "agent.reactivated" if active else "agent.deactivated",
            agent,
            before={"active": agent.active},
            after={"active": active, **revoked},
        )
    agent.active = active
    db.session.flush()
    return agent


def set_password(agent: User, password: str, *, keep: AgentSession | None = None) -> None:
    """Store a new password and revoke every session of the agent but `keep` (the one in use)."""
    check_password_strength(password)
    agent.password_hash = hash_password(password)
    revoke_sessions(agent, keep=keep)
    invalidate_open_resets(agent)
    db.session.flush()


def invalidate_open_resets(user: User) -> int:
    """Make every unused reset link of `user` stop working (sign-in, password change, newer link)."""
    return db.session.execute(
        sa.update(PasswordReset)
        .where(
            PasswordReset.organization_id == user.organization_id,
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.invalidated_at.is_(None),
        )
        .values(invalidated_at=utcnow())
    ).rowcount


# -- teams ----------------------------------------------------------------------------------


def _clean_team_name(organization_id: int, name: str, exclude_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("A team needs a name.", {"name": "Enter a name."})
    query = sa.select(Team.id).where(
        # Both sides lowered by the database: Python's lower() differs past ASCII.
        Team.organization_id == organization_id,
        sa.func.lower(Team.name) == sa.func.lower(name),
    )
    if exclude_id is not None:
        query = query.where(Team.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise ValidationFailed(
            f"A team called {name!r} already exists.", {"name": "Pick another name."}
        )
    return name[:120]


def _members(organization_id: int, member_ids: list[int]) -> list[User]:
    if not member_ids:
        return []
    members = list(
        db.session.scalars(
            sa.select(User).where(User.organization_id == organization_id, User.id.in_(member_ids))
        )
    )
    if len(members) != len(set(member_ids)):
        raise ValidationFailed(
            "Some members are not agents of your organization.",
            {"members": "Pick agents from the list."},
        )
    return members


def create_team(
    actor: User,
    *,
    name: str,
    description: str = "",
    member_ids: list[int] = (),
    strategy: AssignmentStrategy = AssignmentStrategy.MANUAL,
) -> Team:
    """Create a team with its members and assignment strategy."""
    require(actor, "team.manage")
    team = Team(
        organization_id=actor.organization_id,
        name=_clean_team_name(actor.organization_id, name),
        description=(description or "").strip()[:500],
        members=_members(actor.organization_id, list(member_ids)),
        assignment_strategy=strategy,
    )
    db.session.add(team)
    db.session.flush()
    _audit_team(actor, "team.created", team, None)
    return team


def _team_snapshot(team: Team) -> dict:
    return {
        "name": team.name,
        "description": team.description,
        "member_ids": sorted(m.id for m in team.members),
        "assignment_strategy": team.assignment_strategy.value,
    }


def _audit_team(actor: User, action: str, team: Team, before: dict | None) -> None:
    audit.record_changes(
        actor.organization_id,
        action,
        actor=actor,
        target=("team", team.id, team.name),
        before=before,
        after=_team_snapshot(team),
    )


def update_team(
    actor: User,
    team_id: int,
    *,
    name: str,
    description: str,
    member_ids: list[int],
    strategy: AssignmentStrategy | None = None,
) -> Team:
    """Rename a team, replace its members and (when given) its assignment strategy."""
    require(actor, "team.manage")
    team = db.session.scalar(
        sa.select(Team).where(Team.organization_id == actor.organization_id, Team.id == team_id)
    )
    if team is None:
        raise NotFound("That team does not exist.")
    before = _team_snapshot(team)
    team.name = _clean_team_name(actor.organization_id, name, exclude_id=team.id)
    team.description = (description or "").strip()[:500]
    team.members = _members(actor.organization_id, list(member_ids))
    if strategy is not None:
        team.assignment_strategy = strategy
    db.session.flush()
    _audit_team(actor, "team.updated", team, before)
    return team


def _checked_zone(time_zone: str) -> str:
    if not is_time_zone(time_zone):
        raise ValidationFailed(
            "That time zone is not known.",
            {
                "time_zone": f"{time_zone!r} is not a time zone from the list, such as Europe/Berlin."
            },
        )
    return time_zone


def set_own_time_zone(agent: User, time_zone: str | None) -> None:
    """The zone the console shows this agent's times in; empty follows the organization's."""
    agent.time_zone = _checked_zone(time_zone) if time_zone else None
    db.session.flush()


def set_own_language(agent: User, language: str | None) -> None:
    """The language of this agent's console and of the mail they get; empty is English."""
    agent.language = i18n.check(language)
    db.session.flush()


def set_organization_time_zone(actor: User, time_zone: str) -> Organization:
    """The zone of the organization's emails, and of the console for agents who chose none."""
    return update_organization(
        actor, time_zone=time_zone, audit_retention_days=actor.organization.audit_retention_days
    )


ORGANIZATION_FIELDS = ("time_zone", "audit_retention_days", "help_host")
UNCHANGED = object()


def update_organization(
    actor: User, *, time_zone: str, audit_retention_days: int, help_host: object = UNCHANGED
) -> Organization:
    """The organization's settings: its time zone, how long the audit log keeps entries and, when
    given, the help center's own host name (empty: none; supportdesk.kb.hosts)."""
    require(actor, "organization.manage")
    org = actor.organization
    before = audit.snapshot(org, ORGANIZATION_FIELDS)
    zone = _checked_zone(time_zone)
    days = audit.service.checked_retention(audit_retention_days)
    if help_host is not UNCHANGED:
        org.help_host = checked_help_host(help_host, org.id)
    org.time_zone, org.audit_retention_days = zone, days
    db.session.flush()
    audit.record_changes(
        org.id,
        "organization.updated",
        actor=actor,
        target=("organization", org.id, org.name),
        before=before,
        after=audit.snapshot(org, ORGANIZATION_FIELDS),
    )
    return org


def set_time_tracking(actor: User, enabled: bool) -> bool:
    """Turn time tracking on or off (the composer's minutes field). Returns whether it changed."""
    require(actor, "organization.manage")
    org = actor.organization
    changed = org.time_tracking != enabled
    org.time_tracking = enabled
    db.session.flush()
    return changed


def set_away(agent: User, away: bool) -> bool:
    """Mark yourself away (no new tickets from team assignment) or back. Returns the new state."""
    agent.away = away
    db.session.flush()
    return away
