"""The `datetime` filter and its relative times, for pages nobody is signed in to as well."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.web import datetime_filter, time_ago

NOW = dt.datetime(2026, 11, 27, 13, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        pytest.param(dt.timedelta(seconds=59), "just now", id="seconds"),
        pytest.param(dt.timedelta(minutes=5), "5 min ago", id="minutes"),
        pytest.param(dt.timedelta(hours=3, minutes=59), "3 h ago", id="hours"),
        pytest.param(dt.timedelta(days=29, hours=23), "29 d ago", id="days"),
        # Older: the local date, which in Tokyo is already the next day.
        pytest.param(dt.timedelta(days=30, hours=14), "28 Oct 2026", id="a-month"),
    ],
)
def test_relative_times_in_a_zone(ago, text):
    assert time_ago(NOW - ago, "Asia/Tokyo", now=NOW) == text


@pytest.mark.parametrize(
    ("style", "element", "html"),
    [
        pytest.param(
            "datetime",
            True,
            '<time datetime="2026-11-27T13:05:00Z">27 Nov 2026, 13:05 UTC</time>',
            id="element",
        ),
        pytest.param("datetime", False, "27 Nov 2026, 13:05 UTC", id="attribute-text"),
        pytest.param(
            "time",
            True,
            '<time datetime="2026-11-27T13:05:00Z" title="27 Nov 2026, 13:05 UTC">13:05 UTC</time>',
            id="time",
        ),
    ],
)
def test_without_a_signed_in_agent_times_show_in_utc(app, style, element, html):
    with app.test_request_context("/login"):
        assert str(datetime_filter(NOW, style, element)) == html
        assert datetime_filter(None) == ""
