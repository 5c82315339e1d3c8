"""The PostgreSQL-only physical design of search: generated tsvector columns, GIN and trigram indexes.

The columns are computed by PostgreSQL itself (`GENERATED ALWAYS AS (...) STORED`), so every
write — ORM, bulk COPY, raw SQL — keeps them current with no application code. They are not part
of the portable models: SQLite has no tsvector, and SQLAlchemy cannot declare a column that exists
on one dialect only. Migrations 0006 and 0010 create them on PostgreSQL, and `include_object`
below keeps them out of Alembic's model/schema comparison (autogenerate and the drift test), by name.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

# ASCII punctuation becomes spaces before PostgreSQL's parser sees the text: it would otherwise
# keep emails, host names and hyphenated words as single tokens ("aisha.bianchi@x.example"), so
# no part of them could be found. What is left splits into runs of letters and digits, exactly
# where supportdesk.search.terms splits a query (and the SQLite fallback splits the text).
# string.punctuation as an SQL literal (its quote doubled) and as many spaces.
PUNCTUATION_SQL = "!\"#$%&''()*+,-./:;<=>?@[\\]^_`{|}~"
SPACES = " " * 32


def _words(text: str) -> str:
    """The SQL that turns the punctuation of `text` into spaces."""
    return f"translate({text}, '{PUNCTUATION_SQL}'::text, '{SPACES}'::text)"


# table -> generated expression (kept identical to migrations/versions/0010_search_prefix_trigram.py).
SEARCH_VECTORS = {
    "tickets": "to_tsvector('simple'::regconfig, " + _words("subject::text") + ")",
    "customers": (
        "to_tsvector('simple'::regconfig, "
        + _words("((name::text || ' '::text) || email::text)")
        + ")"
    ),
    "messages": "to_tsvector('simple'::regconfig, " + _words("body_text") + ")",
}
# Knowledge-base articles (migration 0028, supportdesk.kb.search): title weighs most, then tags,
# then the body.
ARTICLE_VECTOR = (
    "((setweight(to_tsvector('simple'::regconfig, " + _words("(title)::text") + "), 'A'::\"char\")"
    " || setweight(to_tsvector('simple'::regconfig, "
    + _words("(tags)::text")
    + "), 'B'::\"char\"))"
    " || setweight(to_tsvector('simple'::regconfig, " + _words("body") + "), 'C'::\"char\"))"
)
VECTOR_TABLES = {*SEARCH_VECTORS, "kb_articles"}
# Substring search ("aisha.bianchi", "driftwood-travel") on customers and tags: pg_trgm indexes.
# The customer expression must be written the same way in queries for the planner to use it.
CUSTOMER_TEXT = "((customers.name)::text || ' '::text) || (customers.email)::text"
TRIGRAM_INDEXES = {
    "ix_customers_name_email_trgm": "customers USING gin "
    "((((name)::text || ' '::text) || (email)::text) gin_trgm_ops)",
    "ix_ticket_tags_name_trgm": "ticket_tags USING gin (name gin_trgm_ops)",
}
SEARCH_INDEXES = {f"ix_{table}_search_vector" for table in VECTOR_TABLES} | set(TRIGRAM_INDEXES)
# Custom field filters: a GIN (jsonb_path_ops) index on tickets.custom_fields, PostgreSQL only
# (migration 0021; see supportdesk.fields.filters). Also left out of the comparisons.
SEARCH_INDEXES.add("ix_tickets_custom_fields")

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
articles_sv = sa.table(
    "kb_articles",
    sa.column("id"),
    sa.column("organization_id"),
    sa.column("body"),
    sa.column("search_vector", TSVECTOR),
)
customers_sv = sa.table(
    "customers", sa.column("id"), sa.column("organization_id"), sa.column("search_vector", TSVECTOR)
)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic hook: leave the database-maintained search columns and indexes out of comparisons."""
    if type_ == "column" and name == "search_vector" and obj.table.name in VECTOR_TABLES:
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)
