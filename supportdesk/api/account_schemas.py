"""API v1 schemas and examples of the audit log and invitations (admins only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field

from supportdesk.accounts.models import Role
from supportdesk.api.schemas import MAX_ID, Email, Id, Input, Output, Text, Timestamp
from supportdesk.audit.actions import ACTIONS, target_types
from supportdesk.audit.models import ActorType
from supportdesk.params import INT8_MAX

AuditAction = Literal[tuple(ACTIONS)]
TargetType = Literal[tuple(target_types())]


class AuditEntry(Output):
    """One audit log entry: who did what to which target, before → after, when, from where."""

    id: int
    created_at: dt.datetime
    actor_type: ActorType
    actor_user_id: int | None
    api_token_id: int | None
    actor_label: str = Field(description="The actor as named at the time ('Name <email>').")
    action: str = Field(description="A name from the audit actions table (see `action` filter).")
    target_type: str
    target_id: int | None
    target_label: str
    before: dict[str, Any] | None = Field(description="Changed values before; secrets redacted.")
    after: dict[str, Any] | None = Field(description="Changed values after; secrets redacted.")
    ip_address: str
    user_agent: str


class AuditPage(Output):
    """A page of the audit log, newest first; pass `next_cursor` back as `cursor`."""

    data: list[AuditEntry]
    next_cursor: str | None


class AuditQuery(Input):
    """Filters and paging of the audit log (newest first)."""

    cursor: Annotated[str, Field(pattern=r"^[0-9]{1,19}$")] | None = Field(
        default=None, description="`next_cursor` of the previous page."
    )
    limit: int = Field(default=50, ge=1, le=200)
    actor_user_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    action: AuditAction | None = None
    target_type: TargetType | None = None
    target_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    since: Timestamp | None = Field(default=None, description="Entries at or after this time.")
    until: Timestamp | None = Field(default=None, description="Entries before this time.")

    @property
    def before_id(self) -> int | None:
        # Entry ids are 64-bit: a larger cursor is past every entry (the newest page).
        return min(int(self.cursor), INT8_MAX) if self.cursor else None


class Invitation(Output):
    """A pending (or expired) invitation: the person, their role and teams, the link's expiry."""

    id: int
    email: str
    name: str
    role: Role
    team_ids: list[int]
    created_at: dt.datetime
    sent_at: dt.datetime
    expires_at: dt.datetime


class InvitationList(Output):
    """Invitations neither accepted nor revoked, newest first."""

    data: list[Invitation]


class InvitationCreate(Input):
    """Who to invite: the link to choose a password is mailed to `email`."""

    email: Email
    name: Text(200) = ""
    role: Role = Role.AGENT
    team_ids: list[Id] = Field(default=[], max_length=100)


AUDIT_ENTRY = {
    "id": 981,
    "created_at": "2026-11-27T23:40:12Z",
    "actor_type": "user",
    "actor_user_id": 1,
    "api_token_id": None,
    "actor_label": "Ada Admin <ada@example.com>",
    "action": "agent.role_changed",
    "target_type": "agent",
    "target_id": 7,
    "target_label": "Alex Agent <alex@example.com>",
    "before": {"role": "agent"},
    "after": {"role": "senior_agent"},
    "ip_address": "203.0.113.7",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
}
AUDIT_PAGE = {"data": [AUDIT_ENTRY], "next_cursor": "981"}
INVITATION = {
    "id": 12,
    "email": "nia@example.com",
    "name": "Nia New",
    "role": "agent",
    "team_ids": [3],
    "created_at": "2026-11-27T23:40:12Z",
    "sent_at": "2026-11-27T23:40:12Z",
    "expires_at": "2026-12-04T23:40:12Z",
}
INVITATION_LIST = {"data": [INVITATION]}
INVITATION_CREATE = {
    "email": "nia@example.com",
    "name": "Nia New",
    "role": "agent",
    "team_ids": [3],
}
