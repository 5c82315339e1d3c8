"""Rows to CSV or JSON Lines, with spreadsheet formulas neutralized in CSV cells."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
from collections.abc import Iterable, Sequence
from typing import IO, Any

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); tab and carriage return too, which some of them strip first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralize(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading formula character gets a `'` before it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _cell(value: Any) -> Any:
    """A CSV cell: nothing for None, JSON text for structured values, text neutralized."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return neutralize(value) if isinstance(value, str) else value


class Writer:
    """Writes rows of `columns` to a text stream in `format` ("csv" or "jsonl")."""

    def __init__(self, out: IO[str], columns: Sequence[str], fmt: str, *, bom: bool = False):
        self.out, self.columns, self.fmt = out, list(columns), fmt
        if fmt == "csv":
            if bom:
                out.write(BOM)
            self.csv = csv.writer(out, lineterminator="\r\n")
            self.csv.writerow(self.columns)

    def write(self, rows: Iterable[Sequence[Any]]) -> int:
        """Write the rows; returns how many."""
        n = 0
        for row in rows:
            values = [_plain(v) for v in row]
            if self.fmt == "csv":
                self.csv.writerow([_cell(v) for v in values])
            else:
                self.out.write(
                    json.dumps(dict(zip(self.columns, values, strict=True)), ensure_ascii=False)
                )
                self.out.write("\n")
            n += 1
        return n


def to_text(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> str:
    """The whole document as a string (small tables, tests)."""
    out = io.StringIO()
    Writer(out, columns, fmt).write(rows)
    return out.getvalue()
