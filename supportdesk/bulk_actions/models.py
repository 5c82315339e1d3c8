"""A bulk action run in the background (`BulkJob`) and the tickets it could not change.

The selection is captured as ticket ids when the agent confirms (not as a filter run again by
the worker): the job changes exactly the tickets the agent saw counted, and changing them cannot
move the selection under the job (setting "pending" on the "All open" queue would otherwise
shrink the filter it walks), nor pull in tickets that arrived meanwhile. The filter is kept too,
as words for the progress page and the link back to the queue.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import User
from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db


class JobStatus(enum.Enum):
    """Where a bulk job is: waiting for a worker, running, or finished (completed or failed)."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def finished(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED)


class BulkJob(db.Model):
    """One bulk action on a captured list of tickets, and how far it got."""

    __tablename__ = "bulk_jobs"
    __table_args__ = (sa.Index("ix_bulk_jobs_org_created", "organization_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    created_by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    # The queue filter that selected the tickets (query-string form), for words and the way back.
    selection: Mapped[dict] = mapped_column(JSONType, default=dict)
    ticket_ids: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[JobStatus] = mapped_column(
        enum_column(JobStatus, "bulk_job_status"), default=JobStatus.QUEUED
    )
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)  # changed, or already as asked
    failed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(sa.String(500), default="")  # why the job itself failed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Written with every batch: a queued or running job quiet for long has lost its worker.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship(lazy="raise_on_sql")

    @property
    def processed(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)

    def __repr__(self) -> str:
        return f"<BulkJob {self.id} {self.action} {self.status.value}>"


class BulkJobFailure(db.Model):
    """A ticket the job did not change, and why, in words."""

    __tablename__ = "bulk_job_failures"
    __table_args__ = (sa.Index("ix_bulk_job_failures_job", "bulk_job_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    bulk_job_id: Mapped[int] = mapped_column(sa.ForeignKey("bulk_jobs.id", ondelete="CASCADE"))
    ticket_id: Mapped[int]  # no foreign key: the ticket may be deleted, the report stays
    ticket_number: Mapped[int | None]
    reason: Mapped[str] = mapped_column(sa.String(500))
