"""API for exports: ask for one (tickets, messages, ticket history, customers or a report's
table), follow its progress, cancel it, and download its file. The same service and the same
download as the console's Exports page (supportdesk.exports)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from flask import url_for
from pydantic import Field

from supportdesk.api.access import actor
from supportdesk.api.operations import operation
from supportdesk.api.schemas import Input, Output
from supportdesk.exports import service
from supportdesk.exports.download import serve
from supportdesk.exports.models import ExportStatus
from supportdesk.extensions import db

TAG = "Exports"
EXPORT_ID = {"export_id": "The export's id (one you asked for; admins: anyone's)."}
_THE_EXPORT = {"export_id": "$response.body#/id"}
LINKS = {
    "GetExport": ("export_get", _THE_EXPORT),
    "CancelExport": ("export_cancel_api", _THE_EXPORT),
    "DownloadExport": ("export_download_api", _THE_EXPORT),
}


class ExportCreate(Input):
    """What to export, in which format."""

    kind: Literal["tickets", "messages", "history", "customers", "report"] = Field(
        description="tickets, messages or history of the tickets `parameters` select (a queue "
        "filter: queue, status, priority, assignee, team, channel, tier, tag, created_from...; "
        "or a search: `q`, as the console's search box takes it, with those filters, every "
        "queue unless `queue` names one); "
        "customers (every customer: senior agents and admins only); report (a report's table: "
        "the report parameters)."
    )
    format: Literal["csv", "jsonl"] = "csv"
    excel_bom: bool = Field(default=False, description="CSV only: start with a UTF-8 BOM.")
    parameters: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="The queue filter, the search (`q` and filters) or the report parameters; "
        "a list for a filter that takes several values (`status`, `priority`).",
    )


class Export(Output):
    """An export: where its job is, and its file once completed."""

    id: int
    kind: str
    format: str
    excel_bom: bool
    parameters: dict
    status: ExportStatus
    rows: int = Field(description="Rows written so far.")
    total: int | None = Field(description="Rows the export will hold (null: not counted yet).")
    percent: int
    size: int = Field(description="The file's size in bytes (0 until completed).")
    error: str | None = Field(description="Why it failed.")
    requested_by_id: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(description="The file can be downloaded until then.")


class ExportList(Output):
    """Your exports (admins: everyone's), newest first, at most 50."""

    data: list[Export]


EXPORT = {
    "id": 12,
    "kind": "messages",
    "format": "csv",
    "excel_bom": False,
    "parameters": {"queue": "open", "team": "3"},
    "status": "completed",
    "rows": 5210,
    "total": 5210,
    "percent": 100,
    "size": 1843200,
    "error": None,
    "requested_by_id": 7,
    "created_at": "2026-11-27T09:30:00Z",
    "started_at": "2026-11-27T09:30:01Z",
    "finished_at": "2026-11-27T09:30:09Z",
    "expires_at": "2026-12-04T09:30:09Z",
}
QUEUED = {**EXPORT, "status": "queued", "rows": 0, "total": None, "percent": 0, "size": 0}
QUEUED.update(started_at=None, finished_at=None, expires_at=None)


@operation(
    "POST",
    "/exports",
    tag=TAG,
    summary="Ask for an export",
    status=202,
    body=ExportCreate,
    response=Export,
    request_example={
        "kind": "tickets",
        "format": "csv",
        "parameters": {"q": "refund", "status": ["open", "pending"]},
    },
    response_example=QUEUED,
    links=LINKS,
    headers=("Location",),
)
def export_create(body: ExportCreate):
    """Queue an export; the worker writes its file. Follow it with `GET /exports/{id}`; you get
    a notification when it is ready or failed. Customers need a senior agent or admin (403)."""
    export = service.request_export(
        actor(), body.kind, body.format, body.parameters, excel_bom=body.excel_bom
    )
    db.session.commit()
    return Export.model_validate(export), {
        "Location": url_for("api.export_get", export_id=export.id)
    }


@operation(
    "GET",
    "/exports",
    tag=TAG,
    summary="List my exports",
    response=ExportList,
    response_example={"data": [EXPORT]},
)
def export_list():
    """Your exports, newest first (admins: everyone's in the organization)."""
    return ExportList(data=[Export.model_validate(e) for e in service.list_exports(actor())])


@operation(
    "GET",
    "/exports/{export_id}",
    tag=TAG,
    summary="Get an export",
    response=Export,
    response_example=EXPORT,
    path_params=EXPORT_ID,
)
def export_get(export_id: int):
    """One export's status and progress."""
    return Export.model_validate(service.get_export(actor(), export_id))


@operation(
    "POST",
    "/exports/{export_id}/cancel",
    tag=TAG,
    summary="Cancel an export",
    response=Export,
    response_example={**QUEUED, "status": "cancelled"},
    path_params=EXPORT_ID,
)
def export_cancel_api(export_id: int):
    """Stop an export that has not finished (its job stops at its next batch); a finished one
    is returned as it is."""
    export = service.cancel_export(actor(), export_id)
    db.session.commit()
    return Export.model_validate(export)


@operation(
    "GET",
    "/exports/{export_id}/download",
    tag=TAG,
    summary="Download an export",
    file_response=True,
    path_params=EXPORT_ID,
)
def export_download_api(export_id: int):
    """The export's file (CSV or JSON Lines) until it expires; 410 when it has no file
    (unfinished, cancelled, failed or expired). Each download is in the audit log."""
    export = service.open_download(actor(), export_id)
    db.session.commit()
    return serve(export)
