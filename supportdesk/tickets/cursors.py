"""Keyset cursors of ticket lists (console queue, search filters, API): encode, and decode with
validation, so that nothing a client crafts reaches the database as a value it would refuse.

A cursor is base64 of JSON `[sort value, ticket id]`; it is opaque to clients but not secret,
so a decoded value is checked like any other input: ids within int4, dates with a zone and
within the range a datetime can hold in UTC, ranks that exist. Anything else decodes to None
(the caller shows the first page, or the API answers 422).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from supportdesk.params import query_int
from supportdesk.tickets.models import Priority

# Our own cursors are under 80 characters; a long one is crafted.
MAX_CURSOR = 200


def encode_cursor(value, ticket_id: int) -> str:
    """An opaque cursor for keyset pagination: the sort value and id of a boundary row."""
    if isinstance(value, dt.datetime):
        value = {"t": value.isoformat()}
    elif isinstance(value, Priority):
        value = value.rank
    raw = json.dumps([value, ticket_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, dict) or not isinstance(value.get("t"), str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value["t"])
        # A naive time has no place on a UTC column; an aware one near year 1 or 9999 may not
        # exist in UTC at all (OverflowError).
        return moment.astimezone(dt.UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def _sort_value(value: Any, sort: str):
    if sort == "number":
        return query_int(value)
    if sort == "priority":
        try:
            return Priority.from_rank(query_int(value))
        except KeyError:
            return None
    return _timestamp(value)


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int] | None:
    """(sort value, ticket id) of a cursor made by encode_cursor for `sort`; None for any other."""
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw)
    except ValueError:  # binascii.Error, JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None
    if not isinstance(decoded, list) or len(decoded) != 2:
        return None
    value, ticket_id = _sort_value(decoded[0], sort), query_int(decoded[1])
    if value is None or ticket_id is None:
        return None
    return value, ticket_id
