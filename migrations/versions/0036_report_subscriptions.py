"""Report subscriptions: weekly or monthly summary emails of the dashboard's figures

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-28 06:00:00

Expand only: one new table.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "frequency",
            sa.Enum(
                "weekly",
                "monthly",
                name="report_frequency",
                native_enum=False,
                create_constraint=True,
                length=7,
            ),
            nullable=False,
        ),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("last_period_start", sa.Date(), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_report_subscriptions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_report_subscriptions_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_report_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_subscriptions")),
        sa.UniqueConstraint("user_id", "frequency", name="uq_report_subscriptions_user_frequency"),
    )
    with op.batch_alter_table("report_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_subscriptions_org", ["organization_id", "user_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("report_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_report_subscriptions_org")
    op.drop_table("report_subscriptions")
