"""Report parameters from a query string (pages, API and exports read them the same way)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from supportdesk.accounts.permissions import require
from supportdesk.customers.models import Tier
from supportdesk.params import INT4_MAX
from supportdesk.reports.queries import BREAKDOWNS, GROUPINGS, MAX_DAYS, Params, ReportError
from supportdesk.tickets.models import Channel, Priority
from supportdesk.tickets.tags import filter_tag

PRESETS = (7, 30, 90, 365)
DEFAULT_DAYS = 30


def _date(args, name: str) -> dt.date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ReportError(name, "Use a date such as 2026-11-28.") from None


def _int(args, name: str) -> int | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if value == "none" and name == "agent":
        return 0
    if not (value.isascii() and value.isdigit()) or int(value) > INT4_MAX:
        raise ReportError(name, "Choose one from the list.")
    return int(value)


def _choice(args, name: str, allowed_values) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed_values:
        raise ReportError(name, f"Use one of: {', '.join(allowed_values)}.")
    return value


def parse(args, today: dt.date) -> Params:
    """Params from `args` (start, end or days, group, team, agent, channel, priority, tier, tag).

    Without dates: the `days` (default 30) ending today. Raises ReportError naming the field.
    """
    end = _date(args, "end") or today
    start = _date(args, "start")
    if start is None:
        days = _int(args, "days") or DEFAULT_DAYS
        if not 1 <= days <= MAX_DAYS:
            raise ReportError("days", f"Use 1 to {MAX_DAYS} days.")
        start = end - dt.timedelta(days=days - 1)
    if start > end:
        raise ReportError("start", "The range must start on or before its end.")
    if (end - start).days + 1 > MAX_DAYS:
        raise ReportError("start", f"Use a range of at most {MAX_DAYS} days.")
    tag = (args.get("tag") or "").strip()
    if tag and filter_tag(tag) is None:
        raise ReportError("tag", "That is not a tag.")
    return Params(
        start=start,
        end=end,
        grouping=_choice(args, "group", GROUPINGS) or "day",
        team_id=_int(args, "team"),
        assignee_id=_int(args, "agent"),
        channel=_choice(args, "channel", [c.value for c in Channel]),
        priority=_choice(args, "priority", [p.value for p in Priority]),
        tier=_choice(args, "tier", [t.value for t in Tier]),
        tag=filter_tag(tag) if tag else None,
    )


def breakdown_of(args) -> str | None:
    """The dimension to break the period down by (`by`), if any."""
    return _choice(args, "by", list(BREAKDOWNS))


def scoped(user, p: Params) -> Params:
    """What `user` may see: leads and admins every team's and agent's figures, others only their
    own (their report is narrowed to them; asking for someone else's is PermissionDenied)."""
    if user.can("report.view_team"):
        return p
    if p.assignee_id not in (None, user.id) or not user.active:
        require(user, "report.view_team")
    return replace(p, assignee_id=user.id)


def query_args(p: Params) -> dict[str, object]:
    """The query-string form of `p` (links that keep the current report)."""
    out: dict[str, object] = {"start": p.start.isoformat(), "end": p.end.isoformat()}
    if p.grouping != "day":
        out["group"] = p.grouping
    if p.team_id is not None:
        out["team"] = p.team_id
    if p.assignee_id is not None:
        out["agent"] = "none" if p.assignee_id == 0 else p.assignee_id
    for name in ("channel", "priority", "tier", "tag"):
        if getattr(p, name):
            out[name] = getattr(p, name)
    return out
