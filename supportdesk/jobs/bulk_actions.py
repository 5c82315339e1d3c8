"""Bulk action jobs: a bulk action on more tickets than a page, run in committed batches."""

from __future__ import annotations

import logging

from supportdesk import jobs
from supportdesk.bulk_actions.service import RUN_JOB, run_job, stalled_jobs
from supportdesk.jobs import job

log = logging.getLogger(__name__)


@job
def run_bulk_job(job_id: int) -> None:
    """Apply bulk job `job_id` to the tickets it has not reached yet (idempotent), one slice of
    about a minute; the rest goes on in a new job."""
    if run_job(job_id):
        jobs.enqueue(RUN_JOB, job_id, queue="default")


@job
def resume_bulk_jobs() -> int:
    """Enqueue again the bulk jobs whose worker was lost (or that Redis never took)."""
    stalled = stalled_jobs()
    for job_id in stalled:
        log.warning("Bulk job %d made no progress for a while; enqueued again", job_id)
        jobs.enqueue(RUN_JOB, job_id, queue="default")
    return len(stalled)
