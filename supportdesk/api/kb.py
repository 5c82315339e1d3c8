"""API views of the knowledge base: articles (CRUD, search, revisions) and categories. The
same services and rules as the console (supportdesk.kb): agents write and publish, senior
agents and admins delete articles and run the categories."""

from __future__ import annotations

from flask import url_for

from supportdesk.api import kb_schemas as schemas
from supportdesk.api.access import actor, organization_id
from supportdesk.api.operations import operation
from supportdesk.extensions import db
from supportdesk.kb import categories, queries, service
from supportdesk.kb.hosts import public_url
from supportdesk.kb.models import ArticleStatus
from supportdesk.kb.search import search_articles

ARTICLES, CATEGORIES = "Knowledge base articles", "Knowledge base categories"
ARTICLE_ID = {"article_id": "The article's id."}
CATEGORY_ID = {"category_id": "The category's id."}
_THE_ARTICLE = {"article_id": "$response.body#/id"}
ARTICLE_LINKS = {
    "GetArticle": ("kb_article_get", _THE_ARTICLE),
    "UpdateArticle": ("kb_article_update", _THE_ARTICLE),
    "DeleteArticle": ("kb_article_delete", _THE_ARTICLE),
}
_THE_CATEGORY = {"category_id": "$response.body#/id"}
CATEGORY_LINKS = {
    "GetCategory": ("kb_category_get", _THE_CATEGORY),
    "UpdateCategory": ("kb_category_update", _THE_CATEGORY),
    "DeleteCategory": ("kb_category_delete", _THE_CATEGORY),
}
CATEGORY_EXAMPLE = {
    "id": 3, "name": "Billing", "slug": "billing", "description": "Invoices, refunds, payments.",
    "position": 1, "created_at": "2026-11-25T08:30:00Z", "updated_at": "2026-11-25T08:30:00Z",
}  # fmt: skip
ARTICLE_EXAMPLE = {
    "id": 41,
    "title": "Refund a booking",
    "slug": "refund-a-booking",
    "body": "Open **Bookings**, choose the trip, then *Refund*.",
    "body_html": "<p>Open <strong>Bookings</strong>, choose the trip, then <em>Refund</em>.</p>",
    "status": "published",
    "category": {"id": 3, "name": "Billing", "slug": "billing"},
    "tags": ["refund"],
    "seo_title": "",
    "seo_description": "How to get your money back for a cancelled trip.",
    "author": {"id": 7, "name": "Alex Agent", "email": "alex@example.com"},
    "version": 3,
    "helpful_count": 12,
    "unhelpful_count": 1,
    "published_at": "2026-11-25T08:30:00Z",
    "created_at": "2026-11-25T08:30:00Z",
    "updated_at": "2026-11-26T10:00:00Z",
    "url": "https://help.example.com/help/acme/articles/refund-a-booking",
    "snippet": None,
}
ARTICLE_CREATE = {
    "title": "Refund a booking",
    "body": "Open **Bookings**, choose the trip, then *Refund*.",
    "status": "published",
    "category_id": 3,
    "tags": ["refund"],
}


def _article_out(article, snippet=None) -> schemas.Article:
    out = schemas.Article.model_validate(article)
    if article.status is ArticleStatus.PUBLISHED:
        out.url = public_url(actor().organization, "help.article", article_slug=article.slug)
    out.snippet = str(snippet) if snippet else None
    return out


@operation(
    "GET",
    "/kb/articles",
    tag=ARTICLES,
    summary="List or search articles",
    query=schemas.ArticleListQuery,
    response=schemas.ArticlePage,
    response_example={"data": [ARTICLE_EXAMPLE], "next_cursor": None},
)
def kb_article_list(query: schemas.ArticleListQuery):
    """Every article of the organization (drafts and archived too), oldest first; `status`
    and `category` narrow it. With `q`: full-text search, best first, with snippets."""
    org = organization_id()
    if query.q:
        results = search_articles(org, query.q, published_only=False, limit=query.limit,
                                  category_id=query.category)  # fmt: skip
        hits = [h for h in results.hits if query.status is None or h.article.status is query.status]
        loaded = queries.articles_by_id(org, [h.article.id for h in hits])
        return schemas.ArticlePage(
            data=[_article_out(loaded[h.article.id], h.snippet) for h in hits], next_cursor=None
        )
    rows = queries.list_api_articles(
        org, status=query.status, category_id=query.category, after_id=query.after_id,
        limit=query.limit + 1,
    )  # fmt: skip
    more, rows = len(rows) > query.limit, rows[: query.limit]
    return schemas.ArticlePage(
        data=[_article_out(a) for a in rows], next_cursor=str(rows[-1].id) if more else None
    )


@operation(
    "POST",
    "/kb/articles",
    tag=ARTICLES,
    summary="Create an article",
    status=201,
    body=schemas.ArticleCreate,
    response=schemas.Article,
    references=True,
    conflicts=True,
    request_example=ARTICLE_CREATE,
    response_example=ARTICLE_EXAMPLE,
    links=ARTICLE_LINKS,
    headers=("Location",),
)
def kb_article_create(body: schemas.ArticleCreate):
    """A new article with its first revision (agents and above). A taken slug is a 409."""
    article = service.create_article(actor(), **body.model_dump())
    db.session.commit()
    article = queries.get_article(organization_id(), article.id)
    return _article_out(article), {"Location": url_for("api.kb_article_get", article_id=article.id)}


@operation(
    "GET",
    "/kb/articles/{article_id}",
    tag=ARTICLES,
    summary="Get an article",
    response=schemas.Article,
    response_example=ARTICLE_EXAMPLE,
    path_params=ARTICLE_ID,
)
def kb_article_get(article_id: int):
    """One article, whatever its status."""
    return _article_out(queries.get_article(organization_id(), article_id))


@operation(
    "PATCH",
    "/kb/articles/{article_id}",
    tag=ARTICLES,
    summary="Update an article",
    body=schemas.ArticleUpdate,
    response=schemas.Article,
    references=True,
    conflicts=True,
    request_example={"status": "published", "version": 3},
    response_example=ARTICLE_EXAMPLE,
    path_params=ARTICLE_ID,
)
def kb_article_update(article_id: int, body: schemas.ArticleUpdate):
    """Change an article (publish it with `status`); a change keeps a revision. Send the
    `version` you read to be refused (409) if someone saved in between."""
    values = body.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    service.update_article(actor(), article_id, expected_version=version, **values)
    db.session.commit()
    return _article_out(queries.get_article(organization_id(), article_id))


@operation(
    "DELETE",
    "/kb/articles/{article_id}",
    tag=ARTICLES,
    summary="Delete an article",
    status=204,
    path_params=ARTICLE_ID,
)
def kb_article_delete(article_id: int):
    """Delete an article with its revisions and votes (senior agents and admins)."""
    service.delete_article(actor(), article_id)
    db.session.commit()


@operation(
    "GET",
    "/kb/articles/{article_id}/revisions",
    tag=ARTICLES,
    summary="List an article's revisions",
    response=schemas.RevisionList,
    response_example={
        "data": [
            {
                "id": 90,
                "number": 3,
                "title": "Refund a booking",
                "body": "Open **Bookings**, choose the trip, then *Refund*.",
                "status": "published",
                "note": "Restored revision 1",
                "author": {"id": 7, "name": "Alex Agent", "email": "alex@example.com"},
                "created_at": "2026-11-26T10:00:00Z",
            }
        ]
    },
    path_params=ARTICLE_ID,
)
def kb_article_revisions(article_id: int):
    """Every saved state of the article, newest first."""
    queries.get_article(organization_id(), article_id)
    return schemas.RevisionList(
        data=[
            schemas.Revision.model_validate(r)
            for r in queries.revisions(organization_id(), article_id)
        ]
    )


# -- categories --------------------------------------------------------------------------------


@operation(
    "GET",
    "/kb/categories",
    tag=CATEGORIES,
    summary="List categories",
    response=schemas.CategoryList,
    response_example={"data": [CATEGORY_EXAMPLE]},
)
def kb_category_list():
    """Every category, in the help center's order."""
    return schemas.CategoryList(
        data=[
            schemas.Category.model_validate(c) for c in queries.list_categories(organization_id())
        ]
    )


@operation(
    "POST",
    "/kb/categories",
    tag=CATEGORIES,
    summary="Create a category",
    status=201,
    body=schemas.CategoryCreate,
    response=schemas.Category,
    conflicts=True,
    request_example={"name": "Billing", "description": "Invoices, refunds, payments."},
    response_example=CATEGORY_EXAMPLE,
    links=CATEGORY_LINKS,
    headers=("Location",),
)
def kb_category_create(body: schemas.CategoryCreate):
    """A new category, placed last (senior agents and admins)."""
    category = categories.create_category(actor(), **body.model_dump())
    out = schemas.Category.model_validate(category)
    db.session.commit()
    return out, {"Location": url_for("api.kb_category_get", category_id=category.id)}


@operation(
    "GET",
    "/kb/categories/{category_id}",
    tag=CATEGORIES,
    summary="Get a category",
    response=schemas.Category,
    response_example=CATEGORY_EXAMPLE,
    path_params=CATEGORY_ID,
)
def kb_category_get(category_id: int):
    """One category."""
    return schemas.Category.model_validate(queries.get_category(organization_id(), category_id))


@operation(
    "PATCH",
    "/kb/categories/{category_id}",
    tag=CATEGORIES,
    summary="Update a category",
    body=schemas.CategoryUpdate,
    response=schemas.Category,
    conflicts=True,
    request_example={"name": "Payments", "position": 1},
    response_example=CATEGORY_EXAMPLE,
    path_params=CATEGORY_ID,
)
def kb_category_update(category_id: int, body: schemas.CategoryUpdate):
    """Rename a category, change its slug or description, or move it (`position`)."""
    category = queries.get_category(organization_id(), category_id)
    categories.update_category(
        actor(), category_id,
        name=body.name if body.name is not None else category.name,
        slug=body.slug, description=body.description if body.description is not None else category.description,
    )  # fmt: skip
    if body.position is not None:
        categories.place_category(actor(), category_id, body.position)
    out = schemas.Category.model_validate(queries.get_category(organization_id(), category_id))
    db.session.commit()
    return out


@operation(
    "DELETE",
    "/kb/categories/{category_id}",
    tag=CATEGORIES,
    summary="Delete a category",
    status=204,
    path_params=CATEGORY_ID,
)
def kb_category_delete(category_id: int):
    """Delete a category; its articles stay, without a category."""
    categories.delete_category(actor(), category_id)
    db.session.commit()
