"""Exports: ask for one (a job row, an audit entry), cancel it, and the job that writes the file.

The job reads rows in keyset batches (`id > last ORDER BY id LIMIT n`, one short transaction
each) into a temporary file, so memory stays flat whatever the number of rows, and commits the
job row's progress (and sees a cancellation) after every batch. A server-side cursor would hold
one transaction, and its snapshot, open for the whole export (minutes at a million tickets,
holding back VACUUM), and a progress commit on its connection would close it. The price: a
ticket changed while the export runs shows as it was when its batch was read. The finished file
goes to the file storage (supportdesk.storage), like attachments.
"""

from __future__ import annotations

import io
import logging
import tempfile
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from supportdesk import audit, jobs
from supportdesk.accounts.models import Organization, Team, User
from supportdesk.accounts.permissions import require
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.exports.models import KEEP, Export, ExportStatus
from supportdesk.exports.writers import Writer
from supportdesk.extensions import db
from supportdesk.storage import storage
from supportdesk.tickets.models import Ticket, TicketTag

log = logging.getLogger(__name__)
JOB = "supportdesk.jobs.exports.run_export"
KINDS = ("tickets", "report")
FORMATS = ("csv", "jsonl")
BATCH = 5_000
TICKET_COLUMNS = (
    "number", "subject", "status", "priority", "channel", "customer_email", "customer_name",
    "customer_tier", "assignee", "team", "tags", "created_at", "first_response_at",
    "resolved_at", "closed_at", "updated_at",
)  # fmt: skip


def request_export(
    actor: User, kind: str, fmt: str, parameters: dict[str, Any], *, excel_bom: bool = False
) -> Export:
    """Queue an export of `kind` ("tickets": the queue filter in `parameters`; "report": the
    report parameters) in `fmt`; the job starts after the commit. Audited."""
    errors = {}
    if kind not in KINDS:
        errors["kind"] = f"Use one of: {', '.join(KINDS)}."
    if fmt not in FORMATS:
        errors["format"] = f"Use one of: {', '.join(FORMATS)}."
    if errors:
        raise ValidationFailed("This export cannot be made.", errors)
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


def downloaded(actor: User, export: Export) -> None:
    """Record a download in the audit log."""
    audit.record(
        actor.organization_id,
        "export.downloaded",
        actor=actor,
        target=("export", export.id, export.filename),
    )


# -- the job -----------------------------------------------------------------------------------


class Cancelled(Exception):
    """The export was cancelled while it ran."""


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
        db.session.commit()
        return
    export = db.session.get(Export, export_id)
    if export.status is ExportStatus.CANCELLED:
        return
    now = utcnow()
    export.status, export.storage_key, export.size = ExportStatus.COMPLETED, key, size
    export.finished_at, export.expires_at = now, now + KEEP
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
    statement, total = _ticket_statement(org, user, params)
    _progress(export_id, 0, total)
    writer = Writer(out, TICKET_COLUMNS, fmt, bom=bom)
    written, last = 0, 0
    while True:
        batch = db.session.execute(statement.where(Ticket.id > last).limit(BATCH)).all()
        if not batch:
            return
        last = batch[-1][-1]
        written += writer.write(row[:-1] for row in batch)
        _progress(export_id, written)


def _ticket_statement(org: int, user: User, params: dict) -> tuple[sa.Select, int]:
    """The tickets of the queue filter `params`, as export rows, and how many there are."""
    from supportdesk.console.filters import parse_queue_filter
    from supportdesk.tickets.queries import queue_conditions

    zone = db.session.scalar(sa.select(Organization.time_zone).where(Organization.id == org))
    f = parse_queue_filter(MultiDict(params), None, zone)
    conditions = queue_conditions(org, user.id, f)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(*conditions))
    assignee = sa.orm.aliased(User)
    tags = (
        sa.select(_joined(TicketTag.name)).where(TicketTag.ticket_id == Ticket.id).scalar_subquery()
    )
    statement = (
        sa.select(
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.channel,
            Customer.email,
            Customer.name,
            Customer.tier,
            assignee.name,
            Team.name,
            tags,
            Ticket.created_at,
            Ticket.first_response_at,
            Ticket.resolved_at,
            Ticket.closed_at,
            Ticket.updated_at,
            Ticket.id,
        )  # fmt: skip
        .join(Customer, Customer.id == Ticket.customer_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .outerjoin(Team, Team.id == Ticket.team_id)
        .where(*conditions)
        .order_by(Ticket.id)
    )
    return statement, total or 0


def _joined(column):
    if db.engine.dialect.name == "postgresql":
        return sa.func.string_agg(column, sa.literal_column("' '"))
    return sa.func.group_concat(column, " ")


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
