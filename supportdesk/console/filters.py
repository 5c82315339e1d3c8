"""Turn a queue page's query string into a QueueFilter; anything malformed is ignored, never a 500."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from supportdesk.accounts.queries import assignment_choices_cached
from supportdesk.fields.filters import parse_field_filters
from supportdesk.params import query_int
from supportdesk.tickets.models import Priority, Status
from supportdesk.tickets.queries import QUEUE_LABELS, SORTS, QueueFilter
from supportdesk.tickets.tags import filter_tag


def parse_queue_filter(args: MultiDict, specs: dict | None = None) -> QueueFilter:
    """Read queue, status, priority, assignee, team, tag, customer and sort from `args`, and
    the custom field conditions (`cf.<key>`…) on the fields `specs` (key → CustomField)."""
    queue = args.get("queue", "open")
    statuses = [Status(v) for v in args.getlist("status") if v in Status._value2member_map_]
    priorities = [Priority(v) for v in args.getlist("priority") if v in Priority._value2member_map_]
    assignee = args.get("assignee", "")
    sort = args.get("sort", "updated")
    return QueueFilter(
        queue=queue if queue in QUEUE_LABELS else "open",
        statuses=statuses,
        priorities=priorities,
        assignee_id=0 if assignee == "none" else query_int(assignee),
        team_id=query_int(args.get("team")),
        tag=filter_tag(args.get("tag")),
        customer_id=query_int(args.get("customer")),
        sort=sort if sort in SORTS else "updated",
        descending=args.get("dir", "desc") != "asc",
        fields=parse_field_filters(args, specs) if specs else [],
    )


def parse_columns(args: MultiDict, specs: dict) -> list[str]:
    """The custom fields shown as queue columns (`col=<key>`, repeatable; active fields only)."""
    wanted = args.getlist("col")
    return [key for key, spec in specs.items() if key in wanted and not spec.archived]


def filter_args(f: QueueFilter) -> dict:
    """The query-string form of a filter (for links that keep the current filters)."""
    args: dict = {"queue": f.queue}
    if f.statuses:
        args["status"] = [s.value for s in f.statuses]
    if f.priorities:
        args["priority"] = [p.value for p in f.priorities]
    if f.assignee_id == 0:
        args["assignee"] = "none"
    elif f.assignee_id:
        args["assignee"] = f.assignee_id
    if f.team_id:
        args["team"] = f.team_id
    if f.tag:
        args["tag"] = f.tag
    if f.customer_id:
        args["customer"] = f.customer_id
    for condition in f.fields:
        name, value = condition.arg
        args[name] = value
    if f.sort != "updated":
        args["sort"] = f.sort
    if not f.descending:
        args["dir"] = "asc"
    return args


def filter_bar(organization_id: int, f: QueueFilter) -> dict[str, Any]:
    """What the filter bar of the queue and search pages shows: the filter and its choices."""
    agents, teams = assignment_choices_cached(organization_id)  # cached per organization
    return {
        "f": f,
        "args": filter_args(f),
        "agents": agents,
        "teams": teams,
        "statuses": list(Status),
        "priorities": list(Priority),
    }
