"""Ticket deletions: the trace a deleted ticket leaves (who, when, why, the ticket as it was)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 21:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ticket_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("customer_email", sa.String(length=254), nullable=False),
        sa.Column("ticket_version", sa.Integer(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("ticket_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deleted_by_user_id"],
            ["users.id"],
            name=op.f("fk_ticket_deletions_deleted_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_ticket_deletions_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_deletions")),
    )
    with op.batch_alter_table("ticket_deletions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_deletions_org_deleted",
            ["organization_id", "deleted_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ticket_deletions_org_number", ["organization_id", "number"], unique=False
        )


def downgrade():
    with op.batch_alter_table("ticket_deletions", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_deletions_org_number")
        batch_op.drop_index("ix_ticket_deletions_org_deleted")
    op.drop_table("ticket_deletions")
