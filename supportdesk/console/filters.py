"""Turn a queue page's query string into a QueueFilter; anything malformed is ignored, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

from werkzeug.datastructures import MultiDict

from supportdesk.accounts.queries import assignment_choices_cached
from supportdesk.customers.models import Tier
from supportdesk.fields.filters import parse_field_filters
from supportdesk.params import query_int
from supportdesk.tickets.models import Channel, Priority, Status
from supportdesk.tickets.queries import QUEUE_LABELS, SORTS, QueueFilter
from supportdesk.tickets.tags import filter_tag


def parse_queue_filter(
    args: MultiDict, specs: dict | None = None, zone: str = "UTC"
) -> QueueFilter:
    """Read queue, status, priority, assignee, team, tag, customer, channel, tier, the days of
    creation and solution (local to `zone`) and sort from `args`, and the custom field
    conditions (`cf.<key>`…) on the fields `specs` (key → CustomField)."""
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
        channel=_choice(args.get("channel"), Channel),
        tier=_choice(args.get("tier"), Tier),
        created_from=query_date(args.get("created_from")),
        created_to=query_date(args.get("created_to")),
        solved_from=query_date(args.get("solved_from")),
        solved_to=query_date(args.get("solved_to")),
        zone=zone,
        sort=sort if sort in SORTS else "updated",
        descending=args.get("dir", "desc") != "asc",
        fields=parse_field_filters(args, specs) if specs else [],
    )


def parse_search_filter(args: MultiDict, zone: str = "UTC") -> QueueFilter:
    """The search page's filter: the queue filter over all tickets unless `queue` names one
    (no custom field conditions). Exports of a search read it too."""
    args = args.copy()
    args.setdefault("queue", "all")
    return parse_queue_filter(args, None, zone)


def _choice(value: str | None, enum_cls) -> str | None:
    return value if value in enum_cls._value2member_map_ else None


def query_date(value: str | None) -> dt.date | None:
    """An ISO date (2026-11-28) from a query string, or None when absent or malformed."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


REPORT_ARGS = ("channel", "tier", "created_from", "created_to", "solved_from", "solved_to")


def wants_zone(args: MultiDict) -> bool:
    """Whether the filter has days to read in the organization's zone (report drill-downs)."""
    return any(args.get(k) for k in REPORT_ARGS[2:])


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
    for name in REPORT_ARGS:
        value = getattr(f, name)
        if value:
            args[name] = value.isoformat() if isinstance(value, dt.date) else value
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
