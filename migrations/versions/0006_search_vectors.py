"""search vectors (PostgreSQL only)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 18:30:00

PostgreSQL only: a stored generated tsvector on tickets (subject), customers (name, email) and
messages (body), each with a GIN index. PostgreSQL computes them on every INSERT and UPDATE, so
they are always current. They are not in the portable models (see supportdesk/search/schema.py);
on SQLite this part is skipped and search falls back to LIKE matching.
Adding a stored column rewrites the table: on a large existing database run it in a quiet hour.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Kept identical to supportdesk.search.schema.SEARCH_VECTORS (migrations never import the app).
SEARCH_VECTORS = {
    "tickets": "to_tsvector('simple'::regconfig, subject::text)",
    "customers": (
        "to_tsvector('simple'::regconfig, (((name::text || ' '::text) || email::text) || ' '::text)"
        " || translate(email::text, '@.-_+'::text, '     '::text))"
    ),
    "messages": "to_tsvector('simple'::regconfig, body_text)",
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, expression in SEARCH_VECTORS.items():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SEARCH_VECTORS:
        op.execute(f"DROP INDEX ix_{table}_search_vector")
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
