"""Organization.cache_version: the per-process cache of read-mostly rows checks it

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-28 03:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.add_column(
        "organizations",
        sa.Column("cache_version", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade():
    op.drop_column("organizations", "cache_version")
