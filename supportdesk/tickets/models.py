"""Ticket models: the ticket, its messages (replies and notes), tags and the append-only history."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import Team, User
from supportdesk.customers.models import Customer
from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db
from supportdesk.sla.models import TicketSla


class Status(enum.Enum):
    """Where a ticket is in its life. Pending means waiting on the customer."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_active(self) -> bool:
        """Open, in progress or pending: still needs someone."""
        return self in ACTIVE_STATUSES


ACTIVE_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.PENDING)


class Priority(enum.Enum):
    """How urgent a ticket is; stored as a small integer so it sorts by urgency."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def from_rank(cls, rank: int) -> Priority:
        return _RANK_PRIORITY[rank]


_PRIORITY_RANK = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3, Priority.CRITICAL: 4}
_RANK_PRIORITY = {rank: p for p, rank in _PRIORITY_RANK.items()}


class PriorityType(sa.TypeDecorator):
    """Priority stored as 1 (low) … 4 (critical)."""

    impl = sa.SmallInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = Priority(value)
        return value.rank

    def process_result_value(self, value, dialect):
        return None if value is None else Priority.from_rank(value)


class Channel(enum.Enum):
    """How the ticket reached us."""

    EMAIL = "email"
    WEB = "web"
    API = "api"

    @property
    def label(self) -> str:
        return self.value.upper() if self is Channel.API else self.value.capitalize()


class MessageKind(enum.Enum):
    """A public reply (the customer sees it) or an internal note (agents only)."""

    PUBLIC = "public"
    INTERNAL = "internal"


class Ticket(db.Model):
    """A customer's request and everything known about it."""

    __tablename__ = "tickets"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "number", name="uq_tickets_org_number"),
        sa.CheckConstraint("priority BETWEEN 1 AND 4", name="priority_range"),
        # Queue pages: filter by status (and assignee), newest activity first.
        sa.Index("ix_tickets_org_status_updated", "organization_id", "status", "updated_at", "id"),
        sa.Index("ix_tickets_org_assignee_status", "organization_id", "assignee_id", "status"),
        sa.Index("ix_tickets_org_updated", "organization_id", "updated_at", "id"),
        sa.Index("ix_tickets_org_team_status", "organization_id", "team_id", "status"),
        sa.Index("ix_tickets_org_customer", "organization_id", "customer_id", "created_at"),
        # The status rides along (migration 0039): a queue narrowed by priority is counted
        # from the index alone.
        sa.Index(
            "ix_tickets_org_priority",
            "organization_id",
            "priority",
            "updated_at",
            "id",
            postgresql_include=["status"],
        ),
        # Only merged tickets: serves the foreign key when a survivor is deleted.
        sa.Index(
            "ix_tickets_merged_into_id",
            "merged_into_id",
            postgresql_where=sa.text("merged_into_id IS NOT NULL"),
            sqlite_where=sa.text("merged_into_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    number: Mapped[int]
    subject: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[Status] = mapped_column(enum_column(Status, "status"), default=Status.OPEN)
    priority: Mapped[Priority] = mapped_column(PriorityType, default=Priority.MEDIUM)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"), default=Channel.WEB)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"))
    # Custom field values by key (supportdesk.fields.rules); on PostgreSQL a GIN index
    # (jsonb_path_ops, migration 0021) serves the queue's filters: supportdesk.fields.filters.
    custom_fields: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # A merged ticket (closed) points at the ticket its conversation moved to (supportdesk.tickets.merge).
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="SET NULL")
    )
    # Optimistic locking: every UPDATE checks and bumps it; forms carry the version they showed.
    version: Mapped[int] = mapped_column(default=1)

    customer: Mapped[Customer] = relationship(lazy="raise_on_sql")
    assignee: Mapped[User | None] = relationship(lazy="raise_on_sql")
    team: Mapped[Team | None] = relationship(lazy="raise_on_sql")
    tag_rows: Mapped[list[TicketTag]] = relationship(
        lazy="raise_on_sql", cascade="all, delete-orphan", order_by="TicketTag.name"
    )
    # The database cascades deletes; the ORM must not touch append-only history on the way.
    messages: Mapped[list[Message]] = relationship(
        lazy="raise_on_sql", back_populates="ticket", order_by="Message.id", passive_deletes="all"
    )
    events: Mapped[list[TicketEvent]] = relationship(
        lazy="raise_on_sql",
        back_populates="ticket",
        order_by="TicketEvent.id",
        passive_deletes="all",
    )

    # The ticket this one was merged into (its next link; supportdesk.tickets.merge.survivor
    # follows the chain). Readers that show it load it explicitly.
    merged_into: Mapped[Ticket | None] = relationship(
        lazy="raise_on_sql", remote_side="Ticket.id", foreign_keys="Ticket.merged_into_id"
    )

    # The SLA clock lives in its own row (see supportdesk.sla.models); queues join it.
    sla: Mapped[TicketSla | None] = relationship(lazy="raise_on_sql", viewonly=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def tags(self) -> list[str]:
        return [row.name for row in self.tag_rows]

    @property
    def reference(self) -> str:
        return f"#{self.number}"

    @property
    def merged_into_number(self) -> int | None:
        """The number of the ticket this one was merged into (readers load `merged_into`)."""
        return None if self.merged_into_id is None else self.merged_into.number

    def __repr__(self) -> str:
        return f"<Ticket #{self.number} {self.status.value}>"


class TicketCount(db.Model):
    """How many tickets an organization has per status and assignee (0: unassigned).

    Written only by database triggers (migration 0015), in the transaction that changes tickets:
    the sidebar counts read these few rows instead of counting tickets. Never written by the app.
    """

    __tablename__ = "ticket_counts"

    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    assignee_id: Mapped[int] = mapped_column(primary_key=True)
    tickets: Mapped[int]


class TicketTag(db.Model):
    """One tag on one ticket (a row per tag, so tag filters use an index)."""

    __tablename__ = "ticket_tags"
    __table_args__ = (sa.Index("ix_ticket_tags_org_name", "organization_id", "name", "ticket_id"),)

    ticket_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))


class Message(db.Model):
    """One entry of the conversation, written by an agent or by the customer."""

    __tablename__ = "messages"
    __table_args__ = (
        sa.Index("ix_messages_ticket_id", "ticket_id", "id"),
        sa.Index("ix_messages_organization_id", "organization_id", "created_at"),
        sa.CheckConstraint(
            "(author_user_id IS NULL) <> (author_customer_id IS NULL)", name="one_author"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind, "message_kind"))
    author_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    author_customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    body_text: Mapped[str] = mapped_column(sa.Text)
    # Sanitized HTML (inbound mail); the console renders body_text when this is empty.
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    # "markdown": body_text is an agent's Markdown source and body_html its sanitized rendering
    # (supportdesk.markdown); "text": body_text is plain text, shown as written.
    body_format: Mapped[str] = mapped_column(sa.String(10), default="text", server_default="text")
    # Addresses copied on an agent's reply, comma-separated (the email's Cc header).
    cc: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Minutes the author spent on it, when the organization tracks time (reports sum them).
    time_spent_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    email_message_id: Mapped[str | None] = mapped_column(sa.String(998))
    in_reply_to: Mapped[str | None] = mapped_column(sa.String(998))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(lazy="raise_on_sql", back_populates="messages")
    author_user: Mapped[User | None] = relationship(lazy="raise_on_sql")
    author_customer: Mapped[Customer | None] = relationship(lazy="raise_on_sql")

    @property
    def is_internal(self) -> bool:
        return self.kind is MessageKind.INTERNAL

    @property
    def author_name(self) -> str:
        if self.author_user is not None:
            return self.author_user.name
        return self.author_customer.display_name if self.author_customer else "Unknown"


class EventKind(enum.Enum):
    """What a history entry records."""

    CREATED = "created"
    REPLIED = "replied"
    NOTED = "noted"
    CUSTOMER_REPLIED = "customer_replied"
    STATUS = "status"
    PRIORITY = "priority"
    ASSIGNEE = "assignee"
    TEAM = "team"
    SUBJECT = "subject"
    TAGS = "tags"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    ESCALATED = "escalated"
    MERGED_INTO = "merged_into"
    MERGED_FROM = "merged_from"
    SPLIT_OFF = "split_off"
    SPLIT_FROM = "split_from"
    # A macro was applied: its changes follow, each carrying {"macro": {"id", "run"}} in data.
    MACRO = "macro"
    CUSTOM_FIELD = "custom_field"
    # The customer rated the resolution (supportdesk.satisfaction): {"rating", "comment"?}.
    RATED = "rated"


class TicketEvent(db.Model):
    """Append-only history: who changed what on a ticket, old → new, and when."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        sa.Index("ix_ticket_events_ticket_id", "ticket_id", "id"),
        sa.Index("ix_ticket_events_org_created", "organization_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    # Human-readable values at the time of the change (names, labels), and machine ones in data.
    old_value: Mapped[str | None] = mapped_column(sa.String(500))
    new_value: Mapped[str | None] = mapped_column(sa.String(500))
    data: Mapped[dict] = mapped_column(JSONType, default=dict)
    # The ticket version this change was made against: "what changed since version N" is a filter.
    ticket_version: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(lazy="raise_on_sql", back_populates="events")
    actor_user: Mapped[User | None] = relationship(lazy="raise_on_sql")
    actor_customer: Mapped[Customer | None] = relationship(lazy="raise_on_sql")

    @property
    def actor_name(self) -> str:
        if self.actor_user is not None:
            return self.actor_user.name
        if self.actor_customer is not None:
            return self.actor_customer.display_name
        return "System"


@sa.event.listens_for(TicketEvent, "before_update")
@sa.event.listens_for(TicketEvent, "before_delete")
def _history_is_append_only(mapper, connection, target: TicketEvent) -> None:
    raise RuntimeError("ticket history is append-only")
