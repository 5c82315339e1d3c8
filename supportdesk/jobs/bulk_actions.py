"""Bulk action jobs: a bulk action on more tickets than a page, run in committed batches."""

from __future__ import annotations

from supportdesk.bulk_actions.service import run_job
from supportdesk.jobs import job


@job
def run_bulk_job(job_id: int) -> None:
    """Apply bulk job `job_id` to the tickets it has not reached yet (idempotent)."""
    run_job(job_id)
