"""Webhook models: an organization's endpoints, the deliveries (outbox rows) and every attempt."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.db import JSONType, UTCDateTime, utcnow
from supportdesk.extensions import db
from supportdesk.outbox import OutboxMixin

# The event types an endpoint may subscribe to, in the order the admin page lists them.
EVENT_TYPES: dict[str, str] = {
    "ticket.created": "A ticket was opened",
    "ticket.updated": "Fields of a ticket changed (old and new values)",
    "ticket.status_changed": "A ticket moved to another status",
    "ticket.assigned": "A ticket's agent or team changed",
    "ticket.deleted": "An admin deleted a ticket (its conversation and history with it)",
    "ticket.merged": "A ticket was merged into another (its conversation moved there)",
    "ticket.split": "A message was split off a ticket into a new ticket",
    "ticket.rated": "The customer rated a resolution (satisfaction survey), or added a comment",
    "message.created": "A reply, customer message or internal note was added",
    "customer.created": "A customer was created",
    "sla.warning": "A ticket used the warning share of an SLA target",
    "sla.breached": "A ticket missed an SLA target (first response or resolution)",
}
TEST_EVENT = "webhook.test"


class WebhookEndpoint(db.Model):
    """A receiver URL of an organization, the event types it wants and its signing secret."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (sa.Index("ix_webhook_endpoints_org_enabled", "organization_id", "enabled"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    event_types: Mapped[list] = mapped_column(JSONType, default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    # Kept as is because signing needs it; shown once when created or rotated, never again.
    secret: Mapped[str] = mapped_column(sa.String(100))
    disabled_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Deliveries that gave up in a row, and when the current run of failures began.
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    failing_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in (self.event_types or [])

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url}>"


class WebhookDelivery(OutboxMixin, db.Model):
    """One event for one endpoint: the exact body sent on every attempt, under one webhook-id."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_state_next", "state", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_org_endpoint", "organization_id", "endpoint_id", "id"),
        sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(sa.String(50))
    event_id: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[str] = mapped_column(sa.Text)
    last_status_code: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="raise_on_sql")
    attempt_rows: Mapped[list[WebhookAttempt]] = relationship(
        lazy="raise_on_sql", order_by="WebhookAttempt.id", passive_deletes="all"
    )

    @property
    def pretty_payload(self) -> str:
        """The body indented for reading (the bytes sent are the compact `payload`)."""
        return json.dumps(json.loads(self.payload), indent=2, ensure_ascii=False)


class WebhookAttempt(db.Model):
    """One HTTP attempt of a delivery: when, the answer (or error), how long it took."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (sa.Index("ix_webhook_attempts_delivery", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None]
    latency_ms: Mapped[int] = mapped_column(default=0)
    # The first bytes of the answer, decoded leniently; rendered escaped.
    response_excerpt: Mapped[str] = mapped_column(sa.Text, default="")
    error: Mapped[str] = mapped_column(sa.String(500), default="")

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
