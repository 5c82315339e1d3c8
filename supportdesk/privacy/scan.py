"""The verification scan: every column that can hold text, and every stored file, searched.

Nothing here knows which tables hold personal data: the columns come from the live schema
(text, varchar, char, json, jsonb, bytea and tsvector columns of every table), so a table added
tomorrow is scanned too. Matching is case-insensitive. Text and JSON are searched by the
database; tsvector columns (the search index) by a text-search query of the needle's words;
bytea columns and stored files are read here and searched whole and decoded: MIME parts
(base64, quoted-printable, encoded headers) and zip members, so a raw email or an export
archive hides nothing. PostgreSQL only (the SQLite fallback has no catalog queries here).
"""

from __future__ import annotations

import email
import html
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email import policy

import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.storage import MissingFile, storage

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")
MIN_NEEDLE = 3
EXCERPT = 30
MAX_DEPTH = 3
SKIPPED_TABLES = frozenset({"alembic_version"})


@dataclass(frozen=True)
class Hit:
    """One place a needle was found: `table.column` and the row's id, or a stored file."""

    location: str
    row: str
    needle: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.location} [{self.row}]: {self.needle!r} in …{self.excerpt}…"


def needles(values: Iterable[str | None]) -> list[str]:
    """The distinct, non-trivial strings to look for, with their HTML-escaped forms."""
    found: list[str] = []
    for value in values:
        value = " ".join((value or "").split())
        if len(value) < MIN_NEEDLE:
            continue
        for form in (value, html.escape(value)):
            if form.lower() not in (f.lower() for f in found):
                found.append(form)
    return found


def columns() -> list[tuple[str, str, str]]:
    """(table, column, data type) of every column of the public schema that can hold text."""
    rows = db.session.execute(
        sa.text(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
            " JOIN information_schema.tables t ON t.table_name = c.table_name"
            " AND t.table_schema = c.table_schema AND t.table_type = 'BASE TABLE'"
            " WHERE c.table_schema = current_schema()"
            " AND (c.data_type = ANY(:types) OR c.udt_name IN ('bytea', 'tsvector'))"
            " ORDER BY c.table_name, c.ordinal_position"
        ),
        {"types": list(TEXT_TYPES)},
    ).all()
    return [(t, c, kind) for t, c, kind in rows if t not in SKIPPED_TABLES]


def _tables_with_an_id() -> set[str]:
    """The tables of the public schema that have an `id` column (one catalog query)."""
    return set(
        db.session.scalars(
            sa.text(
                "SELECT table_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND column_name = 'id'"
            )
        )
    )


def _row_label(table: str, with_id: set[str]) -> sa.TextClause:
    return sa.text(f"{_quoted(table)}.{'id' if table in with_id else 'ctid'}::text")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _excerpt(text: str, needle: str) -> str:
    at = text.lower().find(needle.lower())
    start = max(0, at - EXCERPT)
    return " ".join(text[start : at + len(needle) + EXCERPT].split())


def scan_database(found: list[str]) -> Iterator[Hit]:
    """Every row of every text-holding column that contains one of `found`: one statement per
    column for all the needles (a row comes back once for each needle it holds)."""
    with_id = _tables_with_an_id()
    for table, column, kind in columns():
        label = _row_label(table, with_id).text
        col = f"{_quoted(table)}.{_quoted(column)}"
        if kind == "bytea":  # read here, decoded
            query = f"SELECT {label}, {col} FROM {_quoted(table)} WHERE {col} IS NOT NULL"  # noqa: S608
            rows = db.session.execute(sa.text(query)).yield_per(100)
            for row_id, blob in rows:
                for needle, text in _matches(bytes(blob), found):
                    yield Hit(f"{table}.{column}", row_id, needle, _excerpt(text, needle))
            continue
        if kind == "tsvector":
            where = f"{col} @@ plainto_tsquery('simple', n.needle)"
        else:
            where = f"strpos(lower({col}::text), lower(n.needle)) > 0"
        # Names come from the catalog, quoted; the needles are a bound parameter.
        query = (
            f"SELECT {label}, {col}::text, n.i FROM {_quoted(table)}"  # noqa: S608
            " JOIN unnest(CAST(:needles AS text[])) WITH ORDINALITY AS n(needle, i)"
            f" ON {where} ORDER BY n.i"
        )
        for row_id, text, i in db.session.execute(sa.text(query), {"needles": found}):
            needle = found[i - 1]
            yield Hit(f"{table}.{column}", row_id, needle, _excerpt(text or "", needle))


def scan_files(found: list[str]) -> Iterator[Hit]:
    """Every stored file (attachments, exports, …) that contains one of `found`."""
    files = storage()
    for key in files.stored_keys():
        try:
            blob = files.read(key)
        except MissingFile:
            continue  # deleted while we listed
        for needle, text in _matches(blob, found):
            yield Hit("storage", key, needle, _excerpt(text, needle))


def scan(found: list[str]) -> list[Hit]:
    """Everything the database and the file storage hold that contains one of `found`."""
    if not found:
        return []
    return [*scan_database(found), *scan_files(found)]


def _matches(blob: bytes, found: list[str]) -> Iterator[tuple[str, str]]:
    """(needle, text it was found in) for each needle in the blob's readable forms."""
    seen: set[str] = set()
    for text in texts(blob):
        lowered = text.lower()
        for needle in found:
            if needle not in seen and needle.lower() in lowered:
                seen.add(needle)
                yield needle, text


def texts(blob: bytes, depth: int = 0) -> Iterator[str]:
    """The blob as text, and decoded: a zip's members, a MIME message's headers and parts."""
    yield blob.decode("utf-8", "replace")
    if depth >= MAX_DEPTH:
        return
    if blob.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(blob)) as archive:
                for info in archive.infolist():
                    yield info.filename
                    yield from texts(archive.read(info), depth + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError):
            return
    elif _looks_like_mail(blob):
        yield from _mail_texts(blob, depth)


def _looks_like_mail(blob: bytes) -> bool:
    head = blob[:4096].lower()
    return (b"\n\n" in blob or b"\r\n\r\n" in blob) and any(
        name in head for name in (b"from:", b"to:", b"subject:", b"message-id:", b"received:")
    )


def _mail_texts(blob: bytes, depth: int) -> Iterator[str]:
    try:
        message = email.message_from_bytes(blob, policy=policy.default)
        for name, value in message.items():
            yield f"{name}: {value}"
        for part in message.walk():
            for name, value in part.items():
                yield f"{name}: {value}"
            if part.is_multipart():
                continue
            if part.get_filename():
                yield part.get_filename()
            if part.get_content_maintype() == "text":
                yield part.get_content()  # in the part's own charset
            yield from texts(part.get_payload(decode=True) or b"", depth + 1)
    except Exception:  # noqa: BLE001  (a malformed message is still searched raw, above)
        return
