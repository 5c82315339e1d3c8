"""Customers' data exports, retention policies, and the audit log's redaction for erasure

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-28 02:55:00

The audit log stays append-only but for one change: a customer's erasure may rewrite an entry's
labels and before/after values (to remove the customer's name and address) while who, what,
when and from where stay as written. The trigger lets such an UPDATE through only inside a
transaction that set `supportdesk.audit_redact` (privacy.erase does, naming the customer).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

REDACTABLE = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cutoff text := current_setting('supportdesk.audit_purge_before', true);
    redact text := current_setting('supportdesk.audit_redact', true);
BEGIN
    IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> ''
       AND OLD.created_at < cutoff::timestamptz THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND redact IS NOT NULL AND redact <> ''
       AND NEW.id = OLD.id AND NEW.organization_id = OLD.organization_id
       AND NEW.actor_type = OLD.actor_type
       AND NEW.actor_user_id IS NOT DISTINCT FROM OLD.actor_user_id
       AND NEW.api_token_id IS NOT DISTINCT FROM OLD.api_token_id
       AND NEW.action = OLD.action AND NEW.target_type = OLD.target_type
       AND NEW.target_id IS NOT DISTINCT FROM OLD.target_id
       AND NEW.ip_address = OLD.ip_address AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cutoff text := current_setting('supportdesk.audit_purge_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> ''
       AND OLD.created_at < cutoff::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def upgrade():
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "ready",
                "failed",
                name="export_status",
                native_enum=False,
                length=7,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["requested_by_user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_data_exports_org_created", "data_exports", ["organization_id", "created_at", "id"]
    )
    op.create_index("ix_data_exports_customer", "data_exports", ["customer_id"])
    op.create_table(
        "retention_policies",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "closed_ticket_action",
            sa.Enum(
                "off",
                "delete",
                "anonymize",
                name="closed_ticket_action",
                native_enum=False,
                length=9,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("closed_ticket_days", sa.Integer(), nullable=False),
        sa.Column("inbound_mail_days", sa.Integer(), nullable=True),
        sa.Column("export_days", sa.Integer(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "last_run_counts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organization_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REDACTABLE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
    op.drop_table("retention_policies")
    op.drop_index("ix_data_exports_customer", table_name="data_exports")
    op.drop_index("ix_data_exports_org_created", table_name="data_exports")
    op.drop_table("data_exports")
