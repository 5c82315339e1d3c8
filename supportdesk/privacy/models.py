"""Rows of the privacy package: customers' data exports and each organization's retention policy."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import User
from supportdesk.customers.models import Customer
from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db


class ExportStatus(enum.Enum):
    """Where an export is: waiting for a worker, being built, ready to download, or failed."""

    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def finished(self) -> bool:
        return self in (ExportStatus.READY, ExportStatus.FAILED)


class DataExport(db.Model):
    """One archive of everything held about a customer, built in the background.

    It names the customer by id only (the customer's own row says who): erasing the customer
    deletes their exports, rows and files, so no copy of their data outlives the erasure.
    """

    __tablename__ = "data_exports"
    __table_args__ = (
        sa.Index("ix_data_exports_org_created", "organization_id", "created_at", "id"),
        sa.Index("ix_data_exports_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"))
    requested_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[ExportStatus] = mapped_column(
        enum_column(ExportStatus, "export_status"), default=ExportStatus.QUEUED
    )
    # Steps done out of steps to do (tickets, then files), for the progress bar.
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    # The zip in supportdesk.storage (None until ready, and after it expired).
    storage_key: Mapped[str | None] = mapped_column(sa.String(64))
    size: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship(lazy="raise_on_sql")
    requested_by: Mapped[User | None] = relationship(lazy="raise_on_sql")

    @property
    def percent(self) -> int:
        if self.status is ExportStatus.READY:
            return 100
        return 0 if not self.total else int(100 * self.done / self.total)

    @property
    def filename(self) -> str:
        return f"customer-{self.customer_id}-export-{self.id}.zip"

    def __repr__(self) -> str:
        return f"<DataExport {self.id} {self.status.value}>"


class ClosedTicketAction(enum.Enum):
    """What the retention policy does to closed tickets past their age."""

    OFF = "off"
    DELETE = "delete"
    ANONYMIZE = "anonymize"

    @property
    def label(self) -> str:
        return {"off": "Keep them", "delete": "Delete them", "anonymize": "Anonymize them"}[
            self.value
        ]


class RetentionPolicy(db.Model):
    """An organization's retention rules; nothing runs until `enabled` (previewed first)."""

    __tablename__ = "retention_policies"

    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(default=False)
    closed_ticket_action: Mapped[ClosedTicketAction] = mapped_column(
        enum_column(ClosedTicketAction, "closed_ticket_action"), default=ClosedTicketAction.OFF
    )
    closed_ticket_days: Mapped[int] = mapped_column(default=730)
    # None: keep received mail's raw bytes as long as its ticket.
    inbound_mail_days: Mapped[int | None]
    export_days: Mapped[int] = mapped_column(default=7)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # What the last run removed, by kind ({"tickets": 3, "inbound_mail": 10, "exports": 1}).
    last_run_counts: Mapped[dict] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
