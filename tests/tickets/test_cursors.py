"""Keyset cursors: `<sort value>.<id>` in ASCII digits. Every string of that shape is a position
(values past their range are clamped past every ticket, never an error and never a value the
database would refuse); any other string decodes to None."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from supportdesk.params import INT4_MAX
from supportdesk.tickets.cursors import CURSOR_PATTERN, decode_cursor, encode_cursor
from supportdesk.tickets.models import Priority

BASE = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
FIRST_MOMENT = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
LAST_MOMENT = dt.datetime.max.replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("", id="empty"),
        pytest.param("12", id="no-id"),
        pytest.param("12.", id="empty-id"),
        pytest.param(".12", id="empty-value"),
        pytest.param("1.2.3", id="three-parts"),
        pytest.param("-1.2", id="negative"),
        pytest.param("1.5e3.2", id="exponent"),
        pytest.param("١٢.٣", id="arabic-indic-digits"),
        pytest.param("²." + "1", id="superscript"),
        pytest.param("1.2\n", id="trailing-newline"),
        pytest.param(" 1.2", id="leading-space"),
        pytest.param("1" * 21 + ".1", id="value-too-long"),
        pytest.param("WyIyMDI2LTExLTI1VDA5OjAyOjExIiwgMTIwMV0", id="the-old-base64-format"),
    ],
)
def test_a_string_of_another_shape_decodes_to_none(cursor):
    assert re.fullmatch(CURSOR_PATTERN, cursor) is None
    for sort in ("updated", "created", "priority", "number"):
        assert decode_cursor(cursor, sort) is None


@pytest.mark.parametrize(
    ("value", "sort"),
    [
        pytest.param(BASE, "updated", id="updated"),
        pytest.param(BASE.astimezone(dt.timezone(dt.timedelta(hours=5))), "created", id="zoned"),
        pytest.param(FIRST_MOMENT, "created", id="first-moment"),
        pytest.param(LAST_MOMENT, "updated", id="last-moment"),
        pytest.param(Priority.CRITICAL, "priority", id="priority"),
        pytest.param(Priority.LOW, "priority", id="lowest-priority"),
        pytest.param(INT4_MAX, "number", id="largest-number"),
    ],
)
def test_our_own_cursors_round_trip(value, sort):
    cursor = encode_cursor(value, INT4_MAX)

    assert re.fullmatch(CURSOR_PATTERN, cursor)
    assert decode_cursor(cursor, sort) == (value, INT4_MAX)


@pytest.mark.parametrize(
    ("cursor", "sort", "expected"),
    [
        pytest.param("2147483648.5", "number", (INT4_MAX, INT4_MAX), id="number-past-int4"),
        pytest.param("9" * 20 + ".5", "number", (INT4_MAX, INT4_MAX), id="number-past-int8"),
        pytest.param("0.5", "number", (0, 5), id="number-zero"),
        pytest.param("5.0", "number", (5, 0), id="id-zero"),
        pytest.param("5." + "9" * 20, "number", (5, INT4_MAX), id="id-past-int8"),
        pytest.param("9.5", "priority", (Priority.CRITICAL, INT4_MAX), id="rank-past-critical"),
        pytest.param("0.5", "priority", (Priority.LOW, 0), id="rank-below-low"),
        pytest.param("9" * 20 + ".5", "updated", (LAST_MOMENT, INT4_MAX), id="past-year-9999"),
        pytest.param("0.5", "created", (FIRST_MOMENT, 5), id="year-1"),
        pytest.param("0012.0007", "number", (12, 7), id="leading-zeros"),
    ],
)
def test_values_past_their_range_are_clamped_past_every_ticket(cursor, sort, expected):
    assert decode_cursor(cursor, sort) == expected


def test_a_time_cursor_counts_microseconds_since_year_1():
    moment = dt.datetime(1, 1, 1, 0, 0, 1, 5, tzinfo=dt.UTC)

    assert encode_cursor(moment, 3) == "1000005.3"
