"""API v1 schemas of the knowledge base (see supportdesk.api.schemas for the rules)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from supportdesk.api.schemas import AgentRef, Id, IdPageQuery, Input, Output, Tag, Text
from supportdesk.kb.models import ArticleStatus
from supportdesk.kb.slugs import MAX_SLUG
from supportdesk.kb.slugs import PATTERN as SLUG_PATTERN

Slug = Annotated[
    str,
    Field(
        min_length=1, max_length=MAX_SLUG, pattern=SLUG_PATTERN,
        description="Lower-case letters, digits and single dashes; unique in the organization.",
    ),
]  # fmt: skip


class CategoryRef(Output):
    """A category, in brief."""

    id: int
    name: str
    slug: str


class Category(Output):
    """A help center category; `position` orders them (smallest first)."""

    id: int
    name: str
    slug: str
    description: str
    position: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CategoryList(Output):
    """Every category, in the help center's order."""

    data: list[Category]


class CategoryCreate(Input):
    """A new category (senior agents and admins), placed last."""

    name: Text(120, 1, blank=False)
    slug: Slug | None = Field(default=None, description="Empty: made from the name.")
    description: Text(500) = ""


class CategoryUpdate(Input):
    """Fields to change; those left out stay as they are."""

    name: Text(120, 1, blank=False) | None = None
    slug: Slug | None = None
    description: Text(500) | None = None
    position: int | None = Field(default=None, ge=0, le=100_000, description="The new place.")


class Article(Output):
    """A knowledge-base article: Markdown `body` and its sanitized rendering `body_html`."""

    id: int
    title: str
    slug: str
    body: str
    body_html: str
    status: ArticleStatus
    category: CategoryRef | None
    tags: list[str]
    seo_title: str
    seo_description: str
    author: AgentRef | None
    version: int = Field(description="The current revision number; send it back to update.")
    helpful_count: int
    unhelpful_count: int
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str | None = Field(default=None, description="Its help center address when published.")
    snippet: str | None = Field(
        default=None, description="With `q`: the matching text, matches in <mark> (HTML)."
    )


class ArticlePage(Output):
    """A page of articles: by id (pass `next_cursor` back as `cursor`), or best first with `q`."""

    data: list[Article]
    next_cursor: str | None


class ArticleListQuery(IdPageQuery):
    """Filters, search and paging for articles."""

    q: Text(200) | None = Field(
        default=None,
        description="Words that must all appear (title, tags, text): ranked, best first, no paging.",
    )
    status: ArticleStatus | None = None
    category: Id | None = Field(default=None, description="A category's id.")
    limit: int = Field(default=50, ge=1, le=100)


class ArticleCreate(Input):
    """A new article (agents and above); a draft unless `status` says otherwise."""

    title: Text(200, 1, blank=False)
    slug: Slug | None = Field(default=None, description="Empty: made from the title.")
    body: Text(100_000) = ""
    status: ArticleStatus = ArticleStatus.DRAFT
    category_id: Id | None = Field(default=None, description="A category (404 if unknown).")
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    seo_title: Text(200) = ""
    seo_description: Text(300) = ""


class ArticleUpdate(Input):
    """Fields to change; those left out stay as they are (`category_id: null` removes it)."""

    title: Text(200, 1, blank=False) | None = None
    slug: Slug | None = None
    body: Text(100_000) | None = None
    status: ArticleStatus | None = None
    category_id: Id | None = Field(default=None, description="A category (404 if unknown).")
    tags: list[Tag] | None = Field(default=None, max_length=20)
    seo_title: Text(200) | None = None
    seo_description: Text(300) | None = None
    version: Id | None = Field(
        default=None, description="The version you read; a stale one is refused with 409."
    )


class Revision(Output):
    """One saved state of an article."""

    id: int
    number: int
    title: str
    body: str
    status: ArticleStatus
    note: str
    author: AgentRef | None
    created_at: dt.datetime


class RevisionList(Output):
    """An article's revisions, newest first."""

    data: list[Revision]
