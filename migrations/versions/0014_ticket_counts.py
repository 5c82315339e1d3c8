"""Ticket counts per organization, status and assignee, kept by the database (sidebar counts)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 20:50:00

The console's sidebar shows how many tickets each queue holds on every page view. Counting them
(even capped at 10,000) read ~50,000 index entries a view; this table holds the same numbers,
changed by triggers in the transaction that inserts, updates or deletes tickets, so they are
exact, current for everyone as soon as the change commits, and read in one small query.

PostgreSQL: one statement-level trigger per event with transition tables, so a bulk load costs one
grouped upsert per statement; the upsert touches its rows in key order, so two transactions never
wait on each other's counter rows in opposite orders. SQLite: row triggers.
Expand only: a new table and triggers; the backfill runs under a lock that holds ticket writes for
its duration (about a second at 1,000,000 tickets).
"""

# ruff: noqa: S608  (SQL assembled from the constants below, no input)

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KEY = "organization_id, status, assignee_id"
UPSERT = f"ON CONFLICT ({KEY}) DO UPDATE SET tickets = ticket_counts.tickets + EXCLUDED.tickets"
ROWS = "SELECT organization_id, status, coalesce(assignee_id, 0) AS assignee_id, {sign} AS d FROM {table}"
POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION ticket_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ticket_counts ({KEY}, tickets)
    SELECT {KEY}, sum(d) FROM ({ROWS.format(sign=1, table="new_rows")}) AS changes
    GROUP BY {KEY} ORDER BY {KEY} {UPSERT};
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO ticket_counts ({KEY}, tickets)
    SELECT {KEY}, sum(d) FROM ({ROWS.format(sign=-1, table="old_rows")}) AS changes
    GROUP BY {KEY} ORDER BY {KEY} {UPSERT};
  ELSE
    INSERT INTO ticket_counts ({KEY}, tickets)
    SELECT {KEY}, sum(d) FROM (
      {ROWS.format(sign=-1, table="old_rows")} UNION ALL {ROWS.format(sign=1, table="new_rows")}
    ) AS changes
    GROUP BY {KEY} HAVING sum(d) <> 0 ORDER BY {KEY} {UPSERT};
  END IF;
  RETURN NULL;
END $$
"""
POSTGRESQL_TRIGGERS = [
    "CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_apply()",
    "CREATE TRIGGER ticket_counts_update AFTER UPDATE ON tickets"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_apply()",
    "CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_apply()",
    "CREATE FUNCTION ticket_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN DELETE FROM ticket_counts; RETURN NULL; END $$",
    "CREATE TRIGGER ticket_counts_truncate AFTER TRUNCATE ON tickets"
    " FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_truncate()",
]
_ADD = (
    f"INSERT INTO ticket_counts ({KEY}, tickets) VALUES "
    "(NEW.organization_id, NEW.status, coalesce(NEW.assignee_id, 0), 1) "
    f"ON CONFLICT ({KEY}) DO UPDATE SET tickets = tickets + 1;"
)
_REMOVE = (
    "UPDATE ticket_counts SET tickets = tickets - 1 WHERE organization_id = OLD.organization_id "
    "AND status = OLD.status AND assignee_id = coalesce(OLD.assignee_id, 0);"
)
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN {_ADD} END",
    f"CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN {_REMOVE} END",
    "CREATE TRIGGER ticket_counts_update AFTER UPDATE OF organization_id, status, assignee_id"
    f" ON tickets BEGIN {_REMOVE} {_ADD} END",
]


def upgrade():
    op.create_table(
        "ticket_counts",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_ticket_counts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "status", "assignee_id", name=op.f("pk_ticket_counts")
        ),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # No ticket write may slip between the backfill and the triggers.
        op.execute("LOCK TABLE tickets IN SHARE ROW EXCLUSIVE MODE")
        op.execute(POSTGRESQL_FUNCTION)
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)
    op.execute(
        f"INSERT INTO ticket_counts ({KEY}, tickets) "
        "SELECT organization_id, status, coalesce(assignee_id, 0), count(*) FROM tickets "
        f"GROUP BY organization_id, status, coalesce(assignee_id, 0)"
    )


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in (
        ("insert", "update", "delete", "truncate") if postgresql else ("insert", "update", "delete")
    ):
        op.execute(f"DROP TRIGGER ticket_counts_{name}" + (" ON tickets" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION ticket_counts_apply()")
        op.execute("DROP FUNCTION ticket_counts_truncate()")
    op.drop_table("ticket_counts")
