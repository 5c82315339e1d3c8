"""Organization.help_host: the help center on the organization's own host name

Revision ID: 0038
Revises: 0033
Create Date: 2026-11-28 06:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0038"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("organizations", sa.Column("help_host", sa.String(253), nullable=True))
    # Unique among organizations (NULLs, the organizations without one, do not collide).
    op.create_index("ix_organizations_help_host", "organizations", ["help_host"], unique=True)


def downgrade():
    op.drop_index("ix_organizations_help_host", table_name="organizations")
    op.drop_column("organizations", "help_host")
