"""The one integer parser of query parameters: ASCII digits within the column's range, else None."""

from __future__ import annotations

import pytest

from supportdesk.params import INT4_MAX, INT8_MAX, query_int


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        pytest.param("42", {}, 42, id="ascii-digits"),
        pytest.param("0042", {}, 42, id="leading-zeros"),
        pytest.param(str(INT4_MAX), {}, INT4_MAX, id="int4-max"),
        pytest.param(str(INT4_MAX + 1), {}, None, id="past-int4"),
        pytest.param(str(INT4_MAX + 1), {"maximum": INT8_MAX}, INT4_MAX + 1, id="int8-allowed"),
        pytest.param(str(INT8_MAX + 1), {"maximum": INT8_MAX}, None, id="past-int8"),
        pytest.param("9" * 5000, {}, None, id="five-thousand-digits"),
        pytest.param("0", {}, None, id="below-minimum"),
        pytest.param("0", {"minimum": 0}, 0, id="zero-allowed"),
        pytest.param("-3", {"minimum": -10}, None, id="a-sign"),
        pytest.param("²", {}, None, id="superscript-two"),
        pytest.param("٣", {}, None, id="arabic-indic-three"),
        pytest.param("１２", {}, None, id="fullwidth-digits"),
        pytest.param("+5", {}, None, id="plus-sign"),
        pytest.param(" 5", {}, None, id="space"),
        pytest.param("1_000", {}, None, id="underscore"),
        pytest.param("1e3", {}, None, id="exponent"),
        pytest.param("", {}, None, id="empty"),
        pytest.param(None, {}, None, id="absent"),
        pytest.param(7, {}, 7, id="an-int"),
        pytest.param(2**40, {}, None, id="an-int-past-int4"),
        pytest.param(True, {}, None, id="a-boolean"),
        pytest.param(1.0, {}, None, id="a-float"),
    ],
)
def test_query_int_reads_only_ascii_digits_within_bounds(value, kwargs, expected):
    assert query_int(value, **kwargs) == expected
