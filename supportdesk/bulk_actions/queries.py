"""Bulk job reads: one job of the organization with who started it, and its failures."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from supportdesk.bulk_actions.models import BulkJob, BulkJobFailure
from supportdesk.errors import NotFound
from supportdesk.extensions import db

FAILURES_SHOWN = 500


def get_job(organization_id: int, job_id: int) -> BulkJob:
    """The job, with its creator; another organization's job is a NotFound (1 query)."""
    job = db.session.scalar(
        sa.select(BulkJob)
        .where(BulkJob.organization_id == organization_id, BulkJob.id == job_id)
        .options(joinedload(BulkJob.created_by))
    )
    if job is None:
        raise NotFound("There is no such bulk action.")
    return job


def job_failures(
    organization_id: int, job_id: int, *, limit: int = FAILURES_SHOWN
) -> list[BulkJobFailure]:
    """The tickets the job did not change, in the order it met them (1 query)."""
    return list(
        db.session.scalars(
            sa.select(BulkJobFailure)
            .where(
                BulkJobFailure.organization_id == organization_id,
                BulkJobFailure.bulk_job_id == job_id,
            )
            .order_by(BulkJobFailure.id)
            .limit(limit)
        )
    )
