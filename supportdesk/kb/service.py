"""Article writes: create, update (every save a revision), restore a revision, delete.
Flush, never commit (callers commit). Agents write and publish ("kb.write"); deleting needs a
senior agent ("kb.manage"). Publishing and unpublishing go to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import require
from supportdesk.audit import service as audit
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, ValidationFailed
from supportdesk.extensions import db
from supportdesk.kb import slugs
from supportdesk.kb.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    ArticleVote,
    SuggestionCount,
)
from supportdesk.kb.queries import get_article, get_category, get_revision
from supportdesk.markdown import to_html
from supportdesk.tickets.tags import parse_tags

MAX_TITLE = 200
MAX_BODY = 200_000
MAX_SEO_TITLE = 200
MAX_SEO_DESCRIPTION = 300
# What a save compares (and a revision keeps the text of).
FIELDS = ("title", "slug", "body", "category_id", "tags", "status", "seo_title", "seo_description")


def _title(value: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationFailed("A title is required.", {"title": "Enter a title."})
    if len(value) > MAX_TITLE:
        raise ValidationFailed(
            "The title is too long.", {"title": f"Use at most {MAX_TITLE} characters."}
        )
    return value


def _line(value: str, field: str, limit: int) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise ValidationFailed("The text is too long.", {field: f"Use at most {limit} characters."})
    return value


def _body(value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_BODY:
        raise ValidationFailed(
            "The article is too long.", {"body": f"Use at most {MAX_BODY:,} characters."}
        )
    return value


def _status(value: Any) -> ArticleStatus:
    try:
        return ArticleStatus(value.value if isinstance(value, ArticleStatus) else value)
    except ValueError:
        raise ValidationFailed(
            "Unknown status.", {"status": "Choose draft, published or archived."}
        ) from None


def _taken_slugs(organization_id: int, wanted: str, article_id: int | None) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Article.slug).where(
                Article.organization_id == organization_id,
                Article.slug.like(f"{wanted}%"),
                Article.id != (article_id or 0),
            )
        )
    )


def _slug(organization_id: int, slug: str | None, title: str, article_id: int | None) -> str:
    """The slug asked for (refused when malformed or taken), or one made from the title."""
    slug = (slug or "").strip().lower()
    if slug:
        if not slugs.is_valid(slug):
            raise ValidationFailed(
                "The slug is not valid.",
                {"slug": "Use lower-case letters, digits and single dashes (how-to-pay)."},
            )
        if slug in _taken_slugs(organization_id, slug, article_id):
            raise Conflict("Another article has that slug.", {"slug": "Choose another slug."})
        return slug
    wanted = slugs.slugify(title, "article")
    return slugs.free(wanted, _taken_slugs(organization_id, wanted, article_id))


def _tags(value: str | Iterable[str]) -> list[str]:
    return parse_tags(value or [])


def _values(actor: User, values: dict[str, Any], article: Article | None) -> dict[str, Any]:
    """The article's columns from the input (a key left out keeps the article's value)."""
    current = {name: getattr(article, name) for name in FIELDS} if article else {}

    def given(name: str, default: Any = "") -> Any:
        return values[name] if name in values else current.get(name, default)

    title = _title(given("title"))
    category_id = given("category_id", None)
    if category_id:
        category_id = get_category(actor.organization_id, int(category_id)).id
    return {
        "title": title,
        "slug": _slug(
            actor.organization_id,
            values.get("slug") or (article.slug if article else None),
            title,
            article.id if article else None,
        ),
        "body": _body(given("body")),
        "category_id": category_id or None,
        "tags": _tags(given("tags", [])),
        "status": _status(given("status", ArticleStatus.DRAFT)),
        "seo_title": _line(given("seo_title"), "seo_title", MAX_SEO_TITLE),
        "seo_description": _line(given("seo_description"), "seo_description", MAX_SEO_DESCRIPTION),
    }


def _revise(actor: User, article: Article, note: str = "") -> ArticleRevision:
    revision = ArticleRevision(
        organization_id=article.organization_id,
        article_id=article.id,
        number=article.version,
        title=article.title,
        body=article.body,
        status=article.status,
        note=note[:200],
        author_id=actor.id,
    )
    db.session.add(revision)
    return revision


def _audit_status(actor: User, article: Article, before: ArticleStatus | None) -> None:
    now = article.status
    if now is before:
        return
    if now is ArticleStatus.PUBLISHED:
        action = "kb_article.published"
    elif before is ArticleStatus.PUBLISHED:
        action = "kb_article.unpublished"
    else:
        return
    audit.record(
        article.organization_id,
        action,
        actor=actor,
        target=("kb_article", article.id, article.title[:200]),
        before={"status": before.value} if before else None,
        after={"status": now.value, "slug": article.slug},
    )


def create_article(actor: User, **values: Any) -> Article:
    """An article (title, slug, body, category_id, tags, status, seo_title, seo_description);
    its first revision; a draft unless `status` says otherwise."""
    require(actor, "kb.write")
    columns = _values(actor, values, None)
    article = Article(organization_id=actor.organization_id, author_id=actor.id, **columns)
    article.body_html = to_html(article.body)
    if article.status is ArticleStatus.PUBLISHED:
        article.published_at = utcnow()
    db.session.add(article)
    db.session.flush()
    _revise(actor, article, "Created")
    _audit_status(actor, article, None)
    db.session.flush()
    return article


def update_article(
    actor: User,
    article_id: int,
    *,
    expected_version: int | None = None,
    note: str = "",
    **values: Any,
) -> Article:
    """Change an article (keys left out keep their value). A save that changes something bumps
    the version and keeps a revision; an `expected_version` that is not current is a Conflict."""
    require(actor, "kb.write")
    article = get_article(actor.organization_id, article_id)
    if expected_version is not None and expected_version != article.version:
        raise Conflict(
            "Someone saved this article after you opened it. Reload it and make your change again.",
            {"version": "The article changed meanwhile."},
        )
    columns = _values(actor, values, article)
    before = {name: getattr(article, name) for name in FIELDS}
    if columns == before:
        return article
    was = article.status
    for name, value in columns.items():
        setattr(article, name, value)
    article.body_html = to_html(article.body)
    article.version += 1
    article.updated_at = utcnow()
    if article.status is ArticleStatus.PUBLISHED and was is not ArticleStatus.PUBLISHED:
        article.published_at = article.updated_at
    _revise(actor, article, note)
    _audit_status(actor, article, was)
    db.session.flush()
    return article


def set_status(actor: User, article_id: int, status: ArticleStatus | str) -> Article:
    """Publish, unpublish (draft) or archive an article."""
    return update_article(actor, article_id, status=status, note=f"Status: {_status(status).label}")


def restore_revision(actor: User, article_id: int, revision_id: int) -> Article:
    """Bring back a revision's title and text (as a new revision; the status stays)."""
    require(actor, "kb.write")
    revision = get_revision(actor.organization_id, article_id, revision_id)
    return update_article(
        actor, article_id, title=revision.title, body=revision.body,
        note=f"Restored revision {revision.number}",
    )  # fmt: skip


def delete_article(actor: User, article_id: int) -> None:
    """Delete an article with its revisions and votes (senior agents and admins)."""
    require(actor, "kb.manage")
    article = get_article(actor.organization_id, article_id)
    audit.record(
        article.organization_id,
        "kb_article.deleted",
        actor=actor,
        target=("kb_article", article.id, article.title[:200]),
        before={"slug": article.slug, "status": article.status.value},
    )
    # Explicit, not only the foreign keys' ON DELETE: SQLite enforces none by default.
    for model in (ArticleRevision, ArticleVote, SuggestionCount):
        db.session.execute(sa.delete(model).where(model.article_id == article.id))
    db.session.delete(article)
    db.session.flush()
