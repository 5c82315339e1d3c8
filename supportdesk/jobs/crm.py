"""CRM jobs: the drain that writes due sync rows, the sweep, and the scheduled pull."""

from __future__ import annotations

from supportdesk import jobs
from supportdesk.crm import inbound, service, sync
from supportdesk.jobs import job


@job
def sync_crm() -> int:
    """The drain: write every due CRM sync row; returns how many were tried."""
    jobs.woken(service.DRAIN_JOB, queue=service.QUEUE)
    return len(sync.run())


@job
def sweep_crm() -> int:
    """The safety net: rows a dead worker held, and anything due that no job carries."""
    return sync.sweep()


@job
def pull_crm() -> int:
    """Pull tier and company changed in each CRM since its cursor."""
    return inbound.pull_all()
