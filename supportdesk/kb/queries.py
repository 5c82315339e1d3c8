"""Knowledge-base reads, always within one organization (another's id is a 404)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased, joinedload

from supportdesk.errors import NotFound
from supportdesk.extensions import db
from supportdesk.kb.models import Article, ArticleRevision, ArticleStatus, Category, HelpCenter


class ArticleNotFound(NotFound):
    """No such article in this organization (or not published, on the help center)."""

    def __init__(self) -> None:
        super().__init__("There is no such article.")


class CategoryNotFound(NotFound):
    """No such category in this organization."""

    def __init__(self) -> None:
        super().__init__("There is no such category.")


def get_article(organization_id: int, article_id: int) -> Article:
    """The organization's article with its category and author loaded."""
    article = db.session.scalar(
        sa.select(Article)
        .options(joinedload(Article.category), joinedload(Article.author))
        .where(Article.organization_id == organization_id, Article.id == article_id)
    )
    if article is None:
        raise ArticleNotFound()
    return article


def published_article(organization_id: int, slug: str) -> Article:
    """The published article at `slug` (drafts and archived articles are a 404 to visitors)."""
    article = db.session.scalar(
        sa.select(Article)
        .options(joinedload(Article.category))
        .where(
            Article.organization_id == organization_id,
            Article.slug == slug,
            Article.status == ArticleStatus.PUBLISHED,
        )
    )
    if article is None:
        raise ArticleNotFound()
    return article


def list_articles(
    organization_id: int, *, status: ArticleStatus | None = None, limit: int = 100
) -> list[Article]:
    """The organization's articles, the latest change first (the console's list)."""
    query = (
        sa.select(Article)
        .options(joinedload(Article.category), joinedload(Article.author))
        .where(Article.organization_id == organization_id)
    )
    if status is not None:
        query = query.where(Article.status == status)
    return list(
        db.session.scalars(query.order_by(Article.updated_at.desc(), Article.id).limit(limit))
    )


def articles_by_id(organization_id: int, ids: list[int]) -> dict[int, Article]:
    """The organization's articles with these ids, category and author loaded."""
    rows = db.session.scalars(
        sa.select(Article)
        .options(joinedload(Article.category), joinedload(Article.author))
        .where(Article.organization_id == organization_id, Article.id.in_(ids))
    )
    return {a.id: a for a in rows}


def list_api_articles(
    organization_id: int, *, status: ArticleStatus | None, category_id: int | None,
    after_id: int, limit: int,
) -> list[Article]:  # fmt: skip
    """A page of articles in id order (the API's cursor)."""
    query = (
        sa.select(Article)
        .options(joinedload(Article.category), joinedload(Article.author))
        .where(Article.organization_id == organization_id, Article.id > after_id)
    )
    if status is not None:
        query = query.where(Article.status == status)
    if category_id is not None:
        query = query.where(Article.category_id == category_id)
    return list(db.session.scalars(query.order_by(Article.id).limit(limit)))


def published_links(
    organization_id: int, category_id: int | None = None, *, limit: int = 50_000
) -> list[sa.Row]:
    """(id, title, slug, category_id, seo_description, updated_at) of published articles by
    title, of one category or of all. Only these columns: a list of links never loads the text."""
    where = [Article.organization_id == organization_id, Article.status == ArticleStatus.PUBLISHED]
    if category_id is not None:
        where.append(Article.category_id == category_id)
    query = sa.select(*_LINK).where(*where).order_by(Article.title, Article.id).limit(limit)
    return list(db.session.execute(query))


def first_links(organization_id: int, per_category: int) -> list[sa.Row]:
    """The first `per_category` published articles (by title) of each category, and of those
    without one (the home page): one index range read per category, however many articles."""
    published = [
        Article.organization_id == organization_id,
        Article.status == ArticleStatus.PUBLISHED,
    ]
    firsts = (
        sa.select(*_LINK)
        .where(*published, Article.category_id == Category.id)
        .order_by(Article.title, Article.id)
        .limit(per_category)
        .lateral("firsts")
    )
    in_categories = (
        sa.select(firsts)
        .select_from(Category)
        .join(firsts, sa.true())
        .where(Category.organization_id == organization_id)
    )
    uncategorized = (
        sa.select(*_LINK)
        .where(*published, Article.category_id.is_(None))
        .order_by(Article.title, Article.id)
        .limit(per_category)
    )
    if db.session.get_bind().dialect.name == "sqlite":  # no LATERAL: number the rows instead
        place = (
            sa.func.row_number()
            .over(partition_by=Article.category_id, order_by=(Article.title, Article.id))
            .label("place")
        )
        numbered = sa.select(*_LINK, place).where(*published).subquery()
        query = sa.select(*(numbered.c[c.key] for c in _LINK)).where(
            numbered.c.place <= per_category
        )
        return sorted(db.session.execute(query), key=lambda row: (row.title, row.id))
    query = sa.union_all(in_categories, uncategorized.subquery().select())
    return sorted(db.session.execute(query), key=lambda row: (row.title, row.id))


_LINK = (
    Article.id, Article.title, Article.slug, Article.category_id, Article.seo_description,
    Article.updated_at,
)  # fmt: skip


RELATED = 5  # related articles an article page lists


def related(article: Article, limit: int = RELATED) -> list[tuple[int, str, str]]:
    """(id, title, slug) of published articles near this one: same category, then shared tags."""
    query = sa.select(Article.id, Article.title, Article.slug).where(
        Article.organization_id == article.organization_id,
        Article.status == ArticleStatus.PUBLISHED,
        Article.id != article.id,
    )
    if article.category_id is not None:
        query = query.where(Article.category_id == article.category_id)
    # The most helpful first: what other visitors found useful is the best next read.
    query = query.order_by(Article.helpful_count.desc(), Article.title).limit(limit)
    return [tuple(row) for row in db.session.execute(query)]


def related_column() -> sa.ScalarSelect:
    """`related` of the article the enclosing query selects, as one JSON column of [id, title,
    slug] (the article page reads everything in one statement). PostgreSQL only (SQLite: call
    `related`), and only for an article with a category (`related` otherwise): the category's
    condition keeps the subquery on the category index."""
    near = aliased(Article, name="near")
    firsts = (
        sa.select(near.id, near.title, near.slug, near.helpful_count)
        .where(
            near.organization_id == Article.organization_id,
            near.status == ArticleStatus.PUBLISHED,
            near.category_id == Article.category_id,
            near.id != Article.id,
        )
        .order_by(near.helpful_count.desc(), near.title)
        .limit(RELATED)
        .correlate(Article)  # the enclosing query's article (PostgreSQL reads it from here)
        .subquery("firsts")
    )
    ordered = aggregate_order_by(
        sa.func.json_build_array(firsts.c.id, firsts.c.title, firsts.c.slug),
        firsts.c.helpful_count.desc(),
        firsts.c.title,
    )
    return sa.select(sa.func.json_agg(ordered)).scalar_subquery()


def list_categories(organization_id: int) -> list[Category]:
    """The organization's categories in their order."""
    return list(
        db.session.scalars(
            sa.select(Category)
            .where(Category.organization_id == organization_id)
            .order_by(Category.position, Category.name, Category.id)
        )
    )


def category_counts(organization_id: int, *, published_only: bool) -> dict[int | None, int]:
    """How many articles each category holds (one grouped query)."""
    query = sa.select(Article.category_id, sa.func.count()).where(
        Article.organization_id == organization_id
    )
    if published_only:
        query = query.where(Article.status == ArticleStatus.PUBLISHED)
    return dict(list(db.session.execute(query.group_by(Article.category_id)).tuples()))


def get_category(organization_id: int, category_id: int) -> Category:
    """The organization's category."""
    category = db.session.scalar(
        sa.select(Category).where(
            Category.organization_id == organization_id, Category.id == category_id
        )
    )
    if category is None:
        raise CategoryNotFound()
    return category


def category_by_slug(organization_id: int, slug: str) -> Category:
    """The organization's category at `slug`."""
    category = db.session.scalar(
        sa.select(Category).where(
            Category.organization_id == organization_id, Category.slug == slug
        )
    )
    if category is None:
        raise CategoryNotFound()
    return category


def revisions(organization_id: int, article_id: int) -> list[ArticleRevision]:
    """An article's revisions, newest first, with their authors."""
    return list(
        db.session.scalars(
            sa.select(ArticleRevision)
            .options(joinedload(ArticleRevision.author))
            .where(
                ArticleRevision.organization_id == organization_id,
                ArticleRevision.article_id == article_id,
            )
            .order_by(ArticleRevision.number.desc())
        )
    )


def get_revision(organization_id: int, article_id: int, revision_id: int) -> ArticleRevision:
    """One revision of the organization's article."""
    revision = db.session.scalar(
        sa.select(ArticleRevision)
        .options(joinedload(ArticleRevision.author))
        .where(
            ArticleRevision.organization_id == organization_id,
            ArticleRevision.article_id == article_id,
            ArticleRevision.id == revision_id,
        )
    )
    if revision is None:
        raise NotFound("There is no such revision.")
    return revision


def previous_revision(revision: ArticleRevision) -> ArticleRevision | None:
    """The revision saved just before `revision` (None for the first)."""
    return db.session.scalar(
        sa.select(ArticleRevision)
        .where(
            ArticleRevision.article_id == revision.article_id,
            ArticleRevision.number < revision.number,
        )
        .order_by(ArticleRevision.number.desc())
        .limit(1)
    )


def help_center(organization_id: int) -> HelpCenter | None:
    """The organization's help center branding (None: the defaults)."""
    return db.session.get(HelpCenter, organization_id)


def ticket_text(ticket) -> str:
    """What a ticket is about, for suggestions: its subject and its last public message."""
    from supportdesk.tickets.models import Message, MessageKind

    last = db.session.scalar(
        sa.select(Message.body_text)
        .where(
            Message.organization_id == ticket.organization_id,
            Message.ticket_id == ticket.id,
            Message.kind == MessageKind.PUBLIC,
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
    return f"{ticket.subject} {(last or '')[:500]}"
