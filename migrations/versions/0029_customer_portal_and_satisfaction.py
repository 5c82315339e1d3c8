"""Customer portal (settings, one-time sign-in links) and satisfaction surveys; the `rated` history kind

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-28 02:50:00

Expand only: three new tables; the CHECK on ticket_events.kind widened by one kind (added NOT
VALID then validated on PostgreSQL, which does not block writes to the history).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
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
    "macro",
    "merged_into",
    "merged_from",
    "split_off",
    "split_from",
    "custom_field",  # 0021
]
NEW_EVENT_KINDS = ["rated"]


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
        "portal_settings",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("company_tickets", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("contact_form", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("csat_enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("csat_delay_hours", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_portal_settings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_portal_settings")),
    )
    op.create_table(
        "portal_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_portal_links_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_portal_links_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_links")),
        sa.UniqueConstraint("token_hash", name="uq_portal_links_token_hash"),
    )
    op.create_index(
        "ix_portal_links_org_customer",
        "portal_links",
        ["organization_id", "customer_id", "id"],
        unique=False,
    )
    op.create_table(
        "satisfaction_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column(
            "rating",
            sa.Enum(
                "good", "okay", "bad", name="rating", native_enum=False, create_constraint=True
            ),
            nullable=True,
        ),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("send_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("commented_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_satisfaction_ratings_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_satisfaction_ratings_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_satisfaction_ratings_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_satisfaction_ratings_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_satisfaction_ratings_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_ratings")),
    )
    op.create_index(
        "ix_satisfaction_ratings_org_created",
        "satisfaction_ratings",
        ["organization_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_satisfaction_ratings_ticket", "satisfaction_ratings", ["ticket_id", "id"], unique=False
    )
    op.create_index(
        "ix_satisfaction_ratings_unsent",
        "satisfaction_ratings",
        ["send_after"],
        unique=False,
        postgresql_where=sa.text("sent_at IS NULL"),
        sqlite_where=sa.text("sent_at IS NULL"),
    )
    _event_kinds(EVENT_KINDS + NEW_EVENT_KINDS)


def downgrade():
    op.execute("DELETE FROM ticket_events WHERE kind = 'rated'")
    _event_kinds(EVENT_KINDS)
    op.drop_index("ix_satisfaction_ratings_unsent", table_name="satisfaction_ratings")
    op.drop_index("ix_satisfaction_ratings_ticket", table_name="satisfaction_ratings")
    op.drop_index("ix_satisfaction_ratings_org_created", table_name="satisfaction_ratings")
    op.drop_table("satisfaction_ratings")
    op.drop_index("ix_portal_links_org_customer", table_name="portal_links")
    op.drop_table("portal_links")
    op.drop_table("portal_settings")
