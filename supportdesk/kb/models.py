"""Knowledge-base rows: categories, articles, their revisions, visitors' votes, suggestion
counters and the help center's branding. Every row carries `organization_id`."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.accounts.models import User
from supportdesk.db import JSONType, UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db


class ArticleStatus(enum.Enum):
    """Draft (agents only), published (on the help center), archived (kept, hidden)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Category(db.Model):
    """A section of the help center; `position` orders them (smallest first)."""

    __tablename__ = "kb_categories"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "slug", name="uq_kb_categories_org_slug"),
        sa.Index("ix_kb_categories_org_position", "organization_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(140))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Article(db.Model):
    """An article: Markdown `body` and its sanitized rendering `body_html` (kept together)."""

    __tablename__ = "kb_articles"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "slug", name="uq_kb_articles_org_slug"),
        # Serves the help center's lists: a category's published articles in title order.
        sa.Index(
            "ix_kb_articles_org_status_category_title",
            "organization_id",
            "status",
            "category_id",
            "title",
        ),
        sa.Index("ix_kb_articles_org_updated", "organization_id", "updated_at"),
        # An article page's related articles: the category's most helpful first.
        sa.Index(
            "ix_kb_articles_org_status_category_helpful",
            "organization_id",
            "status",
            "category_id",
            "helpful_count",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kb_categories.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(140))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    tags: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[ArticleStatus] = mapped_column(
        enum_column(ArticleStatus, "kb_article_status"), default=ArticleStatus.DRAFT
    )
    seo_title: Mapped[str] = mapped_column(sa.String(200), default="")
    seo_description: Mapped[str] = mapped_column(sa.String(300), default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    helpful_count: Mapped[int] = mapped_column(default=0, server_default="0")
    unhelpful_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped by every saved change: the revision number, and the help center's ETag.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[Category | None] = relationship(lazy="raise_on_sql")
    author: Mapped[User | None] = relationship(lazy="raise_on_sql")

    @property
    def shown_title(self) -> str:
        """The page title search engines read (the SEO title, else the title)."""
        return self.seo_title or self.title


class ArticleRevision(db.Model):
    """An article as it was saved: every save adds one (number = the article's version)."""

    __tablename__ = "kb_article_revisions"
    __table_args__ = (
        sa.UniqueConstraint("article_id", "number", name="uq_kb_article_revisions_article_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ArticleStatus] = mapped_column(
        enum_column(ArticleStatus, "kb_revision_status"), default=ArticleStatus.DRAFT
    )
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise_on_sql")


class ArticleVote(db.Model):
    """One visitor's answer to "was this helpful?" (a visitor may change it, never add another)."""

    __tablename__ = "kb_article_votes"
    __table_args__ = (
        sa.UniqueConstraint("article_id", "visitor", name="uq_kb_article_votes_article_visitor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_articles.id", ondelete="CASCADE"))
    # A keyed hash of the visitor's cookie: never the cookie itself.
    visitor: Mapped[str] = mapped_column(sa.String(64))
    helpful: Mapped[bool] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SuggestionCount(db.Model):
    """Daily counters of suggested articles, read by reports (see supportdesk.kb.deflection)."""

    __tablename__ = "kb_suggestion_counts"

    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True
    )
    # contact_form (the customer's side) or composer (an agent's reply).
    source: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    # opened (a suggestion followed), solved (then marked helpful: no ticket), inserted (composer).
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class HelpCenter(db.Model):
    """The help center's branding: its title, accent colour and logo (one row an organization)."""

    __tablename__ = "kb_help_centers"

    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id"), primary_key=True
    )
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    color: Mapped[str] = mapped_column(sa.String(7), default="#2f5bd3")
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    logo_type: Mapped[str] = mapped_column(sa.String(40), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
