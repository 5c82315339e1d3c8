"""The metric definitions of every report: the only place that says what a figure counts.

Each definition is a pure function of one ticket's history (`TicketHistory`, read from the
append-only `ticket_events` and the ticket row) and, for business time, the SLA calendar and
targets that apply to the ticket (supportdesk.sla.calendar: the same arithmetic as the SLA clocks).
Pages, the API and the exports all read the daily aggregates that `contributions` fills from
these functions (supportdesk.reports.service), so no two views can count differently.

Conventions:
- An instant belongs to the *local day* of the organization's time zone it falls on.
- "Active" statuses are open, in progress and pending; "stopped" are resolved and closed.
- A ticket is *solved* while its status is resolved or closed; it was solved at the time of its
  latest move to resolved (or to closed, when it went there without being resolved first): the
  ticket row's `resolved_at`. Quality metrics (times, SLA, replies, one-touch, reopened) describe
  the tickets solved in a period, on the day they were solved, so a chart's number and the list of
  tickets behind it are the same tickets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from supportdesk.sla.calendar import Calendar, business_seconds

ACTIVE = frozenset({"open", "in_progress", "pending"})
STOPPED = frozenset({"resolved", "closed"})
STATUSES = ("open", "in_progress", "pending", "resolved", "closed")


@dataclass(frozen=True)
class TicketHistory:
    """What the metrics read of one ticket: creation, status moves and agent replies, in order.

    `status_changes` holds (when, old status, new status) of every `status` history entry;
    `agent_replies` the times of every `replied` entry (an agent's public reply; internal notes
    and customer messages are not replies).
    """

    created_at: dt.datetime
    status_changes: tuple[tuple[dt.datetime, str, str], ...] = ()
    agent_replies: tuple[dt.datetime, ...] = ()


@dataclass(frozen=True)
class SlaTerms:
    """The calendar and targets (business seconds, None: no target) that apply to one ticket."""

    calendar: Calendar
    first_response: float | None = None
    resolution: float | None = None


def local_day(instant: dt.datetime, zone: str) -> dt.date:
    """The date the organization's wall clock shows at `instant`."""
    return instant.astimezone(ZoneInfo(zone)).date()


def day_start(day: dt.date, zone: str) -> dt.datetime:
    """The UTC instant the local `day` begins (local midnight, or the first instant after a gap)."""
    naive = dt.datetime.combine(day, dt.time())
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def status_at(h: TicketHistory, instant: dt.datetime) -> str | None:
    """The ticket's status at `instant` (None before it was created); changes at `instant` count."""
    if instant < h.created_at:
        return None
    status = "open"
    for at, _old, new in h.status_changes:
        if at > instant:
            break
        status = new
    return status


def solved_at(h: TicketHistory) -> dt.datetime | None:
    """When the ticket was solved, if it is now resolved or closed (else None).

    The latest move to resolved; a move to closed keeps an earlier resolution time and sets one
    when there was none; a move back to an active status clears it (the lifecycle's own rule for
    `Ticket.resolved_at`, replayed on the history).
    """
    solved: dt.datetime | None = None
    for at, _old, new in h.status_changes:
        if new == "resolved":
            solved = at
        elif new == "closed":
            solved = solved or at
        else:
            solved = None
    return solved


def created(h: TicketHistory, zone: str) -> dt.date:
    """**Created**: one per ticket, on the local day of its `created` history entry."""
    return local_day(h.created_at, zone)


def solved(h: TicketHistory, zone: str) -> dt.date | None:
    """**Solved**: one per ticket now resolved or closed, on the local day of `solved_at`."""
    at = solved_at(h)
    return None if at is None else local_day(at, zone)


def reopens(h: TicketHistory) -> int:
    """**Reopens**: status entries moving a ticket from resolved or closed back to an active status.

    The *reopened* figure counts solved tickets with at least one reopen.
    """
    return sum(1 for _at, old, new in h.status_changes if old in STOPPED and new in ACTIVE)


def active_intervals(h: TicketHistory) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """[from, to) spans during which the status was active (to None: still active)."""
    spans: list[tuple[dt.datetime, dt.datetime | None]] = []
    since: dt.datetime | None = h.created_at
    for at, _old, new in h.status_changes:
        if new in ACTIVE and since is None:
            since = at
        elif new in STOPPED and since is not None:
            if at > since:
                spans.append((since, at))
            since = None
    if since is not None:
        spans.append((since, None))
    return spans


def in_backlog(h: TicketHistory, instant: dt.datetime) -> bool:
    """**Backlog at an instant**: the ticket exists and its status is active (open, in progress,
    pending) at `instant`. A day's backlog is taken at the end of that local day."""
    return status_at(h, instant) in ACTIVE


def first_reply_at(h: TicketHistory) -> dt.datetime | None:
    """The first agent public reply (the ticket's first response), or None."""
    return h.agent_replies[0] if h.agent_replies else None


def first_response_seconds(h: TicketHistory) -> float | None:
    """**First response time (calendar)**: wall-clock seconds from creation to the first agent
    public reply; None when there is no reply."""
    first = first_reply_at(h)
    return None if first is None else (first - h.created_at).total_seconds()


def first_response_business_seconds(h: TicketHistory, terms: SlaTerms) -> float | None:
    """**First response time (business)**: the same span counted in business hours of the
    ticket's SLA calendar (weekly hours, holidays, its time zone); pending time still counts."""
    first = first_reply_at(h)
    return None if first is None else business_seconds(terms.calendar, h.created_at, first)


def resolution_seconds(h: TicketHistory) -> float | None:
    """**Full resolution time (calendar)**: wall-clock seconds from creation to `solved_at`
    (the latest resolution: time spent reopened counts); None while not solved."""
    at = solved_at(h)
    return None if at is None else (at - h.created_at).total_seconds()


def resolution_business_seconds(h: TicketHistory, terms: SlaTerms) -> float | None:
    """**Full resolution time (business)**: the same span in business hours of the SLA calendar."""
    at = solved_at(h)
    return None if at is None else business_seconds(terms.calendar, h.created_at, at)


def status_seconds(h: TicketHistory, until: dt.datetime) -> dict[str, float]:
    """**Time in each status**: wall-clock seconds the ticket spent in each status from creation
    to `until` (reports pass `solved_at`: the time in open, in progress and pending before it
    was solved, and in resolved or closed between a resolution and a reopen)."""
    out = dict.fromkeys(STATUSES, 0.0)
    status, since = "open", h.created_at
    for at, _old, new in h.status_changes:
        if at >= until:
            break
        out[status] += (at - since).total_seconds()
        status, since = new, at
    if until > since:
        out[status] += (until - since).total_seconds()
    return out


def _paused(h: TicketHistory, until: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Spans before `until` in which an SLA clock stands still: pending, resolved or closed."""
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    since: dt.datetime | None = None
    for at, _old, new in h.status_changes:
        if new not in ("open", "in_progress") and since is None:
            since = at
        elif new in ("open", "in_progress") and since is not None:
            spans.append((since, at))
            since = None
    if since is not None:
        spans.append((since, until))
    return [(s, min(e, until)) for s, e in spans if s < until]


def sla_clock_seconds(h: TicketHistory, terms: SlaTerms, clock: str) -> float | None:
    """Business seconds an SLA clock ran until it stopped, counted as the SLA clock counts
    (supportdesk.sla.clock): from creation, in the calendar's business hours, not while the
    ticket was pending, resolved or closed. The first-response clock stops at the first agent
    public reply (or at `solved_at` when none came before it), the resolution clock at
    `solved_at`. None while the ticket is not solved."""
    end = solved_at(h)
    if end is None:
        return None
    stop = end
    first = first_reply_at(h)
    if clock == "first_response" and first is not None and first <= end:
        stop = first
    return business_seconds(terms.calendar, h.created_at, stop, _paused(h, stop))


def sla_first_response(h: TicketHistory, terms: SlaTerms) -> str | None:
    """**SLA first response**: for a solved ticket with a first-response target, "achieved" when
    the first agent reply came before the ticket was solved and `sla_clock_seconds` is within
    the target, else "breached"; None without a target or while the ticket is not solved."""
    used = sla_clock_seconds(h, terms, "first_response")
    if terms.first_response is None or used is None:
        return None
    first = first_reply_at(h)
    replied = first is not None and first <= solved_at(h)
    return "achieved" if replied and used <= terms.first_response else "breached"


def sla_resolution(h: TicketHistory, terms: SlaTerms) -> str | None:
    """**SLA resolution**: for a solved ticket with a resolution target, "achieved" when
    `sla_clock_seconds` of the resolution clock is within the target, else "breached"; None
    without a target or while the ticket is not solved."""
    used = sla_clock_seconds(h, terms, "resolution")
    if terms.resolution is None or used is None:
        return None
    return "achieved" if used <= terms.resolution else "breached"


def replies(h: TicketHistory) -> int:
    """**Replies per ticket**: agent public replies (`replied` entries); notes do not count."""
    return len(h.agent_replies)


def one_touch(h: TicketHistory) -> bool:
    """**One-touch resolution**: a solved ticket that took exactly one agent public reply."""
    return solved_at(h) is not None and replies(h) == 1


# -- what one ticket adds to each local day ----------------------------------------------------

MEASURES = (
    "created",
    "solved",
    "backlog_delta",
    "reopened",
    "replies",
    "one_touch",
    "frt_count",
    "frt_seconds",
    "frt_business_seconds",
    "resolution_seconds",
    "resolution_business_seconds",
    "open_seconds",
    "in_progress_seconds",
    "pending_seconds",
    "sla_first_response_achieved",
    "sla_first_response_breached",
    "sla_resolution_achieved",
    "sla_resolution_breached",
)


def contributions(h: TicketHistory, terms: SlaTerms, zone: str) -> dict[dt.date, dict[str, int]]:
    """Every local day this ticket adds to, and what: its creation, its solution and the
    quality figures of that solution, and its moves in and out of the backlog (+1 on the day
    it becomes active, -1 on the day it stops being so: a day's backlog is the running sum)."""
    days: dict[dt.date, dict[str, int]] = {}

    def add(day: dt.date, measure: str, value: float) -> None:
        days.setdefault(day, dict.fromkeys(MEASURES, 0))[measure] += round(value)

    add(created(h, zone), "created", 1)
    for start, end in active_intervals(h):
        add(local_day(start, zone), "backlog_delta", 1)
        if end is not None:
            add(local_day(end, zone), "backlog_delta", -1)
    at = solved_at(h)
    if at is not None:
        day = local_day(at, zone)
        add(day, "solved", 1)
        add(day, "reopened", 1 if reopens(h) else 0)
        add(day, "replies", replies(h))
        add(day, "one_touch", 1 if one_touch(h) else 0)
        frt = first_response_seconds(h)
        if frt is not None:
            add(day, "frt_count", 1)
            add(day, "frt_seconds", frt)
            add(day, "frt_business_seconds", first_response_business_seconds(h, terms) or 0)
        add(day, "resolution_seconds", resolution_seconds(h) or 0)
        add(day, "resolution_business_seconds", resolution_business_seconds(h, terms) or 0)
        spent = status_seconds(h, at)
        for status in ("open", "in_progress", "pending"):
            add(day, f"{status}_seconds", spent[status])
        for clock, result in (
            ("first_response", sla_first_response(h, terms)),
            ("resolution", sla_resolution(h, terms)),
        ):
            if result is not None:
                add(day, f"sla_{clock}_{result}", 1)
    # A move in and out of the backlog on the same day leaves nothing to add.
    return {day: values for day, values in days.items() if any(values.values())}


# -- the figures shown, computed from the sums of the measures over a period --------------------


def _ratio(top: str, bottom: str | tuple[str, ...], scale: float = 1.0):
    bottoms = (bottom,) if isinstance(bottom, str) else bottom

    def compute(sums: dict[str, int]) -> float | None:
        total = sum(sums.get(b, 0) for b in bottoms)
        return None if not total else sums.get(top, 0) * scale / total

    return compute


def _sum(measure: str):
    return lambda sums: sums.get(measure, 0)


@dataclass(frozen=True)
class Figure:
    """A figure of the reports, computed from measures summed over a period.

    `unit`: "tickets", "hours", "%" or "replies". `ticket_list`: the list of tickets behind the
    figure, the target of its drill-down link: "created" or "solved" in the period, or the
    "backlog" (active tickets now).
    """

    name: str
    label: str
    unit: str
    ticket_list: str
    description: str
    compute: object

    def value(self, sums: dict[str, int]) -> float | None:
        """The figure from `sums` (measure -> total); None when it has nothing to average."""
        return self.compute(sums)


HOUR = 1 / 3600
FIGURES: dict[str, Figure] = {
    f.name: f
    for f in (
        Figure("created", "Created", "tickets", "created",
               created.__doc__, _sum("created")),
        Figure("solved", "Solved", "tickets", "solved",
               solved.__doc__, _sum("solved")),
        Figure("backlog", "Backlog", "tickets", "backlog",
               in_backlog.__doc__, _sum("backlog")),
        Figure("reopened", "Reopened", "tickets", "solved",
               "Solved tickets that were reopened at least once. " + (reopens.__doc__ or ""),
               _sum("reopened")),
        Figure("first_response_hours", "First response (business hours)", "hours", "solved",
               "Mean over the solved tickets that had a reply. "
               + (first_response_business_seconds.__doc__ or ""),
               _ratio("frt_business_seconds", "frt_count", HOUR)),
        Figure("first_response_calendar_hours", "First response (calendar hours)", "hours",
               "solved", "Mean over the solved tickets that had a reply. "
               + (first_response_seconds.__doc__ or ""),
               _ratio("frt_seconds", "frt_count", HOUR)),
        Figure("resolution_hours", "Full resolution (business hours)", "hours", "solved",
               "Mean over the solved tickets. " + (resolution_business_seconds.__doc__ or ""),
               _ratio("resolution_business_seconds", "solved", HOUR)),
        Figure("resolution_calendar_hours", "Full resolution (calendar hours)", "hours",
               "solved", "Mean over the solved tickets. " + (resolution_seconds.__doc__ or ""),
               _ratio("resolution_seconds", "solved", HOUR)),
        Figure("open_hours", "Time open", "hours", "solved",
               "Mean over the solved tickets. " + (status_seconds.__doc__ or ""),
               _ratio("open_seconds", "solved", HOUR)),
        Figure("in_progress_hours", "Time in progress", "hours", "solved",
               "Mean over the solved tickets. " + (status_seconds.__doc__ or ""),
               _ratio("in_progress_seconds", "solved", HOUR)),
        Figure("pending_hours", "Time pending", "hours", "solved",
               "Mean over the solved tickets. " + (status_seconds.__doc__ or ""),
               _ratio("pending_seconds", "solved", HOUR)),
        Figure("sla_first_response", "SLA first response achieved", "%", "solved",
               sla_first_response.__doc__,
               _ratio("sla_first_response_achieved",
                      ("sla_first_response_achieved", "sla_first_response_breached"), 100)),
        Figure("sla_first_response_breached", "SLA first response breached", "tickets",
               "solved", sla_first_response.__doc__, _sum("sla_first_response_breached")),
        Figure("sla_resolution", "SLA resolution achieved", "%", "solved",
               sla_resolution.__doc__,
               _ratio("sla_resolution_achieved",
                      ("sla_resolution_achieved", "sla_resolution_breached"), 100)),
        Figure("sla_resolution_breached", "SLA resolution breached", "tickets", "solved",
               sla_resolution.__doc__, _sum("sla_resolution_breached")),
        Figure("replies_per_ticket", "Replies per solved ticket", "replies", "solved",
               replies.__doc__, _ratio("replies", "solved")),
        Figure("one_touch", "One-touch resolution", "%", "solved",
               one_touch.__doc__, _ratio("one_touch", "solved", 100)),
    )
}  # fmt: skip
