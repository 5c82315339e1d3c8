"""Knowledge base: categories, articles (with a PostgreSQL search vector), revisions, votes,
suggestion counters and the help center's branding

Revision ID: 0028
Revises: 0026
Create Date: 2026-11-28 02:40:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0026"
branch_labels = None
depends_on = None

# Kept identical to supportdesk.search.schema.SEARCH_VECTORS["kb_articles"] (migrations never
# import the app): title weighs most, then tags, then the body.
PUNCTUATION_SQL = "!\"#$%&''()*+,-./:;<=>?@[\\]^_`{|}~"
SPACES = " " * 32


def _words(text: str) -> str:
    return f"translate({text}, '{PUNCTUATION_SQL}'::text, '{SPACES}'::text)"


ARTICLE_VECTOR = (
    "((setweight(to_tsvector('simple'::regconfig, " + _words("(title)::text") + "), 'A'::\"char\")"
    " || setweight(to_tsvector('simple'::regconfig, "
    + _words("(tags)::text")
    + "), 'B'::\"char\"))"
    " || setweight(to_tsvector('simple'::regconfig, " + _words("body") + "), 'C'::\"char\"))"
)
STATUS = ("draft", "published", "archived")


def _status_check(name: str) -> sa.Enum:
    return sa.Enum(*STATUS, name=name, native_enum=False, create_constraint=True, length=9)


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "kb_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=140), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "slug", name="uq_kb_categories_org_slug"),
    )
    op.create_index(
        "ix_kb_categories_org_position", "kb_categories", ["organization_id", "position"]
    )
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=140), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("tags", _json(), nullable=False),
        sa.Column("status", _status_check("kb_article_status"), nullable=False),
        sa.Column("seo_title", sa.String(length=200), nullable=False),
        sa.Column("seo_description", sa.String(length=300), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("helpful_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unhelpful_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["category_id"], ["kb_categories.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "slug", name="uq_kb_articles_org_slug"),
    )
    op.create_index(
        "ix_kb_articles_org_status_category_title",
        "kb_articles",
        ["organization_id", "status", "category_id", "title"],
    )
    op.create_index("ix_kb_articles_org_updated", "kb_articles", ["organization_id", "updated_at"])
    op.create_table(
        "kb_article_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", _status_check("kb_revision_status"), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["kb_articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "number", name="uq_kb_article_revisions_article_number"),
    )
    op.create_table(
        "kb_article_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("visitor", sa.String(length=64), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["kb_articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "visitor", name="uq_kb_article_votes_article_visitor"),
    )
    op.create_table(
        "kb_suggestion_counts",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["kb_articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("organization_id", "day", "article_id", "source", "kind"),
    )
    op.create_table(
        "kb_help_centers",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("organization_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE kb_articles ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({ARTICLE_VECTOR}) STORED"
        )
        op.execute(
            "CREATE INDEX ix_kb_articles_search_vector ON kb_articles USING gin (search_vector)"
        )


def downgrade():
    op.drop_table("kb_help_centers")
    op.drop_table("kb_suggestion_counts")
    op.drop_table("kb_article_votes")
    op.drop_table("kb_article_revisions")
    op.drop_index("ix_kb_articles_org_updated", table_name="kb_articles")
    op.drop_index("ix_kb_articles_org_status_category_title", table_name="kb_articles")
    op.drop_table("kb_articles")
    op.drop_index("ix_kb_categories_org_position", table_name="kb_categories")
    op.drop_table("kb_categories")
