"""Canned replies and macros: rows of an organization, a reply shared or personal (owner)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import Team, User
from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db
from supportdesk.tickets.models import MessageKind, Priority, PriorityType, Status


class CannedReply(db.Model):
    """A reply an agent inserts in the composer; `owner_id` None means shared by the organization."""

    __tablename__ = "canned_replies"
    __table_args__ = (
        sa.Index("ix_canned_replies_org_owner_title", "organization_id", "owner_id", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User | None] = relationship(lazy="raise_on_sql")

    @property
    def shared(self) -> bool:
        return self.owner_id is None


class Macro(db.Model):
    """A named set of actions applied to a ticket in one click; a field left empty is not touched."""

    __tablename__ = "macros"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name", name="uq_macros_org_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    # The canned text the macro writes (placeholders allowed), as a public reply or a note.
    reply_body: Mapped[str] = mapped_column(sa.Text, default="")
    reply_kind: Mapped[MessageKind] = mapped_column(
        enum_column(MessageKind, "macro_reply_kind"), default=MessageKind.INTERNAL
    )
    status: Mapped[Status | None] = mapped_column(enum_column(Status, "macro_status"))
    priority: Mapped[Priority | None] = mapped_column(PriorityType)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"))
    add_tags: Mapped[list] = mapped_column(JSONType, default=list)
    remove_tags: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignee: Mapped[User | None] = relationship(lazy="raise_on_sql")
    team: Mapped[Team | None] = relationship(lazy="raise_on_sql")

    def actions(self) -> list[str]:
        """What applying it does, in words (load `assignee` and `team` first: queries.py does)."""
        done = []
        if self.reply_body:
            done.append(
                "adds a public reply" if self.reply_kind is MessageKind.PUBLIC else "adds a note"
            )
        if self.status is not None:
            done.append(f"status → {self.status.label}")
        if self.priority is not None:
            done.append(f"priority → {self.priority.label}")
        if self.assignee_id is not None:
            done.append(f"assignee → {self.assignee.name}")
        if self.team_id is not None:
            done.append(f"team → {self.team.name}")
        if self.add_tags:
            done.append("adds " + ", ".join(self.add_tags))
        if self.remove_tags:
            done.append("removes " + ", ".join(self.remove_tags))
        return done
