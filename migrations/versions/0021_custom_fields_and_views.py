"""Custom ticket fields, saved views, the custom-field history kind and a GIN index on values

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27 23:50:00

Expand only: two new tables; the CHECK on ticket_events.kind widened by one kind; on PostgreSQL a
GIN index (jsonb_path_ops) on tickets.custom_fields, built CONCURRENTLY so ticket writes go on
while it builds (a few seconds at 1,000,000 tickets), and the CHECK added NOT VALID then
validated, which does not block writes to the history either.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

EVENT_KINDS = [
    "created",
    "replied",
    "noted",
    "customer_replied",
    "status",
    "priority",
    "assignee",
    "team",
    "subject",
    "tags",
    "sla_warning",
    "sla_breached",
    "escalated",
    "macro",  # 0015
    "merged_into",  # 0020
    "merged_from",
    "split_off",
    "split_from",
]
NEW_EVENT_KINDS = ["custom_field"]
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
FIELD_TYPES = ["text", "number", "date", "select", "multiselect", "checkbox"]


def _event_kinds(kinds: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        listed = ", ".join(f"'{k}'" for k in kinds)
        op.execute("ALTER TABLE ticket_events DROP CONSTRAINT ck_ticket_events_event_kind")
        op.execute(
            "ALTER TABLE ticket_events ADD CONSTRAINT ck_ticket_events_event_kind"
            f" CHECK (kind IN ({listed})) NOT VALID"
        )
        op.execute("ALTER TABLE ticket_events VALIDATE CONSTRAINT ck_ticket_events_event_kind")
        return
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_ticket_events_event_kind"), type_="check")
        batch_op.create_check_constraint("event_kind", sa.column("kind").in_(kinds))


def upgrade():
    op.create_table(
        "custom_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column(
            "type",
            sa.Enum(*FIELD_TYPES, name="field_type", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("options", JSON, nullable=False),
        sa.Column("required_on_resolve", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_custom_fields_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_fields")),
        sa.UniqueConstraint("organization_id", "key", name="uq_custom_fields_org_key"),
    )
    op.create_index(
        "ix_custom_fields_org_position", "custom_fields", ["organization_id", "position"]
    )
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("filters", JSON, nullable=False),
        sa.Column("columns", JSON, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_saved_views_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_saved_views_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
    )
    op.create_index(
        "ix_saved_views_org_owner_position",
        "saved_views",
        ["organization_id", "owner_id", "position"],
    )
    _event_kinds(EVENT_KINDS + NEW_EVENT_KINDS)
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.execute(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_tickets_custom_fields"
                " ON tickets USING gin (custom_fields jsonb_path_ops)"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tickets_custom_fields")
    op.execute("DELETE FROM ticket_events WHERE kind = 'custom_field'")
    _event_kinds(EVENT_KINDS)
    op.drop_index("ix_saved_views_org_owner_position", table_name="saved_views")
    op.drop_table("saved_views")
    op.drop_index("ix_custom_fields_org_position", table_name="custom_fields")
    op.drop_table("custom_fields")
