"""CRM jobs: the drain that writes due sync rows, the sweep, and the scheduled pull."""

from __future__ import annotations

from supportdesk import jobs
from supportdesk.crm import inbound, service, sync
from supportdesk.crm.models import CrmConnection
from supportdesk.extensions import db
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


@job
def apply_crm_webhook(connection_id: int, contact_ids: list[str]) -> int:
    """Take the contacts a CRM webhook named (see supportdesk.inbound.crm)."""
    connection = db.session.get(CrmConnection, connection_id)
    if connection is None or not connection.enabled:
        return 0
    return inbound.apply_contacts(connection, contact_ids)
