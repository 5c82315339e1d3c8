"""Inviting agents by email: an admin names them (email, name, role, teams); they follow the
link, choose a password, and the agent exists from then on, signed in.

A pending invitation holds the address: no second invitation and no agent may take it until it
is accepted, revoked or expired. Resending issues a new link (the old one stops working) and a
new expiry. Every step is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from supportdesk import audit, events
from supportdesk.accounts.links import Invitation, new_secret, secret_hash
from supportdesk.accounts.models import Role, Team, User
from supportdesk.accounts.permissions import require
from supportdesk.accounts.resets import LinkInvalid
from supportdesk.accounts.service import register_agent
from supportdesk.audit.service import agent_label
from supportdesk.customers.service import normalise_email
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, NotFound, ValidationFailed
from supportdesk.extensions import db


@dataclass(frozen=True)
class InvitationSent:
    """An invitation link to mail (mail.rules mails it); `secret` is in the link only."""

    organization_id: int
    invitation_id: int
    email: str
    name: str
    role: str
    inviter: str
    secret: str
    expires_at: dt.datetime
    actor_user_id: int | None = None


def _lifetime() -> dt.timedelta:
    return dt.timedelta(days=float(current_app.config["INVITATION_DAYS"]))


def _pending_for(email: str, now: dt.datetime) -> Invitation | None:
    return db.session.scalar(
        sa.select(Invitation).where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )


def _send(invitation: Invitation, actor: User) -> None:
    plain, hashed = new_secret()
    now = utcnow()
    invitation.token_hash = hashed
    invitation.sent_at = now
    invitation.expires_at = now + _lifetime()
    db.session.flush()
    events.record(
        db.session,
        InvitationSent(
            invitation.organization_id,
            invitation.id,
            invitation.email,
            invitation.name,
            invitation.role.label,
            actor.name,
            plain,
            invitation.expires_at,
        ),
    )


def _snapshot(invitation: Invitation) -> dict:
    return {
        "email": invitation.email,
        "name": invitation.name,
        "role": invitation.role,
        "team_ids": invitation.team_ids,
        "expires_at": invitation.expires_at,
    }


def invite(
    actor: User, *, email: str, name: str, role: Role, team_ids: list[int] = ()
) -> Invitation:
    """Invite someone to join the actor's organization as an agent (mails the link)."""
    require(actor, "agent.manage")
    email = _free_address(email)
    now = utcnow()
    if _pending_for(email, now) is not None:
        raise Conflict(
            f"{email} already has a pending invitation.",
            {"email": "Resend or revoke the pending invitation instead."},
        )
    teams = _members_teams(actor.organization_id, list(team_ids))
    invitation = Invitation(
        organization_id=actor.organization_id,
        email=email,
        name=(" ".join((name or "").split()) or email.split("@")[0])[:200],
        role=role,
        team_ids=[t.id for t in teams],
        invited_by_user_id=actor.id,
        token_hash="",
        created_at=now,
        expires_at=now,
    )
    db.session.add(invitation)
    _send(invitation, actor)
    audit.record(
        actor.organization_id,
        "invitation.sent",
        actor=actor,
        target=("invitation", invitation.id, invitation.label),
        after=_snapshot(invitation),
    )
    return invitation


def _free_address(email: str) -> str:
    """The address normalised (bad syntax: 422); an address an agent uses is a conflict (409)."""
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(
            f"An agent with the address {email} already exists.",
            {"email": "This address is already used by an agent."},
        )
    return email


def _members_teams(organization_id: int, team_ids: list[int]) -> list[Team]:
    if not team_ids:
        return []
    teams = list(
        db.session.scalars(
            sa.select(Team).where(Team.organization_id == organization_id, Team.id.in_(team_ids))
        )
    )
    if len(teams) != len(set(team_ids)):
        raise NotFound("A team you named does not exist.")
    return teams


def _own(actor: User, invitation_id: int) -> Invitation:
    row = db.session.scalar(
        sa.select(Invitation).where(
            Invitation.organization_id == actor.organization_id, Invitation.id == invitation_id
        )
    )
    if row is None:
        raise NotFound("That invitation does not exist.")
    return row


def resend(actor: User, invitation_id: int) -> Invitation:
    """Mail a new link with a new expiry; the previous link stops working."""
    require(actor, "agent.manage")
    row = _own(actor, invitation_id)
    if row.accepted_at is not None or row.revoked_at is not None:
        raise ValidationFailed(
            "This invitation was already accepted or revoked.", {"email": "Invite them again."}
        )
    other = _pending_for(row.email, utcnow())
    if other is not None and other.id != row.id:
        raise ValidationFailed(
            f"{row.email} has a newer pending invitation.", {"email": "Resend that one."}
        )
    _free_address(row.email)  # somebody may have become an agent with it meanwhile
    _send(row, actor)
    audit.record(
        actor.organization_id,
        "invitation.resent",
        actor=actor,
        target=("invitation", row.id, row.label),
        after={"expires_at": row.expires_at},
    )
    return row


def revoke(actor: User, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    require(actor, "agent.manage")
    row = _own(actor, invitation_id)
    if row.accepted_at is not None:
        raise ValidationFailed(
            f"{row.email} already accepted; deactivate the agent instead.", {"email": ""}
        )
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()
        audit.record(
            actor.organization_id,
            "invitation.revoked",
            actor=actor,
            target=("invitation", row.id, row.label),
            before={"pending": True},
            after={"pending": False},
        )
    return row


def usable_invitation(secret: str, now: dt.datetime | None = None) -> Invitation:
    """The pending invitation behind a link's secret, or LinkInvalid."""
    hashed = secret_hash(secret)
    row = (
        db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == hashed))
        if hashed
        else None
    )
    if row is None or not row.usable(now or utcnow()):
        raise LinkInvalid(
            "This invitation link has expired, was already used, or was withdrawn. "
            "Ask an admin of your team to send a new one."
        )
    return row


def accept(secret: str, *, name: str, password: str) -> User:
    """Create the invited agent with the password they chose; the link is used up."""
    row = usable_invitation(secret)
    org = row.organization
    user = register_agent(
        org, email=row.email, name=name or row.name, password=password, role=row.role
    )
    user.teams = _members_teams(org.id, list(row.team_ids or []))
    row.accepted_at = utcnow()
    row.user_id = user.id
    db.session.flush()
    audit.record(
        org.id,
        "invitation.accepted",
        actor=user,
        target=("invitation", row.id, row.label),
        after={"agent_id": user.id, "role": user.role},
    )
    audit.record(
        org.id,
        "agent.created",
        actor=user,
        target=("agent", user.id, agent_label(user)),
        after={"email": user.email, "role": user.role, "invitation_id": row.id},
    )
    return user


def list_pending(organization_id: int, now: dt.datetime | None = None) -> list[Invitation]:
    """The organization's invitations not accepted nor revoked (expired ones too, to resend)."""
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.organization_id == organization_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )
