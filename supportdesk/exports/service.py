"""Exports: ask for one (a job row, an audit entry), cancel it, and the job that writes the file.

The job reads rows in keyset batches (`id > last ORDER BY id LIMIT n`, one short transaction
each) into a temporary file, so memory stays flat whatever the number of rows, and commits the
job row's progress (and sees a cancellation) after every batch. A server-side cursor would hold
one transaction, and its snapshot, open for the whole export (minutes at a million tickets,
holding back VACUUM), and a progress commit on its connection would close it. The price: a
ticket changed while the export runs shows as it was when its batch was read. The finished file
goes to the file storage (supportdesk.storage), like attachments.

A search's rows are read otherwise: its condition (every source of the full-text search) would be
computed again for each batch, so the job reads the keys once, in one streamed query, into a
temporary file (8 bytes a row), then the rows BATCH keys at a time (`key IN (...)`).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from supportdesk import audit, events, jobs
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import require
from supportdesk.db import utcnow
from supportdesk.errors import DomainError, NotFound, ValidationFailed
from supportdesk.exports.kinds import SOURCES, Rows
from supportdesk.exports.models import KEEP, KIND_LABELS, Export, ExportStatus
from supportdesk.exports.writers import Writer
from supportdesk.extensions import db
from supportdesk.jobs.privacy import delete_files_after_commit
from supportdesk.storage import storage

log = logging.getLogger(__name__)
JOB = "supportdesk.jobs.exports.run_export"
KINDS = (*SOURCES, "report")
FORMATS = ("csv", "jsonl")
BATCH = 5_000
# Expired exports whose files one transaction withdraws (the job repeats until none are left).
EXPIRED_BATCH = 500


def request_export(
    actor: User, kind: str, fmt: str, parameters: dict[str, Any], *, excel_bom: bool = False
) -> Export:
    """Queue an export of `kind` in `fmt`; the job starts after the commit. Audited.

    `parameters`: for tickets, messages and history, the queue filter (the queue's query string;
    a name given more than once has a list), or a search: `q` and the search page's filters;
    for a report, the report parameters; customers take none. Customers need "export.customers"
    (leads and admins: the whole customer list, addresses and CRM ids, in one file)."""
    errors = {}
    if not isinstance(parameters.get("q", ""), str):
        errors["q"] = "Give one search (a text), not a list."
    if kind not in KINDS:
        errors["kind"] = f"Use one of: {', '.join(KINDS)}."
    if fmt not in FORMATS:
        errors["format"] = f"Use one of: {', '.join(FORMATS)}."
    if errors:
        raise ValidationFailed("This export cannot be made.", errors)
    if kind in SOURCES and SOURCES[kind].action:
        require(actor, SOURCES[kind].action)
    if kind == "customers":
        parameters = {}  # every customer of the organization
    if isinstance(parameters.get("q"), str):
        parameters = {**parameters, "q": parameters["q"].strip()}
    if kind == "report":
        _report_params(actor, parameters)  # refuse bad parameters now, not in the worker
    export = Export(
        organization_id=actor.organization_id,
        requested_by_id=actor.id,
        kind=kind,
        format=fmt,
        excel_bom=excel_bom and fmt == "csv",
        parameters={k: v for k, v in parameters.items() if v not in (None, "", [])},
    )
    db.session.add(export)
    db.session.flush()
    audit.record(
        actor.organization_id,
        "export.requested",
        actor=actor,
        target=("export", export.id, export.filename),
        after={"kind": kind, "format": fmt, "parameters": export.parameters},
    )
    jobs.defer(db.session, JOB, export.id)
    return export


def get_export(actor: User, export_id: int) -> Export:
    """An export of the actor's organization that they asked for (admins: any)."""
    export = db.session.scalar(
        sa.select(Export).where(
            Export.id == export_id, Export.organization_id == actor.organization_id
        )
    )
    if export is None:
        raise NotFound("There is no such export.")
    if export.requested_by_id != actor.id:
        require(actor, "export.manage_any")
    return export


def list_exports(actor: User, limit: int = 50) -> list[Export]:
    """The actor's exports, newest first (admins: everyone's in the organization)."""
    query = sa.select(Export).where(Export.organization_id == actor.organization_id)
    if not actor.can("export.manage_any"):
        query = query.where(Export.requested_by_id == actor.id)
    return list(
        db.session.scalars(
            query.options(sa.orm.joinedload(Export.requested_by))
            .order_by(Export.id.desc())
            .limit(limit)
        )
    )


def cancel_export(actor: User, export_id: int) -> Export:
    """Stop an export that has not finished (the job stops at its next batch)."""
    export = get_export(actor, export_id)
    if not export.status.finished:
        export.status = ExportStatus.CANCELLED
        export.finished_at = utcnow()
        db.session.flush()
    return export


class ExportGone(DomainError):
    """The file is not there (not finished, cancelled, failed or expired)."""

    status = 410
    code = "gone"

    def __init__(self, export: Export) -> None:
        self.export = export
        if export.status is ExportStatus.COMPLETED:
            why = "This export's file has expired: files are kept for 7 days. Ask for it again."
        elif not export.status.finished:
            why = "This export is not finished yet: its file can be downloaded once it is."
        elif export.status is ExportStatus.FAILED:
            why = "This export failed, so it has no file to download. Ask for it again."
        else:
            why = "This export was cancelled, so it has no file to download."
        super().__init__(why)


def open_download(actor: User, export_id: int) -> Export:
    """An export whose file the actor may download now; the download is audited."""
    export = get_export(actor, export_id)
    if export.status is not ExportStatus.COMPLETED or export.expired(utcnow()):
        raise ExportGone(export)
    downloaded(actor, export)
    return export


def downloaded(actor: User, export: Export) -> None:
    """Record a download in the audit log."""
    audit.record(
        actor.organization_id,
        "export.downloaded",
        actor=actor,
        target=("export", export.id, export.filename),
    )


def withdraw_expired_files(*, now: dt.datetime | None = None) -> int:
    """Take the file away from up to EXPIRED_BATCH completed exports past their expiry (any
    organization); returns how many. Flushes, audits each (by the system).

    The row stays, without its file (the console shows it as expired, a download is 410 Gone);
    the file itself goes by a job once the transaction commits, through the same path as
    erasure and retention (`jobs.privacy.delete_files_after_commit`): a rollback keeps it, and
    content another export, data export or attachment still refers to stays."""
    now = now or utcnow()
    rows = db.session.scalars(
        sa.select(Export)
        .where(
            Export.status == ExportStatus.COMPLETED,
            Export.storage_key.is_not(None),
            Export.expires_at <= now,
        )
        .order_by(Export.id)
        .limit(EXPIRED_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    keys = set()
    for export in rows:
        keys.add(export.storage_key)
        export.storage_key = None
        audit.record(
            export.organization_id,
            "export.expired",
            target=("export", export.id, export.filename),
            after={"size": export.size, "expired_at": export.expires_at},
        )
    db.session.flush()
    delete_files_after_commit(db.session, keys)
    return len(rows)


# -- the job -----------------------------------------------------------------------------------


class Cancelled(Exception):
    """The export was cancelled while it ran."""


@dataclass(frozen=True)
class ExportFinished:
    """Domain event: an export completed or failed; the agent who asked hears of it (in the
    console, and by email when away: supportdesk.notifications, supportdesk.mail.rules)."""

    organization_id: int
    export_id: int
    user_id: int
    kind: str
    completed: bool
    rows: int
    error: str | None
    finished_at: dt.datetime

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def sentence(self) -> str:
        """What happened, in one sentence (the notification's line and the email's)."""
        what = f"Your {self.kind_label.lower()} export (#{self.export_id})"
        if self.completed:
            rows = f"{self.rows:,} row{'s' if self.rows != 1 else ''}"
            return f"{what} is ready to download: {rows}."
        return f"{what} failed: {failure_reason(self.error)}"


# What to do after a failure (translated where shown: supportdesk.labels, the email's template).
RETRY_ADVICE = "Ask for it again; if it fails again, tell an admin."


def failure_cause(error: str | None) -> str:
    """What made an export fail, as a sentence (the error as recorded)."""
    cause = (error or "an unexpected error").strip().rstrip(".")
    return f"{cause[0].upper()}{cause[1:]}."


def failure_reason(error: str | None) -> str:
    """Why an export failed and what to do, as sentences a support admin understands."""
    return f"{failure_cause(error)} {RETRY_ADVICE}"


def _announce(export: Export) -> None:
    events.record(
        db.session,
        ExportFinished(
            export.organization_id,
            export.id,
            export.requested_by_id,
            export.kind,
            export.status is ExportStatus.COMPLETED,
            export.rows,
            export.error,
            export.finished_at,
        ),
    )


def run(export_id: int) -> None:
    """Write the export's file (the job; commits its own progress). Idempotent: only a queued
    export runs."""
    export = db.session.get(Export, export_id, with_for_update=True)
    if export is None or export.status is not ExportStatus.QUEUED:
        db.session.rollback()
        return
    export.status, export.started_at = ExportStatus.RUNNING, utcnow()
    db.session.commit()
    try:
        with tempfile.TemporaryFile() as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            _write(export, text)
            text.flush()
            size = raw.tell()
            raw.seek(0)
            key = storage().put(raw)
            text.detach()
    except Cancelled:
        db.session.rollback()
        return
    except Exception as exc:
        db.session.rollback()
        log.exception("Export %s failed", export_id)
        export = db.session.get(Export, export_id)
        export.status, export.error = ExportStatus.FAILED, str(exc)[:500] or type(exc).__name__
        export.finished_at = utcnow()
        _announce(export)
        db.session.commit()
        return
    # Locked: a cancel that lands now either comes first (the file goes) or waits for COMPLETED.
    export = db.session.get(Export, export_id, with_for_update=True, populate_existing=True)
    if export.status is ExportStatus.CANCELLED:
        delete_files_after_commit(db.session, [key])  # stored meanwhile: nothing refers to it
        db.session.commit()
        return
    now = utcnow()
    export.status, export.storage_key, export.size = ExportStatus.COMPLETED, key, size
    export.finished_at, export.expires_at = now, now + KEEP
    _announce(export)
    db.session.commit()


def _progress(export_id: int, rows: int, total: int | None = None) -> None:
    """Commit the row count; stop when the export was cancelled meanwhile."""
    db.session.expire_all()
    export = db.session.get(Export, export_id)
    if export.status is ExportStatus.CANCELLED:
        raise Cancelled
    export.rows = rows
    if total is not None:
        export.total = total
    db.session.commit()


def _write(export: Export, out) -> None:
    export_id, org, fmt, bom = export.id, export.organization_id, export.format, export.excel_bom
    user = db.session.get(User, export.requested_by_id)
    params = dict(export.parameters)
    if export.kind == "report":
        columns, rows = _report_rows(user, params)
        Writer(out, columns, fmt, bom=bom).write(rows)
        _progress(export_id, len(rows), len(rows))
        return
    source = SOURCES[export.kind]
    rows = source.query(org, user, params)
    writer = Writer(out, source.columns, fmt, bom=bom)
    written = 0
    for batch in _searched(export_id, rows) if rows.search else _keyset(export_id, rows):
        written += writer.write(row[:-1] for row in batch)
        _progress(export_id, written)


def _keyset(export_id: int, rows: Rows) -> Iterator[list]:
    """The rows in batches `key > last ORDER BY key LIMIT BATCH`, after counting them."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(rows.keys.subquery()))
    _progress(export_id, 0, total or 0)
    last = 0
    while batch := db.session.execute(rows.statement.where(rows.key > last).limit(BATCH)).all():
        yield batch
        last = batch[-1][-1]


def _searched(export_id: int, rows: Rows) -> Iterator[list]:
    """The rows of a search: the keys read once (streamed into a temporary file), then the
    rows BATCH keys at a time."""
    with tempfile.TemporaryFile() as spool:
        total = 0
        keys = db.session.execute(rows.keys.order_by(rows.key).execution_options(yield_per=BATCH))
        for part in keys.scalars().partitions():
            spool.write(array("q", part).tobytes())
            total += len(part)
        db.session.commit()  # ends the transaction of the streamed read
        _progress(export_id, 0, total)
        spool.seek(0)
        while chunk := spool.read(8 * BATCH):
            ids = array("q")
            ids.frombytes(chunk)
            yield db.session.execute(rows.statement.where(rows.key.in_(ids.tolist()))).all()


def _report_params(user: User, params: dict):
    from supportdesk.reports import params as report_params
    from supportdesk.reports.metrics import local_day
    from supportdesk.reports.queries import ReportError

    zone = db.session.scalar(
        sa.select(Organization.time_zone).where(Organization.id == user.organization_id)
    )
    try:
        p = report_params.parse(MultiDict(params), local_day(utcnow(), zone))
    except ReportError as exc:
        raise ValidationFailed(str(exc), {exc.field: str(exc)}) from None
    return report_params.scoped(user, p)


def _report_rows(user: User, params: dict) -> tuple[list[str], list[list]]:
    """The report's table: one row per bucket, every figure (as the API's summary has them)."""
    from supportdesk.reports import queries
    from supportdesk.reports.metrics import FIGURES

    p = _report_params(user, params)
    report = queries.report(user.organization_id, p)
    columns = ["start", "end", *FIGURES]
    rows = [
        [pt.start, pt.end, *(_round(pt.value(name)) for name in FIGURES)] for pt in report.points
    ]
    return columns, rows


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
