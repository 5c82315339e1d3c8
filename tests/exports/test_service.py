"""Exports on real Redis, run by an RQ worker: progress, files parsed back, formulas
neutralized, cancel, failure recorded, tenancy, audit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import PermissionDenied
from supportdesk.audit.models import AuditEntry
from supportdesk.errors import NotFound, ValidationFailed
from supportdesk.exports import service
from supportdesk.exports.models import Export, ExportStatus
from supportdesk.exports.writers import neutralize
from supportdesk.extensions import db
from supportdesk.jobs.reports import refresh_reports
from supportdesk.storage import storage
from supportdesk.tickets.models import Channel
from tests.exports.helpers import parsed, reload, run, work
from tests.factories import OrganizationFactory, make_staff, make_ticket

pytestmark = pytest.mark.integration


@pytest.fixture
def staff(app, monkeypatch):
    """Seven tickets in batches of three (the job commits progress three times)."""
    monkeypatch.setattr(service, "BATCH", 3)
    staff = make_staff()
    for n in range(6):
        make_ticket(
            staff.org, subject=f"Ticket {n}", channel=Channel.EMAIL if n % 2 else Channel.WEB
        )
    make_ticket(staff.org, subject='=HYPERLINK("http://evil.example")', tags=["vip"])
    other = OrganizationFactory()
    make_ticket(other, subject="Another organization's secret")
    db.session.commit()
    return staff


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        pytest.param("=1+1", "'=1+1", id="equals"),
        pytest.param("+1", "'+1", id="plus"),
        pytest.param("-1", "'-1", id="minus"),
        pytest.param("@SUM(A1)", "'@SUM(A1)", id="at"),
        pytest.param("\tcmd", "'\tcmd", id="tab"),
        pytest.param("\rcmd", "'\rcmd", id="carriage-return"),
        pytest.param("Plain = text", "Plain = text", id="plain"),
        pytest.param("", "", id="empty"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_neutralized(cell, shown):
    assert neutralize(cell) == shown


def test_a_ticket_export_runs_in_the_worker_and_parses_back(app, staff):
    export = service.request_export(staff.agent, "tickets", "csv", {"queue": "all"}, excel_bom=True)
    db.session.commit()
    export_id = export.id
    assert reload(export_id).status is ExportStatus.QUEUED
    work(app)
    done = reload(export_id)
    assert (done.status, done.rows, done.total) == (ExportStatus.COMPLETED, 7, 7)
    assert storage().read(done.storage_key).startswith("\ufeff".encode())
    rows = parsed(done)
    subjects = {r["subject"] for r in rows}
    assert '\'=HYPERLINK("http://evil.example")' in subjects
    assert "Another organization's secret" not in subjects
    assert {r["tags"] for r in rows} == {"", "vip"}
    assert done.expires_at is not None


def test_a_filtered_export_in_json_lines_holds_the_queue_s_tickets(app, staff):
    lines = parsed(run(app, staff.admin, "tickets", "jsonl", {"queue": "all", "channel": "email"}))
    assert sorted(x["subject"] for x in lines) == ["Ticket 1", "Ticket 3", "Ticket 5"]
    assert all(x["channel"] == "email" for x in lines)


def test_a_report_export_holds_the_report_table(app, staff):
    refresh_reports()
    rows = parsed(run(app, staff.admin, "report", "csv", {"days": "7", "group": "week"}))
    assert sum(int(r["created"]) for r in rows) == 7


def test_a_cancelled_export_stops_and_leaves_no_file(app, staff, monkeypatch):
    export = service.request_export(staff.agent, "tickets", "csv", {"queue": "all"})
    db.session.commit()
    export_id, agent_id = export.id, staff.agent.id
    real = service._progress

    def cancel_midway(export_id, rows, total=None):
        if rows == 3:
            service.cancel_export(db.session.get(User, agent_id), export_id)
            db.session.commit()
        real(export_id, rows, total)

    monkeypatch.setattr(service, "_progress", cancel_midway)
    work(app)
    stopped = reload(export_id)
    assert stopped.status is ExportStatus.CANCELLED
    assert stopped.rows == 0 or stopped.rows == 3
    assert stopped.storage_key is None


def test_an_export_cancelled_while_its_file_is_stored_leaves_no_file(app, staff, monkeypatch):
    """A cancel that lands after the last batch, while the file is being stored: the file is
    deleted after the job's commit instead of staying in the storage with nothing pointing at it."""
    from supportdesk.db import utcnow

    export = service.request_export(staff.agent, "tickets", "csv", {"queue": "all"})
    db.session.commit()
    export_id = export.id
    backend = storage().__class__
    real_put = backend.put
    stored: list[str] = []

    def put_while_cancelled(self, data):
        stored.append(real_put(self, data))
        db.session.execute(  # the agent's cancel, committed while the file is stored
            sa.update(Export)
            .where(Export.id == export_id)
            .values(status=ExportStatus.CANCELLED, finished_at=utcnow())
        )
        db.session.commit()
        return stored[-1]

    monkeypatch.setattr(backend, "put", put_while_cancelled)
    work(app)  # the export, then the deletion it deferred
    stopped = reload(export_id)
    assert (stopped.status, stopped.storage_key) == (ExportStatus.CANCELLED, None)
    assert stored and not storage().exists(stored[0])


def test_a_failing_export_is_recorded_as_failed(app, staff, monkeypatch):
    export = service.request_export(staff.agent, "tickets", "csv", {"queue": "all"})
    db.session.commit()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storage().__class__, "put", broken)
    export_id = export.id
    work(app)
    failed = reload(export_id)
    assert (failed.status, failed.error) == (ExportStatus.FAILED, "disk full")


def test_asking_records_an_audit_entry_and_bad_input_names_the_field(app, staff):
    export = service.request_export(staff.agent, "tickets", "csv", {"queue": "open"})
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export.requested"))
    assert (entry.target_id, entry.after["kind"]) == (export.id, "tickets")
    with pytest.raises(ValidationFailed) as refused:
        service.request_export(staff.agent, "tickets", "xlsx", {})
    assert "format" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        service.request_export(staff.agent, "report", "csv", {"group": "year"})
    assert "group" in refused.value.fields


def test_only_the_requester_and_admins_reach_an_export(app, staff):
    export = service.request_export(staff.agent, "tickets", "csv", {})
    assert service.get_export(staff.admin, export.id) is export
    with pytest.raises(PermissionDenied):
        service.get_export(staff.senior_agent, export.id)
    outsider = make_staff(OrganizationFactory()).admin
    with pytest.raises(NotFound):
        service.get_export(outsider, export.id)


def test_a_queue_export_keeps_the_queue_s_custom_field_filter(app, staff):
    from supportdesk.fields import service as fields
    from supportdesk.fields.models import FieldType
    from supportdesk.tickets import service as tickets

    fields.create_field(staff.admin, key="plan", label="Plan", type=FieldType.TEXT)
    pro = make_ticket(staff.org, subject="On the Pro plan")
    tickets.set_custom_fields(staff.agent, pro, {"plan": "Pro"})
    db.session.commit()
    done = run(app, staff.agent, "tickets", "jsonl", {"queue": "all", "cf.plan": "Pro"})
    assert [row["subject"] for row in parsed(done)] == ["On the Pro plan"]
