"""Reports: the day sums per value of one dimension at a time, filled from report_daily

Revision ID: 0037
Revises: 0036
Create Date: 2026-11-28 06:10:00

Expand only: a new table, filled here from `report_daily` (its sums per value of each dimension
and in total; one grouped INSERT … SELECT per dimension, seconds at 1,000,000 tickets), then kept
by the same refresh as `report_daily` (supportdesk.reports.service).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

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
DIMENSIONS = ("team_id", "assignee_id", "channel", "priority", "tier")


def upgrade():
    totals = op.create_table(
        "report_daily_totals",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(
            sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)
            for name in MEASURES
        ),
        sa.PrimaryKeyConstraint(
            "organization_id",
            "tag",
            "dimension",
            "value",
            "day",
            name=op.f("pk_report_daily_totals"),
        ),
    )
    daily = sa.table(
        "report_daily",
        *(sa.column(name) for name in ("organization_id", "tag", "day", *DIMENSIONS, *MEASURES)),
    )
    for dimension in ("", *DIMENSIONS):
        value = sa.cast(daily.c[dimension], sa.String(20)) if dimension else sa.literal("")
        keys = [daily.c.organization_id, daily.c.tag, daily.c.day]
        sums = [sa.func.sum(daily.c[m]) for m in MEASURES]
        select = (
            sa.select(*keys[:2], sa.literal(dimension), value, keys[2], *sums)
            .group_by(*keys, *([daily.c[dimension]] if dimension else []))
            .having(sa.or_(*(s != 0 for s in sums)))
        )
        op.execute(
            totals.insert().from_select(
                ["organization_id", "tag", "dimension", "value", "day", *MEASURES], select
            )
        )


def downgrade():
    op.drop_table("report_daily_totals")
