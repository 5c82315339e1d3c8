"""Each agent's choice, per kind, of in-app and/or email notification: the one place it is decided.

Both the in-app subscriber (notifications.service) and the mail rules (mail.rules) ask `wanting`.
An agent without a saved choice gets the kind's default. SLA warnings have no email: they are
in-app only (the breach that may follow has one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.notifications.models import Channel, NotificationKind, NotificationPreference


@dataclass(frozen=True)
class Choice:
    """Whether one kind reaches the agent in the console and by email."""

    in_app: bool
    email: bool

    def wants(self, channel: Channel) -> bool:
        return self.in_app if channel is Channel.IN_APP else self.email


DEFAULTS: dict[NotificationKind, Choice] = {
    NotificationKind.ASSIGNED: Choice(in_app=True, email=True),
    NotificationKind.CUSTOMER_REPLIED: Choice(in_app=True, email=True),
    NotificationKind.MENTIONED: Choice(in_app=True, email=True),
    NotificationKind.SLA_WARNING: Choice(in_app=True, email=False),
    NotificationKind.SLA_BREACHED: Choice(in_app=True, email=True),
    # Mailed only while the agent is away from the console (mail.outbound.recipients).
    NotificationKind.EXPORT_FINISHED: Choice(in_app=True, email=True),
}
# Kinds that can be mailed (a template in mail.rules); the others are in-app only.
EMAIL_KINDS = frozenset(k for k in NotificationKind if k is not NotificationKind.SLA_WARNING)


def choices(user_id: int) -> dict[NotificationKind, Choice]:
    """Every kind's choice for one agent (saved or default), in NotificationKind order."""
    saved = {
        row.kind: Choice(row.in_app, row.email and row.kind in EMAIL_KINDS)
        for row in db.session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    return {kind: saved.get(kind, DEFAULTS[kind]) for kind in NotificationKind}


def wanting(user_ids: Iterable[int], kind: NotificationKind, channel: Channel) -> set[int]:
    """Which of these agents want `kind` on `channel` (one query)."""
    ids = set(user_ids)
    if not ids:
        return set()
    if channel is Channel.EMAIL and kind not in EMAIL_KINDS:
        return set()
    saved = dict(
        db.session.execute(
            sa.select(
                NotificationPreference.user_id, getattr(NotificationPreference, channel.value)
            ).where(NotificationPreference.user_id.in_(ids), NotificationPreference.kind == kind)
        ).all()
    )
    default = DEFAULTS[kind].wants(channel)
    return {user_id for user_id in ids if saved.get(user_id, default)}


def save(agent: User, values: dict[NotificationKind, Choice]) -> dict[NotificationKind, Choice]:
    """Store the agent's own choices for the kinds given (others keep theirs). Flushes.

    Asking for email of a kind that is never mailed is refused, naming the field.
    """
    for kind, choice in values.items():
        if choice.email and kind not in EMAIL_KINDS:
            raise ValidationFailed(
                f"{kind.label}: shown in the console only, never emailed.",
                {f"{kind.value}.email": "This kind is never emailed: leave it out or false."},
            )
    rows = {
        row.kind: row
        for row in db.session.scalars(
            sa.select(NotificationPreference)
            .where(NotificationPreference.user_id == agent.id)
            .with_for_update()
        )
    }
    for kind, choice in values.items():
        row = rows.get(kind)
        if row is None:
            row = NotificationPreference(
                organization_id=agent.organization_id, user_id=agent.id, kind=kind
            )
            db.session.add(row)
        row.in_app = choice.in_app
        row.email = choice.email
    db.session.flush()
    return choices(agent.id)
