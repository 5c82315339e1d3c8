"""Privacy jobs: build a customer's data export; apply every organization's retention policy."""

from __future__ import annotations

from supportdesk.jobs import job


@job
def build_export(export_id: int) -> None:
    """Build the archive of export `export_id` (skipped when already finished)."""
    from supportdesk.privacy.export import run_export

    run_export(export_id)


@job
def apply_retention() -> dict[str, int]:
    """Apply each enabled retention policy, one organization per transaction; totals removed."""
    from supportdesk.privacy.retention import apply_all

    return apply_all()
