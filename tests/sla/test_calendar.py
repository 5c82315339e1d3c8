"""Business-hours math against the minute-by-minute oracle: named cases and random properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.sla.calendar import (
    Calendar,
    CalendarError,
    add_business_seconds,
    add_business_seconds_many,
    business_seconds,
    format_minute,
    normalise_pauses,
    parse_minute,
)
from tests.sla import oracle

UTC = dt.UTC
WEEKDAYS = {d: [["09:00", "17:00"]] for d in range(5)}
LUNCH = {d: [["09:00", "12:30"], ["13:30", "17:00"]] for d in range(5)}


def local(zone: str, *args: int) -> dt.datetime:
    """A wall-clock time in `zone`, as an aware UTC datetime."""
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


BERLIN = Calendar.from_spec("Europe/Berlin", WEEKDAYS | {6: [["01:00", "04:00"]]})
NEW_YORK = Calendar.from_spec("America/New_York", WEEKDAYS | {6: [["00:30", "03:30"]]})

# (calendar, start, minutes to add, pauses, expected due) — each also checked against the oracle.
CASES = [
    pytest.param(
        Calendar.from_spec("Europe/Berlin", {d: [["09:00", "18:00"]] for d in range(5)}),
        local("Europe/Berlin", 2026, 11, 27, 17, 59),
        60,
        [],
        local("Europe/Berlin", 2026, 11, 30, 9, 59),
        id="friday-17-59-rolls-to-monday",
    ),
    pytest.param(
        Calendar.from_spec("Europe/Berlin", WEEKDAYS, ["2026-12-25"]),
        local("Europe/Berlin", 2026, 12, 24, 16, 0),
        120,
        [],
        local("Europe/Berlin", 2026, 12, 28, 10, 0),
        id="christmas-holiday-and-weekend-skipped",
    ),
    pytest.param(
        Calendar.from_spec("Europe/Paris", LUNCH),
        local("Europe/Paris", 2026, 11, 25, 12, 0),
        60,
        [],
        local("Europe/Paris", 2026, 11, 25, 14, 0),
        id="lunch-break-does-not-count",
    ),
    pytest.param(
        Calendar.from_spec("Europe/Berlin", WEEKDAYS),
        local("Europe/Berlin", 2026, 11, 27, 16, 0),
        120,
        [
            (
                local("Europe/Berlin", 2026, 11, 27, 16, 30),
                local("Europe/Berlin", 2026, 11, 30, 10, 0),
            )
        ],
        local("Europe/Berlin", 2026, 11, 30, 11, 30),
        id="pending-over-a-weekend",
    ),
    pytest.param(
        BERLIN,
        local("Europe/Berlin", 2026, 3, 29, 0, 0),
        120,
        [],
        # 01:00–02:00 CET, then the clocks jump to 03:00 CEST: one more hour 03:00–04:00.
        local("Europe/Berlin", 2026, 3, 29, 4, 0),
        id="berlin-spring-forward",
    ),
    pytest.param(
        BERLIN,
        local("Europe/Berlin", 2026, 10, 25, 0, 0),
        240,
        [],
        # 01:00–03:00 CEST, 02:00–04:00 CET: the repeated hour counts twice.
        dt.datetime(2026, 10, 25, 3, 0, tzinfo=UTC),
        id="berlin-fall-back",
    ),
    pytest.param(
        NEW_YORK,
        local("America/New_York", 2026, 3, 8, 0, 0),
        120,
        [],
        # 00:30–02:00 EST, then 03:00–03:30 EDT.
        local("America/New_York", 2026, 3, 8, 3, 30),
        id="new-york-spring-forward",
    ),
    pytest.param(
        NEW_YORK,
        local("America/New_York", 2026, 11, 1, 0, 0),
        240,
        [],
        dt.datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
        id="new-york-fall-back",
    ),
    pytest.param(
        Calendar.from_spec("UTC", {}, ["2026-12-25"], always_open=True),
        dt.datetime(2026, 12, 24, 23, 0, tzinfo=UTC),
        120,
        [],
        dt.datetime(2026, 12, 25, 1, 0, tzinfo=UTC),
        id="24-7-ignores-weekends-and-holidays",
    ),
]


@pytest.mark.parametrize(("cal", "start", "minutes", "pauses", "expected"), CASES)
def test_named_cases_match_the_expected_instant_and_the_oracle(
    cal, start, minutes, pauses, expected
):
    due = add_business_seconds(cal, start, minutes * 60, pauses)
    assert due == expected
    assert due == oracle.add_minutes(cal, start, minutes, pauses)
    assert business_seconds(cal, start, due, pauses) == minutes * 60


def test_a_calendar_without_hours_never_comes_due():
    cal = Calendar.from_spec("UTC", {})
    assert add_business_seconds(cal, dt.datetime(2026, 1, 1, tzinfo=UTC), 60) is None


def test_an_open_ended_pause_stops_the_clock_for_good():
    start = dt.datetime(2026, 1, 5, 9, tzinfo=UTC)
    cal = Calendar.from_spec("UTC", WEEKDAYS)
    assert add_business_seconds(cal, start, 7200, [(start + dt.timedelta(hours=1), None)]) is None
    always = Calendar(always_open=True)
    assert add_business_seconds(always, start, 7200, [(start, None)]) is None


def test_zero_seconds_is_due_at_the_start_and_reversed_spans_are_empty():
    cal = Calendar.from_spec("UTC", WEEKDAYS)
    start = dt.datetime(2026, 1, 3, 12, tzinfo=UTC)
    assert add_business_seconds(cal, start, 0) == start
    assert business_seconds(cal, start, start - dt.timedelta(hours=1)) == 0


def test_overlapping_pauses_merge():
    a = dt.datetime(2026, 1, 1, tzinfo=UTC)
    h = dt.timedelta(hours=1)
    assert normalise_pauses([(a + 2 * h, a + 3 * h), (a, a + 2 * h), (a + h, a)]) == [
        (a, a + 3 * h)
    ]


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        pytest.param({"7": [["09:00", "10:00"]]}, "weekday", id="weekday-out-of-range"),
        pytest.param({"0": [["10:00", "09:00"]]}, "after it starts", id="period-backwards"),
        pytest.param({"0": [["09:00", "12:00"], ["11:00", "13:00"]]}, "overlap", id="overlap"),
        pytest.param({"0": [["9", "12:00"]]}, "not a time", id="malformed"),
        pytest.param({"0": [["24:30", "12:00"]]}, "time of day", id="out-of-day"),
    ],
)
def test_malformed_weekly_hours_are_refused(weekly, message):
    with pytest.raises(CalendarError, match=message):
        Calendar.from_spec("UTC", weekly)


def test_minutes_parse_and_format_round_trip():
    assert parse_minute("24:00") == 1440
    assert format_minute(parse_minute("09:30")) == "09:30"


# -- properties -------------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]


@st.composite
def calendars(draw) -> Calendar:
    weekly = {}
    for day in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, 96), max_size=4)))
        cuts = cuts[: len(cuts) // 2 * 2]
        spans = [
            [format_minute(a * 15), format_minute(b * 15)]
            for a, b in zip(cuts[::2], cuts[1::2], strict=True)
            if a < b
        ]
        if spans:
            weekly[day] = spans
    base = dt.date(2026, 3, 1)
    holidays = draw(st.lists(st.integers(0, 300), max_size=5))
    return Calendar.from_spec(
        draw(st.sampled_from(ZONES)),
        weekly,
        [base + dt.timedelta(days=d) for d in holidays],
        draw(st.booleans().filter(lambda b: True)) and draw(st.integers(0, 9)) == 0,
    )


# Around both 2026 DST changes in Europe and North America.
ANCHORS = [dt.datetime(2026, 3, 6, tzinfo=UTC), dt.datetime(2026, 10, 23, tzinfo=UTC)]


@st.composite
def instants(draw) -> dt.datetime:
    anchor = draw(st.sampled_from(ANCHORS))
    return anchor + dt.timedelta(minutes=draw(st.integers(0, 4 * 24 * 60)))


@st.composite
def pause_lists(draw, start: dt.datetime):
    pauses = []
    for _ in range(draw(st.integers(0, 2))):
        a = start + dt.timedelta(minutes=draw(st.integers(-600, 3 * 24 * 60)))
        pauses.append((a, a + dt.timedelta(minutes=draw(st.integers(1, 2 * 24 * 60)))))
    return pauses


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.data())
def test_business_seconds_match_the_oracle(data):
    cal = data.draw(calendars())
    start = data.draw(instants())
    end = start + dt.timedelta(minutes=data.draw(st.integers(0, 3 * 24 * 60)))
    pauses = data.draw(pause_lists(start))
    assert business_seconds(cal, start, end, pauses) == 60 * oracle.business_minutes(
        cal, start, end, pauses
    )


@FAST
@given(st.data())
def test_due_instants_match_the_oracle(data):
    cal = data.draw(calendars())
    start = data.draw(instants())
    minutes = data.draw(st.integers(0, 20 * 60))
    pauses = data.draw(pause_lists(start))
    expected = oracle.add_minutes(cal, start, minutes, pauses, limit_days=20)
    due = add_business_seconds(cal, start, minutes * 60, pauses)
    if expected is None:
        assert due is None or due > start + dt.timedelta(days=20)
    else:
        assert due == expected


@FAST
@given(st.data())
def test_one_walk_for_several_amounts_matches_the_oracle(data):
    cal = data.draw(calendars())
    start = data.draw(instants())
    amounts = data.draw(st.lists(st.integers(0, 12 * 60), min_size=1, max_size=3))
    pauses = data.draw(pause_lists(start))
    dues = add_business_seconds_many(cal, start, [m * 60 for m in amounts], pauses)
    for minutes, due in zip(amounts, dues, strict=True):
        expected = oracle.add_minutes(cal, start, minutes, pauses, limit_days=20)
        assert due == expected or (
            expected is None and (due is None or due > start + dt.timedelta(days=20))
        )
