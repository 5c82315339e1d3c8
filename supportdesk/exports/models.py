"""An export: a job row (queued → running → completed / failed / cancelled) and its file."""

from __future__ import annotations

import datetime as dt
import enum
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import User
from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db

# How long a finished export can be downloaded; then its file is deleted (the row stays):
# exports.service.withdraw_expired_files, run hourly by jobs.exports.delete_expired_exports.
KEEP = dt.timedelta(days=7)
# Every kind of export, as people name it in English (the stored notification text; the console
# and the email say it in the reader's language: supportdesk.labels, emails/_export_labels.html).
KIND_LABELS = {
    "tickets": "Tickets",
    "messages": "Messages",
    "history": "Ticket history",
    "customers": "Customers",
    "report": "Report table",
}


class ExportStatus(enum.Enum):
    """Where an export is."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def finished(self) -> bool:
        return self not in (ExportStatus.QUEUED, ExportStatus.RUNNING)


class Export(db.Model):
    """Who asked for which rows in which format, how far the job got, and where the file is."""

    __tablename__ = "exports"
    __table_args__ = (sa.Index("ix_exports_org_created", "organization_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # a key of KIND_LABELS
    format: Mapped[str] = mapped_column(sa.String(10))  # "csv" | "jsonl"
    excel_bom: Mapped[bool] = mapped_column(default=False)
    # The query string that chose the rows (queue filters, or report parameters).
    parameters: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[ExportStatus] = mapped_column(
        enum_column(ExportStatus, "export_status"), default=ExportStatus.QUEUED
    )
    rows: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    storage_key: Mapped[str | None] = mapped_column(sa.String(64))
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User] = relationship(lazy="raise_on_sql")

    @property
    def percent(self) -> int:
        if self.status is ExportStatus.COMPLETED:
            return 100
        return min(99, 100 * self.rows // self.total) if self.total else 0

    @property
    def filename(self) -> str:
        return f"{self.kind}-export-{self.id}.{self.format}"

    @property
    def query_string(self) -> str:
        """The parameters as the query string they came from (to ask for the export again)."""
        return urlencode(self.parameters, doseq=True)

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    @property
    def expired_now(self) -> bool:
        """Whether its file has expired (a notification shows "Expired", not a download)."""
        return self.expired(utcnow())
