"""support address verification, DMARC result of inbound mail

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 17:45:00

Existing addresses: those in their organization's own namespace (support@<slug>.<MAIL_DOMAIN>)
are verified; one registered in another organization's namespace is given to that organization;
any other address under MAIL_DOMAIN (the bare domain, a namespace of no organization) is removed,
since nobody can own it; addresses outside MAIL_DOMAIN stay unverified until an admin verifies
them (Mail -> Support addresses -> Send verification).
"""

import json
import os

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DECISIONS = [
    "new_ticket",
    "reply_by_address",
    "reply_by_message_id",
    "reply_by_subject_token",
    "auto_reply_ignored",
    "bounce",
    "unrouted",
    "unparseable",
    "duplicate",
]
NEW_DECISIONS = ["address_verification"]


def _mail_domain() -> str:
    domain = os.environ.get("SUPPORTDESK_MAIL_DOMAIN", "supportdesk.localhost")
    return (json.loads(domain) if domain.startswith('"') else domain).lower()


def upgrade():
    with op.batch_alter_table("support_addresses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("verification_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("verification_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("verification_note", sa.String(length=300), server_default="", nullable=False)
        )

    with op.batch_alter_table("inbound_emails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dmarc", sa.String(length=20), server_default="", nullable=False)
        )
        batch_op.drop_constraint(op.f("ck_inbound_emails_inbound_decision"), type_="check")
        batch_op.create_check_constraint(
            "inbound_decision", sa.column("decision").in_(DECISIONS + NEW_DECISIONS)
        )

    domain = _mail_domain()
    # An address squatted in another organization's namespace goes to that organization.
    op.execute(
        sa.text(
            "UPDATE support_addresses SET organization_id = (SELECT o.id FROM organizations o "
            "WHERE support_addresses.address LIKE '%@' || o.slug || '.' || :domain), is_default = :no "
            "WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = "
            "support_addresses.organization_id AND support_addresses.address LIKE '%@' || o.slug || '.' || :domain) "
            "AND EXISTS (SELECT 1 FROM organizations o WHERE support_addresses.address LIKE '%@' || o.slug || '.' || :domain)"
        ).bindparams(domain=domain, no=False)
    )
    # Whatever else is under the mail domain belongs to nobody: remove it.
    op.execute(
        sa.text(
            "DELETE FROM support_addresses WHERE (address LIKE '%@' || :domain "
            "OR address LIKE '%.' || :domain) AND NOT EXISTS (SELECT 1 FROM organizations o "
            "WHERE o.id = support_addresses.organization_id AND "
            "support_addresses.address LIKE '%@' || o.slug || '.' || :domain)"
        ).bindparams(domain=domain)
    )
    op.execute(
        sa.text(
            "UPDATE support_addresses SET verified_at = created_at WHERE EXISTS (SELECT 1 FROM "
            "organizations o WHERE o.id = support_addresses.organization_id AND "
            "support_addresses.address LIKE '%@' || o.slug || '.' || :domain)"
        ).bindparams(domain=domain)
    )
    # An organization whose default address had been taken gets it back as its default.
    op.execute(
        sa.text(
            "UPDATE support_addresses SET is_default = :yes WHERE address = 'support@' || "
            "(SELECT o.slug FROM organizations o WHERE o.id = support_addresses.organization_id)"
            " || '.' || :domain AND NOT EXISTS (SELECT 1 FROM support_addresses d WHERE "
            "d.organization_id = support_addresses.organization_id AND d.is_default = :yes)"
        ).bindparams(yes=True, domain=domain)
    )


def downgrade():
    with op.batch_alter_table("inbound_emails", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_inbound_emails_inbound_decision"), type_="check")
        batch_op.create_check_constraint("inbound_decision", sa.column("decision").in_(DECISIONS))
        batch_op.drop_column("dmarc")

    with op.batch_alter_table("support_addresses", schema=None) as batch_op:
        batch_op.drop_column("verification_note")
        batch_op.drop_column("verification_sent_at")
        batch_op.drop_column("verification_hash")
        batch_op.drop_column("verified_at")
