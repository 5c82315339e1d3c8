"""Dates and numbers in the reader's language, in a time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk import i18n

pytestmark = pytest.mark.unit

WHEN = dt.datetime(2026, 3, 2, 9, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "zone", "style", "text"),
    [
        pytest.param("en", "UTC", "datetime", "02 Mar 2026, 09:05 UTC", id="en"),
        pytest.param(None, "UTC", "datetime", "02 Mar 2026, 09:05 UTC", id="none-is-english"),
        pytest.param("de", "UTC", "datetime", "02.03.2026, 09:05 UTC", id="de"),
        pytest.param(
            "de", "Europe/Berlin", "datetime", "02.03.2026, 10:05 CET (Europe/Berlin)", id="de-zone"
        ),
        pytest.param("de", "Europe/Berlin", "date", "02.03.2026", id="de-date"),
        pytest.param("de", "Europe/Berlin", "time", "10:05 CET (Europe/Berlin)", id="de-time"),
        pytest.param("fr", "UTC", "date", "02 Mar 2026", id="not-offered-is-english"),
    ],
)
def test_a_time_reads_as_its_reader_writes_dates(language, zone, style, text):
    assert i18n.format_time(WHEN, zone, language, style=style, named=True) == text


@pytest.mark.parametrize(
    ("language", "text"),
    [pytest.param("en", "1,234.5", id="en"), pytest.param("de", "1.234,5", id="de")],
)
def test_a_number_reads_as_its_reader_writes_numbers(language, text):
    assert i18n.format_number(1234.5, language) == text
