"""Merge and split: tickets.merged_into_id, and the history kinds of merging and splitting

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-27 23:40:00

A merged ticket stays (closed), pointing at the ticket its conversation moved to, so its number,
its reply address and our Message-IDs keep reaching the survivor. The foreign key sets NULL when
the survivor is deleted; its partial index serves that (and holds only merged tickets).
Expand only: a nullable column, a small index, a wider CHECK on ticket_events.kind. SQLite
rebuilds `tickets` (batch mode) to name the foreign key, and puts its count triggers back.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

EVENT_KINDS = [
    "created",
    "replied",
    "noted",
    "customer_replied",
    "status",
    "priority",
    "assignee",
    "team",
    "subject",
    "tags",
    "sla_warning",
    "sla_breached",
    "escalated",
    "macro",  # 0015
]
NEW_EVENT_KINDS = ["merged_into", "merged_from", "split_off", "split_from"]
INDEX = "ix_tickets_merged_into_id"
FOREIGN_KEY = "fk_tickets_merged_into_id_tickets"


def _kinds(kinds: list[str]) -> None:
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_ticket_events_event_kind"), type_="check")
        batch_op.create_check_constraint("event_kind", sa.column("kind").in_(kinds))


def _sqlite_triggers() -> list[str]:
    """The triggers on `tickets` (SQLite): a batch rebuild drops them with the old table."""
    if op.get_bind().dialect.name != "sqlite":
        return []
    return list(
        op.get_bind()
        .exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tickets'"
        )
        .scalars()
    )


def upgrade():
    triggers = _sqlite_triggers()
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f(FOREIGN_KEY), "tickets", ["merged_into_id"], ["id"], ondelete="SET NULL"
        )
    for statement in triggers:
        op.execute(statement)
    op.create_index(
        INDEX,
        "tickets",
        ["merged_into_id"],
        postgresql_where=sa.text("merged_into_id IS NOT NULL"),
        sqlite_where=sa.text("merged_into_id IS NOT NULL"),
    )
    _kinds(EVENT_KINDS + NEW_EVENT_KINDS)


def downgrade():
    _kinds(EVENT_KINDS)
    op.drop_index(INDEX, table_name="tickets")
    triggers = _sqlite_triggers()
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(FOREIGN_KEY), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
    for statement in triggers:
        op.execute(statement)
