"""SLA clocks as a pure function of the ticket's history: pauses, replies, resolution, policies."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.sla.calendar import Calendar
from supportdesk.sla.clock import History, Targets, compute
from tests.sla import oracle

UTC = dt.UTC
H = 3600
CAL = Calendar.from_spec("Europe/Berlin", {d: [["09:00", "17:00"]] for d in range(5)})
MON = dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


def at(hours: float) -> dt.datetime:
    return MON + dt.timedelta(hours=hours)


CASES = [
    pytest.param(History(MON), Targets(H, 4 * H), at(1), at(4), None, id="fresh-ticket"),
    pytest.param(
        History(MON, ((at(0.5), "pending"), (at(2.5), "open"))),
        Targets(H, 4 * H),
        at(3),
        at(6),
        None,
        id="pending-pauses-both-clocks",
    ),
    pytest.param(
        History(MON, ((at(0.5), "pending"),)),
        Targets(H, 4 * H),
        None,
        None,
        at(0.5),
        id="still-pending-has-no-due-time",
    ),
    pytest.param(
        History(MON, first_response_at=at(0.25)),
        Targets(H, 4 * H),
        None,
        at(4),
        None,
        id="answered-stops-the-first-response-clock",
    ),
    pytest.param(
        History(MON, ((at(1), "resolved"),)),
        Targets(H, 4 * H),
        None,
        None,
        None,
        id="resolved-stops-both",
    ),
    pytest.param(
        History(MON, ((at(1), "resolved"), (at(3), "open")), first_response_at=at(0.5)),
        Targets(H, 4 * H),
        None,
        at(6),
        None,
        id="reopened-carries-on-without-resolved-time",
    ),
    pytest.param(
        # A policy change mid-ticket: the new target applies from creation, pauses kept.
        History(MON, ((at(0.5), "pending"), (at(1.5), "open"))),
        Targets(2 * H, 8 * H),
        at(3),
        # 8 business hours + 1 paused = Monday 17:00 plus one hour on Tuesday.
        dt.datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        None,
        id="policy-change-mid-ticket",
    ),
    pytest.param(History(MON), Targets(None, None), None, None, None, id="no-targets"),
]


@pytest.mark.parametrize(("history", "targets", "fr_due", "res_due", "paused"), CASES)
def test_clocks_follow_the_history(history, targets, fr_due, res_due, paused):
    clock = compute(history, CAL, targets)
    assert (clock.first_response_due, clock.resolution_due, clock.paused_since) == (
        fr_due,
        res_due,
        paused,
    )


def test_due_times_agree_with_the_oracle_and_warn_at_the_threshold():
    history = History(MON, ((at(0.5), "pending"), (at(2.5), "open")))
    clock = compute(history, CAL, Targets(H, 10 * H, warning_ratio=0.8))
    pauses = [(at(0.5), at(2.5))]
    assert clock.resolution_due == oracle.add_minutes(CAL, MON, 600, pauses)
    assert clock.resolution_warn == oracle.add_minutes(CAL, MON, 480, pauses)
    assert clock.first_response_warn == oracle.add_minutes(CAL, MON, 48, pauses)


def test_a_ticket_paused_after_its_warning_has_neither_due_nor_warning_time():
    history = History(MON, ((at(0.9), "pending"),))
    clock = compute(history, CAL, Targets(H, 4 * H))
    assert (clock.first_response_due, clock.first_response_warn) == (None, None)
    assert (clock.resolution_due, clock.resolution_warn) == (None, None)
