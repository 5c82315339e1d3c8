"""Export notifications: a notification about an export (not a ticket), and its kind

Revision ID: 0035
Revises: 0034
Create Date: 2026-11-28 06:00:00

An agent hears in the console (and by email when away) that an export they asked for finished.
Expand only: agent_notifications.ticket_id becomes nullable, a nullable export_id (CASCADE with
the export) with its index, and a wider CHECK on the notification kind of both tables.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

KINDS = ["assigned", "customer_replied", "mentioned", "sla_warning", "sla_breached"]
NEW_KINDS = ["export_finished"]
TABLES = ("agent_notifications", "notification_preferences")


def _kinds(kinds: list[str]) -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_notification_kind"), type_="check")
            batch_op.create_check_constraint("notification_kind", sa.column("kind").in_(kinds))


def upgrade():
    with op.batch_alter_table("agent_notifications", schema=None) as batch_op:
        batch_op.alter_column("ticket_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("export_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_agent_notifications_export_id_exports"),
            "exports",
            ["export_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_agent_notifications_export", ["export_id"], unique=False)
    _kinds(KINDS + NEW_KINDS)


def downgrade():
    op.execute(sa.text("DELETE FROM agent_notifications WHERE kind = 'export_finished'"))
    op.execute(sa.text("DELETE FROM notification_preferences WHERE kind = 'export_finished'"))
    _kinds(KINDS)
    with op.batch_alter_table("agent_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_agent_notifications_export")
        batch_op.drop_constraint(
            op.f("fk_agent_notifications_export_id_exports"), type_="foreignkey"
        )
        batch_op.drop_column("export_id")
        batch_op.alter_column("ticket_id", existing_type=sa.Integer(), nullable=False)
