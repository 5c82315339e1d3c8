"""Privacy jobs: build a customer's data export; apply every organization's retention policy;
delete stored files nothing refers to any more."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from supportdesk.jobs import defer, job

DELETE_FILES = "supportdesk.jobs.privacy.delete_unreferenced_files"


def delete_files_after_commit(session: Session, keys: Iterable[str | None]) -> None:
    """Delete these stored files once `session` commits, unless a row still refers to one
    (storage is per content); nothing happens if it rolls back."""
    keys = sorted({key for key in keys if key})
    if keys:
        defer(session, DELETE_FILES, keys)


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


@job
def delete_unreferenced_files(keys: list[str]) -> int:
    """Delete the stored files among `keys` that no attachment or export refers to (after the
    transaction that removed their rows committed: a rollback must not lose a file)."""
    from supportdesk.privacy.erase import delete_unreferenced_files as delete

    return delete(keys)
