"""CRM models: an organization's connection, and the sync outbox (one row per thing to write)."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db
from supportdesk.outbox import OutboxMixin
from supportdesk.secretbox import EncryptedText


class Provider(enum.Enum):
    """The CRMs we speak to."""

    HUBSPOT = "hubspot"
    SALESFORCE = "salesforce"

    @property
    def label(self) -> str:
        return {"hubspot": "HubSpot", "salesforce": "Salesforce"}[self.value]

    @property
    def default_base_url(self) -> str:
        # HubSpot: the API host. Salesforce: the login host (the token answer names the instance).
        return {
            "hubspot": "https://api.hubapi.com",
            "salesforce": "https://login.salesforce.com",
        }[self.value]


class ConnectionStatus(enum.Enum):
    """Whether the last call to the CRM worked."""

    UNTESTED = "untested"
    OK = "ok"
    BROKEN = "broken"

    @property
    def label(self) -> str:
        return {"untested": "Not tested yet", "ok": "Working", "broken": "Broken"}[self.value]


class SyncKind(enum.Enum):
    """What a sync row records: a contact (and company) upsert, a timeline entry, or a read of
    the contact that changed the customer or met a conflict (`pull`, written already sent)."""

    CONTACT = "contact"
    TIMELINE = "timeline"
    PULL = "pull"


class CrmConnection(db.Model):
    """An organization's one CRM connection: where, how to sign in, what maps to what."""

    __tablename__ = "crm_connections"
    __table_args__ = (sa.UniqueConstraint("organization_id", name="uq_crm_connections_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    provider: Mapped[Provider] = mapped_column(enum_column(Provider, "crm_provider"))
    enabled: Mapped[bool] = mapped_column(default=True)
    base_url: Mapped[str] = mapped_column(sa.String(500))
    # Secrets: stored encrypted, used by the sync, never rendered back.
    access_token: Mapped[str | None] = mapped_column(EncryptedText)  # HubSpot private-app token
    client_id: Mapped[str] = mapped_column(sa.String(300), default="")
    client_secret: Mapped[str | None] = mapped_column(EncryptedText)
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText)
    # HubSpot: the app's client secret, which signs the webhooks HubSpot sends us (v3).
    webhook_secret: Mapped[str | None] = mapped_column(EncryptedText)
    # Salesforce: the session from the last refresh, and the instance it named.
    session_token: Mapped[str | None] = mapped_column(EncryptedText)
    instance_url: Mapped[str] = mapped_column(sa.String(500), default="")
    # {"name": {"property": "...", "direction": "push"}, ...} (see crm.mapping).
    field_map: Mapped[dict] = mapped_column(JSONType, default=dict)
    timeline_events: Mapped[list] = mapped_column(JSONType, default=list)
    # Salesforce: the sObject a ticket event becomes ("Task" or "Case").
    timeline_object: Mapped[str] = mapped_column(sa.String(20), default="Task")
    status: Mapped[ConnectionStatus] = mapped_column(
        enum_column(ConnectionStatus, "crm_connection_status"), default=ConnectionStatus.UNTESTED
    )
    status_message: Mapped[str] = mapped_column(sa.String(1000), default="")
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Inbound: contacts modified at or after this instant are pulled next.
    pull_cursor: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    pulled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def has_credentials(self) -> bool:
        if self.provider is Provider.HUBSPOT:
            return bool(self.access_token)
        return bool(self.client_id and self.client_secret and self.refresh_token)

    def contact_url(self, crm_id: str) -> str:
        """The contact's page in the CRM ("" when we cannot build one: a HubSpot record's address
        needs the account's portal id, which a private-app token does not give us)."""
        if crm_id and self.provider is Provider.SALESFORCE and self.instance_url:
            return f"{self.instance_url.rstrip('/')}/{crm_id}"
        return ""

    def __repr__(self) -> str:
        return f"<CrmConnection {self.id} {self.provider.value}>"


class CrmSync(OutboxMixin, db.Model):
    """One write to the CRM (a contact upsert, a timeline entry): an outbox row with its log.

    `event_key` is unique per connection for timeline rows ("ticket:12:resolved"), so an event
    queued twice is one row; `crm_object_id` records what was written, so a retried row never
    writes a second note or task.
    """

    __tablename__ = "crm_syncs"
    __table_args__ = (
        sa.Index("ix_crm_syncs_state_next", "state", "next_attempt_at"),
        sa.Index("ix_crm_syncs_org_id", "organization_id", "id"),
        sa.Index("ix_crm_syncs_customer", "customer_id", "id"),
        sa.UniqueConstraint("connection_id", "event_key", name="uq_crm_syncs_connection_event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    connection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("crm_connections.id", ondelete="CASCADE")
    )
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[SyncKind] = mapped_column(enum_column(SyncKind, "crm_sync_kind"))
    event_key: Mapped[str] = mapped_column(sa.String(100))
    # Timeline rows: what happened ({"event", "number", "subject", "at", "status"}).
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    crm_object_id: Mapped[str] = mapped_column(sa.String(100), default="")
    request_summary: Mapped[str] = mapped_column(sa.String(1000), default="")
    response_summary: Mapped[str] = mapped_column(sa.String(2000), default="")
    duration_ms: Mapped[int] = mapped_column(default=0)
    # What the sync decided, in words: changes taken and conflicts with the value that lost.
    note: Mapped[str] = mapped_column(sa.String(2000), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    connection: Mapped[CrmConnection] = relationship(lazy="raise_on_sql")

    @property
    def label(self) -> str:
        if self.kind is SyncKind.CONTACT:
            return "Contact upsert"
        if self.kind is SyncKind.PULL:
            return "Contact read from the CRM"
        return f"Ticket #{self.payload.get('number')} {self.payload.get('event', '')}"
