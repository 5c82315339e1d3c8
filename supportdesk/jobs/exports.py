"""Export jobs: write an export's file; delete the files of expired exports."""

from __future__ import annotations

from supportdesk.exports import service
from supportdesk.extensions import db
from supportdesk.jobs import job


@job
def run_export(export_id: int) -> None:
    """Stream the export's rows to its file (see supportdesk.exports.service)."""
    service.run(export_id)


@job
def delete_expired_exports() -> int:
    """Delete the files of exports past their expiry (the rows stay, shown as expired), one
    transaction per EXPIRED_BATCH exports; returns how many."""
    total = 0
    while True:
        withdrawn = service.withdraw_expired_files()
        db.session.commit()
        total += withdrawn
        if withdrawn < service.EXPIRED_BATCH:
            return total
