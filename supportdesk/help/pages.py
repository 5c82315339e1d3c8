"""What every help center page needs: the organization behind the slug, its branding, the
canonical address, and a cacheable answer."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, abort, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from supportdesk.accounts.models import Organization
from supportdesk.extensions import db
from supportdesk.kb import branding
from supportdesk.kb.hosts import public_url
from supportdesk.kb.models import Article, ArticleStatus, HelpCenter

# Browsers and shared caches may keep a page a minute, then revalidate by ETag (a 304 is cheap).
CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"


@dataclass(frozen=True)
class Center:
    """The help center of one organization, as its pages show it."""

    organization_id: int
    slug: str
    help_host: str | None  # the organization's own host name (supportdesk.kb.hosts)
    name: str
    title: str
    color: str
    text_color: str
    has_logo: bool
    version: str  # changes when the branding does (part of every ETag, and of the CSS address)


_CENTER_COLUMNS = (
    Organization.id, Organization.name, Organization.help_host, HelpCenter.title, HelpCenter.color,
    HelpCenter.logo_type, HelpCenter.updated_at,
)  # fmt: skip


def _center_query(org_slug: str) -> sa.Select:
    # The logo's bytes stay in the table: only their type says there is one.
    return (
        sa.select(*_CENTER_COLUMNS)
        .outerjoin(HelpCenter, HelpCenter.organization_id == Organization.id)
        .where(Organization.slug == org_slug)
    )


def _center(org_slug: str, row) -> Center:
    color = row.color or branding.DEFAULT_COLOR
    return Center(
        organization_id=row.id,
        slug=org_slug,
        help_host=row.help_host,
        name=row.name,
        title=row.title or _("%(name)s Help Center", name=row.name),
        color=color,
        text_color=branding.contrast_text(color),
        has_logo=bool(row.logo_type),
        version=row.updated_at.strftime("%Y%m%d%H%M%S%f") if row.updated_at else "0",
    )


def center(org_slug: str) -> Center:
    """The help center the slug names (404 when no organization has it), in one query."""
    row = db.session.execute(_center_query(org_slug)).first()
    if row is None:
        abort(404)
    return _center(org_slug, row)


def center_and_article(org_slug: str, article_slug: str) -> tuple[Center, Article]:
    """The help center and its published article at `article_slug`, in one query (the article
    page is the help center's busiest): 404 when either is missing."""
    query = (
        _center_query(org_slug)
        .add_columns(Article)
        .join(
            Article,
            sa.and_(
                Article.organization_id == Organization.id,
                Article.slug == article_slug,
                Article.status == ArticleStatus.PUBLISHED,
            ),
        )
        .options(joinedload(Article.category))
    )
    row = db.session.execute(query).first()
    if row is None:
        abort(404)
    return _center(org_slug, row), row.Article


def canonical(hc: Center, endpoint: str, **values) -> str:
    """The page's one address for search engines: on the organization's own host name when it
    has one, else SUPPORTDESK_BASE_URL + /help/<slug>/…, whichever host the visitor came to."""
    return public_url(hc, endpoint, **values)


def cached(html: str, *, content_type: str = "text/html; charset=utf-8") -> Response:
    """An answer with an ETag of its bytes, public caching, and 304 when the visitor has it."""
    response = make_response(html)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = CACHE_CONTROL
    # The page speaks the visitor's language (Accept-Language): a shared cache keeps one per.
    response.vary.add("Accept-Language")
    response.add_etag()
    return response.make_conditional(request)


def page(template: str, hc: Center, **context) -> Response:
    """A help center page, rendered and answered cacheably."""
    return cached(render_template(template, hc=hc, **context))
