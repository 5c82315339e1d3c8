"""The audit log as CSV, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to Excel, LibreOffice
and Google Sheets: a target label or user agent an attacker chose could run one when an admin
opens the export. Such cells get a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from supportdesk.audit.actions import label
from supportdesk.audit.models import AuditEntry
from supportdesk.localtime import utc_iso

COLUMNS = (
    "id",
    "time_utc",
    "actor_type",
    "actor",
    "actor_user_id",
    "api_token_id",
    "action",
    "action_label",
    "target_type",
    "target_id",
    "target",
    "before",
    "after",
    "ip_address",
    "user_agent",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> str:
    """The cell text, prefixed with an apostrophe when a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _row(entry: AuditEntry) -> list[str]:
    values = (
        entry.id,
        utc_iso(entry.created_at),
        entry.actor_type.value,
        entry.actor_label,
        entry.actor_user_id,
        entry.api_token_id,
        entry.action,
        label(entry.action),
        entry.target_type,
        entry.target_id,
        entry.target_label,
        json.dumps(entry.before, sort_keys=True) if entry.before is not None else "",
        json.dumps(entry.after, sort_keys=True) if entry.after is not None else "",
        entry.ip_address,
        entry.user_agent,
    )
    return [neutralize(v) for v in values]


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The header, then one CSV line per entry (streamed: the export may be long)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(COLUMNS)
    for entry in entries:
        yield line(_row(entry))
