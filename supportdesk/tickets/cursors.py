"""Keyset cursors of ticket lists (console queue, search filters, API): encode, and decode with
validation, so that nothing a client crafts reaches the database as a value it would refuse.

A cursor reads `<sort value>.<ticket id>`, both ASCII digits: a ticket number, a priority rank
(1 low … 4 critical), or a time as microseconds since 0001-01-01T00:00:00Z. It is opaque to
clients but not secret, and its whole grammar is one pattern (`CURSOR_PATTERN`, which the API
document states): every string that matches it is a position in the list. A value past either
end of its range is clamped to a position past every ticket on that side, so that a crafted
cursor gives the page the position means (often an empty one) and never an error; the database
only ever sees values its columns can hold. Anything else decodes to None (the console shows
the first page; the API refuses it by the pattern, 422).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from supportdesk.params import INT4_MAX
from supportdesk.tickets.models import Priority

CURSOR_PATTERN = r"^[0-9]{1,20}\.[0-9]{1,20}$"
_CURSOR = re.compile(CURSOR_PATTERN)
_EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_LAST_MOMENT = (dt.datetime.max.replace(tzinfo=dt.UTC) - _EPOCH) // _MICROSECOND
# Ids compared against a boundary: 0 is before every row, INT4_MAX (the column's largest) past
# every row but that one; the id is bound as an int4, so it may not be larger.
_BEFORE_EVERY_ID, _PAST_EVERY_ID = 0, INT4_MAX
# Each sort's range of raw values: (lowest, highest, raw -> sort value).
_RANGES = {
    "number": (0, INT4_MAX, int),
    "priority": (1, 4, Priority.from_rank),
    "time": (0, _LAST_MOMENT, lambda raw: _EPOCH + raw * _MICROSECOND),
}


def encode_cursor(value, ticket_id: int) -> str:
    """An opaque cursor for keyset pagination: the sort value and id of a boundary row."""
    if isinstance(value, dt.datetime):
        raw = (value - _EPOCH) // _MICROSECOND
    elif isinstance(value, Priority):
        raw = value.rank
    else:
        raw = value
    return f"{raw}.{ticket_id}"


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int] | None:
    """(sort value, ticket id) of a cursor for `sort` ("updated", "created", "priority",
    "number"); values past their range are clamped past every ticket; None if malformed."""
    if not isinstance(cursor, str) or not _CURSOR.fullmatch(cursor):
        return None
    raw_value, raw_id = (int(part) for part in cursor.split("."))
    lowest, highest, convert = _RANGES.get(sort, _RANGES["time"])
    if raw_value > highest:
        return convert(highest), _PAST_EVERY_ID
    if raw_value < lowest:
        return convert(lowest), _BEFORE_EVERY_ID
    return convert(raw_value), min(raw_id, _PAST_EVERY_ID)
