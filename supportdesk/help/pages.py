"""What every help center page needs: the organization behind the slug, its branding, the
canonical address, and a cacheable answer."""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Response, abort, current_app, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from supportdesk import i18n
from supportdesk.accounts.models import Organization
from supportdesk.extensions import db
from supportdesk.kb import branding, queries
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


@functools.cache
def _article_query(with_related: bool) -> sa.Select:
    # Built once (a statement is immutable; building one costs more CPU than running it here).
    query = (
        _center_query(sa.bindparam("org_slug"))
        .add_columns(Article)
        .join(
            Article,
            sa.and_(
                Article.organization_id == Organization.id,
                Article.slug == sa.bindparam("article_slug"),
                Article.status == ArticleStatus.PUBLISHED,
            ),
        )
        .options(joinedload(Article.category))
    )
    if with_related:
        query = query.add_columns(queries.related_column().label("related"))
    return query


def center_and_article(org_slug: str, article_slug: str) -> tuple[Center, Article, list[tuple]]:
    """The help center, its published article at `article_slug` and the article's related
    articles, in one query on PostgreSQL (the article page is the help center's busiest): 404
    when the center or the article is missing."""
    with_related = db.session.get_bind().dialect.name == "postgresql"
    row = db.session.execute(
        _article_query(with_related), {"org_slug": org_slug, "article_slug": article_slug}
    ).first()
    if row is None:
        abort(404)
    article = row.Article
    if not with_related or article.category_id is None:
        near = queries.related(article)
    else:
        found = row.related
        if isinstance(found, str):
            found = json.loads(found)
        near = [tuple(item) for item in found or ()]
    return _center(org_slug, row), article, near


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


# Rendered article pages by their ETag: a popular article is rendered once per change, not per
# visitor. Bounded (least recently used dropped); shared by the process's threads.
_pages: OrderedDict[str, str] = OrderedDict()
_pages_lock = threading.Lock()
PAGES_KEPT = 256


def article_page(hc: Center, article: Article, related: list[tuple], **context) -> Response:
    """The article page, its ETag computed from what the page shows, without rendering it: a
    visitor who has this version gets a 304 at the cost of the query alone, and a version already
    rendered by this process is answered from memory."""
    category = article.category
    etag = _digest(
        (
            _templates_stamp(), i18n.page_language(), request.host, hc,
            article.id, article.version, article.updated_at, article.slug, article.title,
            article.seo_title, article.seo_description, article.body_html, article.helpful_count,
            (category.id, category.slug, category.name) if category else None,
            related, sorted(context.items()),
        )
    )  # fmt: skip
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        with _pages_lock:
            html = _pages.get(etag)
            if html is not None:
                _pages.move_to_end(etag)
        if html is None:
            html = render_template(
                "help/article.html", hc=hc, article=article, related=related, **context
            )
            with _pages_lock:
                _pages[etag] = html
                while len(_pages) > PAGES_KEPT:
                    _pages.popitem(last=False)
        response = make_response(html)
        response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Accept-Language")
    response.set_etag(etag)
    return response


def _digest(values: tuple) -> str:
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


@functools.cache
def _templates_stamp() -> str:
    """Changes with the help center's templates and the catalogs (a deploy that changes how a page
    looks must not answer 304 to the old page)."""
    folder = Path(current_app.root_path, current_app.template_folder or "templates")
    files = sorted([*folder.glob("help/*.html"), *i18n.TRANSLATIONS.glob("*/LC_MESSAGES/*.mo")])
    return _digest(tuple((str(f), f.read_bytes()) for f in files))
