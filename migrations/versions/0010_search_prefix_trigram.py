"""search: words split at punctuation, pg_trgm indexes for customers and tags (PostgreSQL only)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 17:45:00

PostgreSQL only (SQLite searches with LIKE and regular expressions and needs no schema):
- the three generated search vectors are rebuilt with ASCII punctuation turned into spaces first,
  so every part of an email, host name or hyphenated word is a word of its own;
- the pg_trgm extension (contrib, in Debian's postgresql server package) and two trigram GIN
  indexes: customers' "name email" and tag names, for "any part of" matches.
Rebuilding a stored generated column rewrites its table: on a large database run this in a quiet
hour (the 400,000 messages of 100,000 tickets take about a minute on a 2-core machine).
Creating the extension needs a role allowed to (a superuser, or the database owner on
PostgreSQL 13+ for this trusted extension). Downgrade restores the 0006 vectors and drops the
indexes; the extension stays (other objects may use it).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Kept identical to supportdesk.search.schema (migrations never import the app).
PUNCTUATION_SQL = "!\"#$%&''()*+,-./:;<=>?@[\\]^_`{|}~"
SPACES = " " * 32


def _words(text: str) -> str:
    return f"translate({text}, '{PUNCTUATION_SQL}'::text, '{SPACES}'::text)"


SEARCH_VECTORS = {
    "tickets": "to_tsvector('simple'::regconfig, " + _words("subject::text") + ")",
    "customers": (
        "to_tsvector('simple'::regconfig, "
        + _words("((name::text || ' '::text) || email::text)")
        + ")"
    ),
    "messages": "to_tsvector('simple'::regconfig, " + _words("body_text") + ")",
}
TRIGRAM_INDEXES = {
    "ix_customers_name_email_trgm": "customers USING gin "
    "((((name)::text || ' '::text) || (email)::text) gin_trgm_ops)",
    "ix_ticket_tags_name_trgm": "ticket_tags USING gin (name gin_trgm_ops)",
}
# The vectors of 0006, restored by downgrade.
PREVIOUS_VECTORS = {
    "tickets": "to_tsvector('simple'::regconfig, subject::text)",
    "customers": (
        "to_tsvector('simple'::regconfig, (((name::text || ' '::text) || email::text) || ' '::text)"
        " || translate(email::text, '@.-_+'::text, '     '::text))"
    ),
    "messages": "to_tsvector('simple'::regconfig, body_text)",
}


def _rebuild_vectors(vectors: dict) -> None:
    for table, expression in vectors.items():
        op.execute(f"DROP INDEX ix_{table}_search_vector")
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    _rebuild_vectors(SEARCH_VECTORS)
    for name, definition in TRIGRAM_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {definition}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX {name}")
    _rebuild_vectors(PREVIOUS_VECTORS)
