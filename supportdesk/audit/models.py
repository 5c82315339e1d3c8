"""The audit entry: who did what to which target, before -> after, when, from where.

Append-only for the app: the ORM refuses to update or delete an entry (below), and on
PostgreSQL a trigger (migration 0022) refuses UPDATE always and DELETE except the retention
purge, which must name its cutoff in the transaction (`audit.service.purge_expired`).
Nothing here has a foreign key to what it names but the organization: the log outlives the
agents, tokens and tickets it is about, so it keeps their labels as they were.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db

MAX_LABEL = 300
MAX_USER_AGENT = 300


class ActorType(enum.Enum):
    """Who acted: an agent in the console, an agent's API token, or the system (a job)."""

    USER = "user"
    API_TOKEN = "api_token"  # noqa: S105  (a kind of actor, not a secret)
    SYSTEM = "system"


class AuditEntry(db.Model):
    """One recorded action. Never changed once written."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_org_id", "organization_id", "id"),
        sa.Index("ix_audit_entries_org_created", "organization_id", "created_at"),
        sa.Index("ix_audit_entries_org_action", "organization_id", "action", "id"),
        sa.Index("ix_audit_entries_org_actor", "organization_id", "actor_user_id", "id"),
        sa.Index("ix_audit_entries_org_target", "organization_id", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    actor_type: Mapped[ActorType] = mapped_column(enum_column(ActorType, "audit_actor_type"))
    actor_user_id: Mapped[int | None] = mapped_column()
    api_token_id: Mapped[int | None] = mapped_column()
    # The actor as they were named then ("Ada Admin <ada@…>", "system").
    actor_label: Mapped[str] = mapped_column(sa.String(MAX_LABEL), default="")
    action: Mapped[str] = mapped_column(sa.String(60))
    target_type: Mapped[str] = mapped_column(sa.String(40), default="")
    target_id: Mapped[int | None] = mapped_column()
    target_label: Mapped[str] = mapped_column(sa.String(MAX_LABEL), default="")
    # What changed, as plain JSON; secrets never (audit.service.redact).
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(MAX_USER_AGENT), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action}>"


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit entry through the ORM."""


@sa.event.listens_for(AuditEntry, "before_update")
@sa.event.listens_for(AuditEntry, "before_delete")
def _append_only(mapper, connection, target: AuditEntry) -> None:
    raise AuditLogIsAppendOnly("the audit log is append-only")
