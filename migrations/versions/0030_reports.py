"""Reports: tickets to count again, each ticket's share of each day, and the day sums

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-28 02:50:00

Expand only: three new tables, empty until `flask reports rebuild` counts every ticket (the
periodic refresh keeps them current afterwards; supportdesk.reports.service says how).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
MEASURES = (
    "created",
    "solved",
    "backlog_delta",
    "reopened",
    "replies",
    "one_touch",
    "frt_count",
    "frt_seconds",
    "frt_business_seconds",
    "resolution_seconds",
    "resolution_business_seconds",
    "open_seconds",
    "in_progress_seconds",
    "pending_seconds",
    "sla_first_response_achieved",
    "sla_first_response_breached",
    "sla_resolution_achieved",
    "sla_resolution_breached",
)


def _measures() -> list[sa.Column]:
    return [
        sa.Column(name, sa.BigInteger(), server_default="0", nullable=False) for name in MEASURES
    ]


def _dimensions() -> list[sa.Column]:
    return [
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
    ]


def upgrade():
    op.create_table(
        "report_dirty",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_dirty")),
    )
    op.create_table(
        "report_ticket_days",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("tags", JSON, nullable=False),
        *_dimensions(),
        *_measures(),
        sa.PrimaryKeyConstraint("ticket_id", "day", name=op.f("pk_report_ticket_days")),
    )
    op.create_index(
        "ix_report_ticket_days_org", "report_ticket_days", ["organization_id", "ticket_id"]
    )
    op.create_table(
        "report_daily",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_dimensions(),
        *_measures(),
        sa.PrimaryKeyConstraint(
            "organization_id",
            "tag",
            "day",
            "team_id",
            "assignee_id",
            "channel",
            "priority",
            "tier",
            name=op.f("pk_report_daily"),
        ),
    )

    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("excel_bom", sa.Boolean(), nullable=False),
        sa.Column("parameters", JSON, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "completed",
                "failed",
                "cancelled",
                name="export_status",
                native_enum=False,
                create_constraint=True,
                length=9,
            ),
            nullable=False,
        ),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_exports_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_exports_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    op.create_index("ix_exports_org_created", "exports", ["organization_id", "created_at"])


def downgrade():
    op.drop_index("ix_exports_org_created", table_name="exports")
    op.drop_table("exports")
    op.drop_table("report_daily")
    op.drop_index("ix_report_ticket_days_org", table_name="report_ticket_days")
    op.drop_table("report_ticket_days")
    op.drop_table("report_dirty")
