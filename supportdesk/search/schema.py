"""The PostgreSQL-only physical design of search: generated tsvector columns and GIN indexes.

The columns are computed by PostgreSQL itself (`GENERATED ALWAYS AS (...) STORED`), so every
write — ORM, bulk COPY, raw SQL — keeps them current with no application code. They are not part
of the portable models: SQLite has no tsvector, and SQLAlchemy cannot declare a column that exists
on one dialect only. Migration 0006 creates them on PostgreSQL, and `include_object` below keeps
them out of Alembic's model/schema comparison (autogenerate and the drift test), by name.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

# table -> generated expression (kept identical to migrations/versions/0006_search_vectors.py).
SEARCH_VECTORS = {
    "tickets": "to_tsvector('simple'::regconfig, subject::text)",
    # Emails are indexed whole and split at punctuation, so "anna" finds anna.smith@example.com.
    "customers": (
        "to_tsvector('simple'::regconfig, (((name::text || ' '::text) || email::text) || ' '::text)"
        " || translate(email::text, '@.-_+'::text, '     '::text))"
    ),
    "messages": "to_tsvector('simple'::regconfig, body_text)",
}
SEARCH_INDEXES = {f"ix_{table}_search_vector" for table in SEARCH_VECTORS}

# Lightweight table clauses for the queries (the ORM models do not map the columns).
tickets_sv = sa.table(
    "tickets", sa.column("id"), sa.column("organization_id"), sa.column("search_vector", TSVECTOR)
)
messages_sv = sa.table(
    "messages",
    sa.column("id"),
    sa.column("ticket_id"),
    sa.column("organization_id"),
    sa.column("body_text"),
    sa.column("search_vector", TSVECTOR),
)
customers_sv = sa.table(
    "customers", sa.column("id"), sa.column("organization_id"), sa.column("search_vector", TSVECTOR)
)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic hook: leave the database-maintained search columns and indexes out of comparisons."""
    if type_ == "column" and name == "search_vector" and obj.table.name in SEARCH_VECTORS:
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)
