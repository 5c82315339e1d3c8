"""Audit log (append-only, with its retention), agent invitations and password resets

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-27 23:45:00

On PostgreSQL a trigger keeps the audit log append-only for everyone who connects as the app:
UPDATE is always refused; DELETE only of rows older than the cutoff the retention purge sets
for its own transaction (`supportdesk.audit_purge_before`, supportdesk.audit.service).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
ROLE = sa.Enum(
    "admin",
    "senior_agent",
    "agent",
    "viewer",
    name="role",
    native_enum=False,
    length=12,
    create_constraint=True,
)

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
CREATE TRIGGER audit_entries_append_only
    BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
"""


def upgrade():
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "actor_type",
            sa.Enum(
                "user",
                "api_token",
                "system",
                name="audit_actor_type",
                native_enum=False,
                length=9,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("api_token_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_label", sa.String(length=300), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_audit_entries_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entries_org_id", ["organization_id", "id"])
        batch_op.create_index("ix_audit_entries_org_created", ["organization_id", "created_at"])
        batch_op.create_index("ix_audit_entries_org_action", ["organization_id", "action", "id"])
        batch_op.create_index(
            "ix_audit_entries_org_actor", ["organization_id", "actor_user_id", "id"]
        )
        batch_op.create_index(
            "ix_audit_entries_org_target", ["organization_id", "target_type", "target_id"]
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("audit_retention_days", sa.Integer(), server_default="365", nullable=False)
        )

    op.create_table(
        "agent_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("team_ids", JSON, nullable=False),
        sa.Column("invited_by_user_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invited_by_user_id"],
            ["users.id"],
            name=op.f("fk_agent_invitations_invited_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_agent_invitations_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_agent_invitations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_invitations")),
        sa.UniqueConstraint("token_hash", name="uq_agent_invitations_token_hash"),
    )
    with op.batch_alter_table("agent_invitations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agent_invitations_org_pending", ["organization_id", "accepted_at", "revoked_at"]
        )
        batch_op.create_index("ix_agent_invitations_email", ["email"])

    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("forced_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invalidated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["forced_by_user_id"],
            ["users.id"],
            name=op.f("fk_password_resets_forced_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_password_resets_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_resets_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_hash", name="uq_password_resets_token_hash"),
    )
    with op.batch_alter_table("password_resets", schema=None) as batch_op:
        batch_op.create_index("ix_password_resets_org_user", ["organization_id", "user_id", "id"])


def downgrade():
    with op.batch_alter_table("password_resets", schema=None) as batch_op:
        batch_op.drop_index("ix_password_resets_org_user")
    op.drop_table("password_resets")
    with op.batch_alter_table("agent_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_agent_invitations_email")
        batch_op.drop_index("ix_agent_invitations_org_pending")
    op.drop_table("agent_invitations")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("audit_retention_days")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION IF EXISTS audit_entries_append_only()")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_org_target")
        batch_op.drop_index("ix_audit_entries_org_actor")
        batch_op.drop_index("ix_audit_entries_org_action")
        batch_op.drop_index("ix_audit_entries_org_created")
        batch_op.drop_index("ix_audit_entries_org_id")
    op.drop_table("audit_entries")
