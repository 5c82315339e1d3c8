"""CRM sync: connections (encrypted credentials), the sync outbox, CRM columns on customers

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-28 03:10:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "crm_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "provider",
            sa.Enum(
                "hubspot",
                "salesforce",
                name="crm_provider",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("client_id", sa.String(length=300), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
        sa.Column("session_token", sa.Text(), nullable=True),
        sa.Column("instance_url", sa.String(length=500), nullable=False),
        sa.Column("field_map", JSON, nullable=False),
        sa.Column("timeline_events", JSON, nullable=False),
        sa.Column("timeline_object", sa.String(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "untested",
                "ok",
                "broken",
                name="crm_connection_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("status_message", sa.String(length=1000), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pull_cursor", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_crm_connections_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_connections")),
        sa.UniqueConstraint("organization_id", name="uq_crm_connections_org"),
    )
    op.create_table(
        "crm_syncs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "contact",
                "timeline",
                name="crm_sync_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("event_key", sa.String(length=100), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("crm_object_id", sa.String(length=100), nullable=False),
        sa.Column("request_summary", sa.String(length=1000), nullable=False),
        sa.Column("response_summary", sa.String(length=2000), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "sent",
                "deferred",
                "failed",
                name="outbox_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["crm_connections.id"],
            name=op.f("fk_crm_syncs_connection_id_crm_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_crm_syncs_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_crm_syncs_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_syncs")),
        sa.UniqueConstraint("connection_id", "event_key", name="uq_crm_syncs_connection_event"),
    )
    op.create_index("ix_crm_syncs_state_next", "crm_syncs", ["state", "next_attempt_at"])
    op.create_index("ix_crm_syncs_org_id", "crm_syncs", ["organization_id", "id"])
    op.create_index("ix_crm_syncs_customer", "crm_syncs", ["customer_id", "id"])
    with op.batch_alter_table("customers") as batch_op:
        batch_op.add_column(sa.Column("crm_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("crm_synced_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("crm_sync_status", sa.String(length=20), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("crm_sync_error", sa.String(length=500), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("crm_sync_error")
        batch_op.drop_column("crm_sync_status")
        batch_op.drop_column("crm_synced_at")
        batch_op.drop_column("crm_id")
    op.drop_index("ix_crm_syncs_customer", table_name="crm_syncs")
    op.drop_index("ix_crm_syncs_org_id", table_name="crm_syncs")
    op.drop_index("ix_crm_syncs_state_next", table_name="crm_syncs")
    op.drop_table("crm_syncs")
    op.drop_table("crm_connections")
