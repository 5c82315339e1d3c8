"""API views for bulk actions: start one on ticket numbers or on every ticket a filter matches
(always a background job, answered 202), and follow its progress."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from flask import url_for
from pydantic import Field

from supportdesk.api import schemas
from supportdesk.api.access import actor, organization_id
from supportdesk.api.operations import operation
from supportdesk.api.schemas import Id, Input, Output, Tag
from supportdesk.bulk_actions import queries, service
from supportdesk.bulk_actions.models import JobStatus
from supportdesk.extensions import db
from supportdesk.tickets.models import Priority, Status
from supportdesk.tickets.queries import QueueFilter
from supportdesk.tickets.tags import filter_tag

TAG = "Bulk actions"
MAX_TICKETS = service.MAX_SELECTION


class SetStatus(Input):
    action: Literal["status"]
    status: Status


class SetPriority(Input):
    action: Literal["priority"]
    priority: Priority


class SetAssignee(Input):
    action: Literal["assign"]
    assignee_id: Id | None = Field(description="An active agent, or null to unassign.")


class SetTeam(Input):
    action: Literal["team"]
    team_id: Id | None = Field(description="A team, or null for no team.")


class ChangeTags(Input):
    action: Literal["add_tags", "remove_tags"]
    tags: list[Tag] = Field(min_length=1, max_length=20)


class ApplyMacro(Input):
    """Apply a macro of the organization to each ticket, as `POST /tickets/{number}/macros/{macro_id}`
    does (one history group per ticket); a ticket refusing one of its actions is left as it was."""

    action: Literal["macro"]
    macro_id: Id = Field(description="A macro of the organization.")


class MergeInto(Input):
    """Merge each ticket into one, as the single merge does. A target merged already hands on to
    the ticket it was merged into; the target itself, if selected, is left out (not counted)."""

    action: Literal["merge"]
    into: Id = Field(description="The number of the ticket the others merge into (as in #118).")


Change = Annotated[
    SetStatus | SetPriority | SetAssignee | SetTeam | ChangeTags | ApplyMacro | MergeInto,
    Field(discriminator="action"),
]


class BulkFilter(Input):
    """Every ticket matching all of these (as the ticket list filters them), when the job starts."""

    status: list[Status] = Field(default_factory=list, description="Any of these statuses.")
    priority: list[Priority] = Field(default_factory=list, description="Any of these priorities.")
    assignee: Id | Literal["none"] | None = Field(
        default=None, description="An agent id, or `none` for unassigned tickets."
    )
    team: Id | None = None
    tag: schemas.Text(60, 1) | None = None
    customer: Id | None = None


class BulkRequest(Input):
    """A bulk action: the tickets (their numbers, or a filter) and the change."""

    tickets: Annotated[list[Id], Field(min_length=1, max_length=MAX_TICKETS)] | BulkFilter = Field(
        description="Ticket numbers (as in #118), or a filter: every ticket it matches when the "
        "request is made (tickets arriving later are not touched)."
    )
    change: Change


class BulkJobFailure(Output):
    """A ticket the job left as it was, and why."""

    ticket_number: int | None
    reason: str


class BulkJob(Output):
    """A bulk job and its progress; `failures` lists the first 500 refused tickets."""

    id: int
    action: str
    params: dict[str, Any]
    status: JobStatus
    total: int
    done: int
    failed: int
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    failures: list[BulkJobFailure]


JOB_EXAMPLE = {
    "id": 7,
    "action": "status",
    "params": {"status": "resolved"},
    "status": "running",
    "total": 2400,
    "done": 1198,
    "failed": 2,
    "error": "",
    "created_at": "2026-11-27T23:40:00Z",
    "started_at": "2026-11-27T23:40:01Z",
    "finished_at": None,
    "failures": [
        {"ticket_number": 118, "reason": "A ticket that is closed cannot be moved to resolved."}
    ],
}


QUEUED_EXAMPLE = {
    **JOB_EXAMPLE,
    **{"status": "queued", "done": 0, "failed": 0, "started_at": None, "failures": []},
}
REQUEST_EXAMPLE = {
    "tickets": {"status": ["open"], "tag": "outage"},
    "change": {"action": "status", "status": "resolved"},
}


def _job_response(job_id: int, headers: dict | None = None):
    job = queries.get_job(organization_id(), job_id)
    columns = {name: getattr(job, name) for name in BulkJob.model_fields if name != "failures"}
    failures = [
        BulkJobFailure.model_validate(f) for f in queries.job_failures(organization_id(), job_id)
    ]
    return BulkJob(**columns, failures=failures), headers or {}


def _ids(tickets: list[int] | BulkFilter) -> tuple[list[int], dict]:
    """The ticket ids the request selects, and the selection as queue filter arguments."""
    if isinstance(tickets, list):
        return service.ids_for_numbers(organization_id(), tickets), {"queue": "all"}
    tag = filter_tag(tickets.tag) if tickets.tag is not None else None
    if tickets.tag is not None and tag is None:
        return [], {"queue": "all"}  # no ticket carries a non-tag
    f = QueueFilter(
        queue="all",
        statuses=tickets.status,
        priorities=tickets.priority,
        assignee_id=0 if tickets.assignee == "none" else tickets.assignee,
        team_id=tickets.team,
        tag=tag,
        customer_id=tickets.customer,
    )
    # The console's queue reads the same names: its link back shows these tickets.
    selection = {"queue": "all", **tickets.model_dump(mode="json", exclude_defaults=True)}
    return service.ids_matching(organization_id(), actor().id, f), selection


@operation(
    "POST",
    "/tickets/bulk",
    tag=TAG,
    summary="Start a bulk action",
    status=202,
    body=BulkRequest,
    response=BulkJob,
    conflicts=True,
    references=True,
    request_example=REQUEST_EXAMPLE,
    response_example=QUEUED_EXAMPLE,
    headers=("Location",),
)
def bulk_job_create(body: BulkRequest):
    """Apply one change (status, priority, assignee, team, add or remove tags, apply a macro,
    merge into one ticket) to many tickets in the background, each through the same rules as the
    single change: a ticket the rules refuse is listed in `failures` with the reason, the others
    proceed; each change writes the ticket's history and sends its webhooks and emails. The
    macro and the merge target are checked once, at the request (another organization's is a
    404 naming `macro_id` or `into`); a merge's target among the tickets is left out of the job.
    Follow it at `Location`."""
    ids, selection = _ids(body.tickets)
    params = body.change.model_dump(exclude={"action"})
    job = service.start_job(
        actor(), organization_id(), ids, body.change.action, params, selection=selection
    )
    db.session.commit()
    return _job_response(job.id, {"Location": url_for("api.bulk_job_get", job_id=job.id)})


@operation(
    "GET",
    "/bulk-jobs/{job_id}",
    tag=TAG,
    summary="Get a bulk action's progress",
    response=BulkJob,
    response_example=JOB_EXAMPLE,
    path_params={"job_id": "The id answered when the bulk action started."},
)
def bulk_job_get(job_id: int):
    """How far the job got (`done` + `failed` of `total`) and the tickets it refused, why."""
    return _job_response(job_id)
