"""Every metric definition against a brute-force oracle, on generated ticket histories.

The oracle knows nothing of intervals or business-time arithmetic: it replays the history one
UTC minute at a time (tests/sla/oracle.py decides whether a minute is business time) and counts.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.reports import metrics as m
from supportdesk.sla.calendar import Calendar
from tests.sla import oracle
from tests.sla.test_calendar import ANCHORS, ZONES, calendars

MINUTE = dt.timedelta(minutes=1)
STATUSES = ["open", "in_progress", "pending", "resolved", "closed"]


@st.composite
def histories(draw) -> m.TicketHistory:
    created = draw(st.sampled_from(ANCHORS)) + MINUTE * draw(st.integers(0, 3 * 24 * 60))
    at, status, changes = created, "open", []
    for _ in range(draw(st.integers(0, 6))):
        at += MINUTE * draw(st.integers(1, 18 * 60))
        new = draw(st.sampled_from([s for s in STATUSES if s != status]))
        changes.append((at, status, new))
        status = new
    replies = sorted(
        created + MINUTE * draw(st.integers(0, 3 * 24 * 60)) for _ in range(draw(st.integers(0, 3)))
    )
    return m.TicketHistory(created, tuple(changes), tuple(replies))


@st.composite
def terms(draw) -> m.SlaTerms:
    targets = st.none() | st.integers(0, 2 * 24 * 60).map(lambda n: n * 60.0)
    return m.SlaTerms(draw(calendars()), draw(targets), draw(targets))


# -- the oracle -----------------------------------------------------------------------------


def o_status(h: m.TicketHistory, t: dt.datetime) -> str | None:
    """Replay every entry up to `t` (inclusive)."""
    if t < h.created_at:
        return None
    current = "open"
    for at, _old, new in h.status_changes:
        if at <= t:
            current = new
    return current


def o_solved_at(h: m.TicketHistory) -> dt.datetime | None:
    """Now resolved or closed: the last move to resolved after the ticket last left an active
    status, else the first move to closed after it."""
    final = h.status_changes[-1][2] if h.status_changes else "open"
    if final not in ("resolved", "closed"):
        return None
    last_active = max(
        (i for i, (_a, _o, new) in enumerate(h.status_changes) if new in m.ACTIVE), default=-1
    )
    tail = h.status_changes[last_active + 1 :]
    resolved = [at for at, _o, new in tail if new == "resolved"]
    return resolved[-1] if resolved else tail[0][0]


def o_minutes(h, start, end, keep) -> int:
    """Minutes in [start, end) for which keep(minute, status) holds."""
    n, t = 0, start
    while t < end:
        if keep(t, o_status(h, t)):
            n += 1
        t += MINUTE
    return n


def o_clock_minutes(h: m.TicketHistory, terms: m.SlaTerms, clock: str) -> int | None:
    """Business minutes in which the ticket was open or in progress, until the clock stopped."""
    end = o_solved_at(h)
    if end is None:
        return None
    replied = bool(h.agent_replies) and h.agent_replies[0] <= end
    stop = h.agent_replies[0] if clock == "first_response" and replied else end
    return o_minutes(
        h,
        h.created_at,
        stop,
        lambda t, s: s in ("open", "in_progress") and oracle.is_business(terms.calendar, t),
    )


def o_sla(h: m.TicketHistory, terms: m.SlaTerms, clock: str) -> str | None:
    end = o_solved_at(h)
    target = terms.first_response if clock == "first_response" else terms.resolution
    if target is None or end is None:
        return None
    if clock == "first_response" and (not h.agent_replies or h.agent_replies[0] > end):
        return "breached"
    return "achieved" if o_clock_minutes(h, terms, clock) * 60 <= target else "breached"


# -- properties -----------------------------------------------------------------------------

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(histories(), st.sampled_from(ZONES))
def test_created_solved_and_reopens_match_the_oracle(h, zone):
    solved = o_solved_at(h)
    assert m.solved_at(h) == solved
    assert m.created(h, zone) == h.created_at.astimezone(Calendar(zone).zone).date()
    assert m.solved(h, zone) == (solved.astimezone(Calendar(zone).zone).date() if solved else None)
    statuses = ["open"] + [new for _a, _o, new in h.status_changes]
    expected = sum(
        1 for a, b in zip(statuses, statuses[1:], strict=False) if a in m.STOPPED and b in m.ACTIVE
    )
    assert m.reopens(h) == expected
    assert m.replies(h) == len(h.agent_replies)
    assert m.one_touch(h) == (solved is not None and len(h.agent_replies) == 1)


@FAST
@given(histories(), st.integers(-600, 6 * 24 * 60))
def test_backlog_at_an_instant_matches_the_oracle(h, offset):
    instant = h.created_at + MINUTE * offset
    assert m.in_backlog(h, instant) == (o_status(h, instant) in m.ACTIVE)


@FAST
@given(histories())
def test_time_in_each_status_matches_the_oracle(h):
    until = o_solved_at(h) or h.created_at + dt.timedelta(days=4)
    spent = m.status_seconds(h, until)
    for status in STATUSES:
        minutes = o_minutes(h, h.created_at, until, lambda t, s, want=status: s == want)
        assert spent[status] == minutes * 60, status


@FAST
@given(histories(), terms())
def test_response_and_resolution_times_match_the_oracle(h, t):
    first = h.agent_replies[0] if h.agent_replies else None
    solved = o_solved_at(h)
    if first is None:
        assert m.first_response_seconds(h) is None
        assert m.first_response_business_seconds(h, t) is None
    else:
        assert m.first_response_seconds(h) == (first - h.created_at).total_seconds()
        business = oracle.business_minutes(t.calendar, h.created_at, first)
        assert m.first_response_business_seconds(h, t) == business * 60
    if solved is None:
        assert m.resolution_seconds(h) is None
    else:
        assert m.resolution_seconds(h) == (solved - h.created_at).total_seconds()
        business = oracle.business_minutes(t.calendar, h.created_at, solved)
        assert m.resolution_business_seconds(h, t) == business * 60


@FAST
@given(histories(), terms())
def test_sla_achieved_or_breached_matches_the_oracle(h, t):
    for clock in ("first_response", "resolution"):
        minutes = o_clock_minutes(h, t, clock)
        expected = None if minutes is None else minutes * 60
        assert m.sla_clock_seconds(h, t, clock) == expected, clock
    assert m.sla_first_response(h, t) == o_sla(h, t, "first_response")
    assert m.sla_resolution(h, t) == o_sla(h, t, "resolution")


@FAST
@given(st.lists(histories(), min_size=1, max_size=6), terms(), st.sampled_from(ZONES))
def test_day_shares_add_up_to_the_oracle_per_day(hs, t, zone):
    """Summed over tickets, the shares give each day's created, solved and end-of-day backlog."""
    zone_info = Calendar(zone).zone
    sums: dict[dt.date, dict[str, int]] = {}
    for h in hs:
        for day, values in m.contributions(h, t, zone).items():
            into = sums.setdefault(day, dict.fromkeys(m.MEASURES, 0))
            for k, v in values.items():
                into[k] += v
    first = min(h.created_at for h in hs).astimezone(zone_info).date()
    backlog = 0
    for n in range(12):
        day = first + dt.timedelta(days=n)
        got = sums.get(day, dict.fromkeys(m.MEASURES, 0))
        backlog += got["backlog_delta"]
        end = m.day_start(day + dt.timedelta(days=1), zone) - dt.timedelta(microseconds=1)
        assert backlog == sum(1 for h in hs if o_status(h, end) in m.ACTIVE), day
        assert got["created"] == sum(
            1 for h in hs if h.created_at.astimezone(zone_info).date() == day
        )
        solved = [h for h in hs if (s := o_solved_at(h)) and s.astimezone(zone_info).date() == day]
        assert got["solved"] == len(solved)
        assert got["replies"] == sum(len(h.agent_replies) for h in solved)
        assert got["reopened"] == sum(1 for h in solved if m.reopens(h))
        assert got["sla_resolution_breached"] == sum(
            1 for h in solved if o_sla(h, t, "resolution") == "breached"
        )
