"""The keyset cursor decoder refuses what a client can craft: naive or unrepresentable dates,
ids and numbers past int4, booleans, floats, wrong shapes."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from supportdesk.tickets.cursors import decode_cursor, encode_cursor
from supportdesk.tickets.models import Priority

BASE = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def _raw(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("cursor", "sort"),
    [
        pytest.param(_raw([{"t": "2026-11-25T09:00:00"}, 1]), "updated", id="naive-datetime"),
        pytest.param(_raw([{"t": "0001-01-01T00:00:00+14:00"}, 1]), "updated", id="before-year-1"),
        pytest.param(_raw([{"t": "9999-12-31T23:59:59-14:00"}, 1]), "created", id="after-9999"),
        pytest.param(_raw([{"t": "not a date"}, 1]), "updated", id="not-a-date"),
        pytest.param(_raw([{"t": 5}, 1]), "updated", id="date-not-text"),
        pytest.param(_raw([{"t": BASE.isoformat()}, 2**31]), "updated", id="id-past-int4"),
        pytest.param(_raw([{"t": BASE.isoformat()}, 10**30]), "updated", id="id-past-int8"),
        pytest.param(_raw([{"t": BASE.isoformat()}, 0]), "updated", id="id-zero"),
        pytest.param(_raw([{"t": BASE.isoformat()}, -4]), "updated", id="id-negative"),
        pytest.param(_raw([{"t": BASE.isoformat()}, 1.5]), "updated", id="id-float"),
        pytest.param(_raw([{"t": BASE.isoformat()}, True]), "updated", id="id-boolean"),
        pytest.param(_raw([2**31, 1]), "number", id="number-past-int4"),
        pytest.param(_raw([True, 1]), "number", id="number-boolean"),
        pytest.param(_raw([True, 1]), "priority", id="priority-boolean"),
        pytest.param(_raw([10**30, 1]), "priority", id="priority-huge"),
        pytest.param(_raw([1, 2, 3]), "number", id="three-items"),
        pytest.param(_raw({"a": 1}), "number", id="an-object"),
        pytest.param(_raw(5), "number", id="a-bare-number"),
        pytest.param("A" * 201, "number", id="too-long"),
        pytest.param("é", "number", id="not-ascii"),
        pytest.param("[[[[", "number", id="not-base64-json"),
    ],
)
def test_a_crafted_cursor_decodes_to_none(cursor, sort):
    assert decode_cursor(cursor, sort) is None


@pytest.mark.parametrize(
    ("value", "sort"),
    [
        pytest.param(BASE, "updated", id="updated"),
        pytest.param(BASE.astimezone(dt.timezone(dt.timedelta(hours=5))), "created", id="zoned"),
        pytest.param(Priority.CRITICAL, "priority", id="priority"),
        pytest.param(2**31 - 1, "number", id="largest-number"),
    ],
)
def test_our_own_cursors_round_trip(value, sort):
    assert decode_cursor(encode_cursor(value, 2**31 - 1), sort) == (value, 2**31 - 1)
