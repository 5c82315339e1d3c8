"""CRM: the last synced value of each mapped field, the contact owner, and pulls in the sync log

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-28 06:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _kinds(kinds):
    with op.batch_alter_table("crm_syncs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_crm_syncs_crm_sync_kind"), type_="check")
        batch_op.create_check_constraint("crm_sync_kind", sa.column("kind").in_(kinds))


def upgrade():
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("crm_owner", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("crm_synced_values", JSON, server_default=sa.text("'{}'"), nullable=False)
        )
    with op.batch_alter_table("crm_syncs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("note", sa.String(length=2000), server_default="", nullable=False)
        )
    _kinds(["contact", "timeline", "pull"])


def downgrade():
    op.execute("DELETE FROM crm_syncs WHERE kind = 'pull'")
    _kinds(["contact", "timeline"])
    with op.batch_alter_table("crm_syncs", schema=None) as batch_op:
        batch_op.drop_column("note")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("crm_synced_values")
        batch_op.drop_column("crm_owner")
