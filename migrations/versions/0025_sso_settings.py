"""Single sign-on (OpenID Connect) settings, one row per organization

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-28 02:50:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
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


def upgrade():
    op.create_table(
        "sso_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("provider_name", sa.String(length=80), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=True),
        sa.Column("allowed_domains", JSON, nullable=False),
        sa.Column("jit_enabled", sa.Boolean(), nullable=False),
        sa.Column("jit_role", ROLE, nullable=False),
        sa.Column("sso_only", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_sso_settings_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_settings")),
        sa.UniqueConstraint("organization_id", name=op.f("uq_sso_settings_organization_id")),
    )


def downgrade():
    op.drop_table("sso_settings")
