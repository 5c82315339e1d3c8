"""The composer: Markdown messages, Cc on replies, drafts per ticket and agent, time spent

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 23:50:00

Expand only: new columns with server defaults (or nullable) and a new table. Existing messages
keep body_format "text" and stay as they were written.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("body_format", sa.String(length=10), server_default="text", nullable=False)
        )
        batch_op.add_column(sa.Column("cc", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("time_spent_minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("email_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cc", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_tracking", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "composer_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("cc", sa.Text(), nullable=False),
        sa.Column("time_spent_minutes", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_composer_drafts_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_composer_drafts_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_composer_drafts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_composer_drafts")),
        sa.UniqueConstraint("ticket_id", "user_id", name="uq_composer_drafts_ticket_user"),
    )
    with op.batch_alter_table("composer_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_composer_drafts_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("composer_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_composer_drafts_user_id"))
    op.drop_table("composer_drafts")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("time_tracking")
    with op.batch_alter_table("email_messages", schema=None) as batch_op:
        batch_op.drop_column("cc")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("time_spent_minutes")
        batch_op.drop_column("cc")
        batch_op.drop_column("body_format")
