"""Request parameters: the one integer parser, the one NUL rule and the id range every
interface shares.

Values reach PostgreSQL as typed parameters, so anything it would refuse must stop here: an
integer outside its column's range (int4 ids) is an error there, and text cannot hold NUL.
Python's `int()` also reads Unicode digits ("٣" is 3, and "²" passes `str.isdigit()` but not
`int()`); an address is typed on a keyboard, so only ASCII digits count.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import NotFound

from supportdesk.errors import DomainError

INT4_MAX = 2**31 - 1  # PostgreSQL integer: every id and ticket number
INT8_MAX = 2**63 - 1  # PostgreSQL bigint
_ASCII_DIGITS = frozenset("0123456789")


def query_int(value: object, *, minimum: int = 1, maximum: int = INT4_MAX) -> int | None:
    """`value` as an integer in [minimum, maximum] when it is ASCII digits (no sign, no space),
    else None. Also accepts an int (a decoded cursor's field)."""
    if isinstance(value, bool):  # True is an int to Python, never to a client
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        # Bounded length first: int() of a 100,000-digit string is slow on purpose (CVE-2020-10735).
        if not value or len(value) > len(str(INT8_MAX)) or not _ASCII_DIGITS.issuperset(value):
            return None
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


class MalformedQuery(DomainError):
    """The query string holds a character no honest link carries (NUL)."""

    status = 400
    code = "malformed_query"


def init_app(app: Flask) -> None:
    """Install the request-wide rules: NUL in a query string is a 400, an id past int4 a 404.

    The one place for both: console pages, admin pages and the API all pass through it, so no
    view needs to remember that PostgreSQL text cannot hold NUL or an integer column 2**31.
    """

    @app.url_value_preprocessor
    def _ids_in_range(endpoint: str | None, values: dict | None) -> None:
        # `<int:…>` path parameters: no row has an id outside int4, and PostgreSQL would refuse
        # to compare one (NumericValueOutOfRange) rather than find nothing.
        for value in (values or {}).values():
            if isinstance(value, int) and not 1 <= value <= INT4_MAX:
                raise NotFound()

    @app.before_request
    def _refuse_nul_in_query() -> None:
        """Answer 400 naming the parameter when a query-string name or value contains NUL."""
        for name, value in request.args.items(multi=True):
            if "\x00" in name or "\x00" in value:
                label = name.replace("\x00", "\\0")
                raise MalformedQuery(
                    f"The parameter '{label}' contains a NUL character.",
                    {label: "must not contain NUL characters"},
                )
