"""The one date format: wall time in a zone, across DST edges, with the zone named for email."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.localtime import format_datetime, is_time_zone, time_zones, utc_iso

pytestmark = pytest.mark.unit


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "zone, instant, text",
    [
        pytest.param("UTC", utc(2026, 11, 27, 13, 5), "27 Nov 2026, 13:05 UTC", id="utc"),
        pytest.param(
            "Europe/Berlin", utc(2026, 11, 27, 13, 5), "27 Nov 2026, 14:05 CET", id="berlin-winter"
        ),
        pytest.param(
            "Europe/Berlin", utc(2026, 7, 1, 12, 0), "01 Jul 2026, 14:00 CEST", id="berlin-summer"
        ),
        # Spring forward in Berlin: 02:00 local does not exist; 00:59 UTC is 01:59 CET.
        pytest.param(
            "Europe/Berlin",
            utc(2026, 3, 29, 0, 59),
            "29 Mar 2026, 01:59 CET",
            id="berlin-before-spring-forward",
        ),
        pytest.param(
            "Europe/Berlin",
            utc(2026, 3, 29, 1, 0),
            "29 Mar 2026, 03:00 CEST",
            id="berlin-at-spring-forward",
        ),
        # Fall back: 02:30 local happens twice; the abbreviation tells them apart.
        pytest.param(
            "Europe/Berlin",
            utc(2026, 10, 25, 0, 30),
            "25 Oct 2026, 02:30 CEST",
            id="berlin-first-0230",
        ),
        pytest.param(
            "Europe/Berlin",
            utc(2026, 10, 25, 1, 30),
            "25 Oct 2026, 02:30 CET",
            id="berlin-second-0230",
        ),
        pytest.param(
            "America/New_York",
            utc(2026, 3, 8, 6, 59),
            "08 Mar 2026, 01:59 EST",
            id="new-york-before-spring-forward",
        ),
        pytest.param(
            "America/New_York",
            utc(2026, 3, 8, 7, 0),
            "08 Mar 2026, 03:00 EDT",
            id="new-york-at-spring-forward",
        ),
        pytest.param(
            "America/New_York",
            utc(2026, 11, 1, 5, 30),
            "01 Nov 2026, 01:30 EDT",
            id="new-york-first-0130",
        ),
        pytest.param(
            "America/New_York",
            utc(2026, 11, 1, 6, 30),
            "01 Nov 2026, 01:30 EST",
            id="new-york-second-0130",
        ),
        pytest.param(
            "America/Los_Angeles",
            utc(2026, 1, 1, 3, 0),
            "31 Dec 2025, 19:00 PST",
            id="los-angeles-previous-year",
        ),
        pytest.param(
            "Asia/Kolkata", utc(2026, 11, 27, 13, 5), "27 Nov 2026, 18:35 IST", id="half-hour"
        ),
        pytest.param(
            "Asia/Kathmandu", utc(2026, 11, 27, 13, 5), "27 Nov 2026, 18:50 +0545", id="45-minutes"
        ),
        pytest.param(
            "Pacific/Kiritimati", utc(2026, 12, 31, 11, 0), "01 Jan 2027, 01:00 +14", id="utc+14"
        ),
        # Southern hemisphere: DST in January, and Lord Howe moves by half an hour only.
        pytest.param(
            "Australia/Sydney", utc(2026, 1, 15, 0, 0), "15 Jan 2026, 11:00 AEDT", id="sydney"
        ),
        pytest.param(
            "Australia/Lord_Howe",
            utc(2026, 4, 4, 14, 59),
            "05 Apr 2026, 01:59 +11",
            id="lord-howe-before-fall-back",
        ),
        pytest.param(
            "Australia/Lord_Howe",
            utc(2026, 4, 4, 15, 0),
            "05 Apr 2026, 01:30 +1030",
            id="lord-howe-after-fall-back",
        ),
    ],
)
def test_an_instant_reads_as_wall_time_in_the_zone(zone, instant, text):
    assert format_datetime(instant, zone) == text


@pytest.mark.parametrize(
    "zone, instant, style, named, text",
    [
        pytest.param(
            "Europe/Berlin",
            utc(2026, 11, 27, 13, 5),
            "datetime",
            True,
            "27 Nov 2026, 14:05 CET (Europe/Berlin)",
            id="named",
        ),
        pytest.param(
            "UTC", utc(2026, 11, 27, 13, 5), "datetime", True, "27 Nov 2026, 13:05 UTC", id="utc"
        ),
        pytest.param(
            "Europe/Berlin", utc(2026, 11, 27, 13, 5), "time", False, "14:05 CET", id="time"
        ),
        pytest.param(
            "America/Los_Angeles", utc(2026, 1, 1, 3, 0), "date", False, "31 Dec 2025", id="date"
        ),
    ],
)
def test_styles_and_named_zones(zone, instant, style, named, text):
    assert format_datetime(instant, zone, style=style, named=named) == text


def test_machines_read_utc_with_a_z():
    berlin = dt.datetime(2026, 11, 27, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert utc_iso(berlin) == "2026-11-27T13:05:00Z"


@pytest.mark.parametrize(
    "name, known",
    [
        pytest.param("UTC", True, id="utc"),
        pytest.param("Europe/Berlin", True, id="region-city"),
        pytest.param("America/Argentina/Buenos_Aires", True, id="three-parts"),
        pytest.param("Mars/Olympus_Mons", False, id="invented"),
        pytest.param("europe/berlin", False, id="wrong-case"),
        pytest.param("US/Eastern", False, id="legacy-alias"),
        pytest.param("posixrules", False, id="not-a-place"),
        pytest.param("", False, id="empty"),
        pytest.param(None, False, id="none"),
    ],
)
def test_only_listed_zones_are_time_zones(name, known):
    assert is_time_zone(name) is known


def test_the_list_starts_with_utc_and_is_sorted_after_it():
    zones = time_zones()
    assert zones[0] == "UTC"
    assert list(zones[1:]) == sorted(zones[1:])
    assert "Europe/Berlin" in zones
