"""Export jobs: write an export's file."""

from __future__ import annotations

from supportdesk.exports import service
from supportdesk.jobs import job


@job
def run_export(export_id: int) -> None:
    """Stream the export's rows to its file (see supportdesk.exports.service)."""
    service.run(export_id)
