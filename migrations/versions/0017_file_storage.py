"""Attachments' bytes in the file storage: a nullable storage_key on attachments

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 23:50:00

New files are kept in supportdesk.storage (a local directory or an S3-compatible bucket) under
their SHA-256; the row keeps the key. Expand only: the column is nullable, and rows written
before it keep their bytes in `data`, which both old and new code read. `flask attachments
move-to-storage` moves those bytes later; dropping `data` is a contract step for a later release.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("storage_key", sa.String(64), nullable=True))


def downgrade():
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("storage_key")
