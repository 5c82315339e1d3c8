"""Organization.help_host: the help center on the organization's own host name; an index for
an article page's related articles

Revision ID: 0038
Revises: 0037
Create Date: 2026-11-28 06:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("organizations", sa.Column("help_host", sa.String(253), nullable=True))
    # Unique among organizations (NULLs, the organizations without one, do not collide).
    op.create_index("ix_organizations_help_host", "organizations", ["help_host"], unique=True)
    # An article page's related articles (supportdesk.kb.queries.related): the category's most
    # helpful first, read backwards from the index instead of sorting the whole category.
    op.create_index(
        "ix_kb_articles_org_status_category_helpful",
        "kb_articles",
        ["organization_id", "status", "category_id", "helpful_count"],
    )


def downgrade():
    op.drop_index("ix_kb_articles_org_status_category_helpful", table_name="kb_articles")
    op.drop_index("ix_organizations_help_host", table_name="organizations")
    op.drop_column("organizations", "help_host")
