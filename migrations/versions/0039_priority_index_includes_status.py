"""The tickets' priority index carries the status: a queue narrowed by priority counts its
tickets from the index alone

Revision ID: 0039
Revises: 0038
Create Date: 2026-11-28 18:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

COLUMNS = ["organization_id", "priority", "updated_at", "id"]


def upgrade():
    # The sidebar's count of a queue filtered by priority ("high, open") read every matching
    # ticket's row for its status: 12-20 ms at 100,000 tickets. With the status in the index
    # (INCLUDE: not a key, so the priority sort still reads it in order) the count is an
    # index-only scan. Same index, one column wider: no extra index to write per change.
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_index("ix_tickets_org_priority")
        batch_op.create_index("ix_tickets_org_priority", COLUMNS, postgresql_include=["status"])


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_index("ix_tickets_org_priority")
        batch_op.create_index("ix_tickets_org_priority", COLUMNS)
