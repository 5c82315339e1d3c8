"""The knowledge base on the embedded default (SQLite): the search fallback ranks and marks as
PostgreSQL does, suggestions take any word, and deletions leave no orphans."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk import create_app
from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.kb import categories, queries, service, visitors
from supportdesk.kb.models import ArticleRevision, ArticleVote
from supportdesk.kb.search import search_articles, suggest_articles
from tests import factories

pytestmark = pytest.mark.sqlite


@pytest.fixture
def writer(tmp_path, migrated_sqlite):
    """A senior agent on a migrated SQLite file, inside an app context."""
    app = create_app(
        {"DATABASE_URL": migrated_sqlite(tmp_path / "kb.db"), "SECRET_KEY": "x", "TESTING": True}
    )
    with app.app_context():
        org = factories.OrganizationFactory()
        yield factories.UserFactory(organization=org, role=Role.SENIOR_AGENT)
        db.session.rollback()
        db.engine.dispose()


def test_the_fallback_ranks_titles_first_and_marks_matches(writer):
    service.create_article(writer, title="Change your password", body="A new refund policy.",
                           status="published")  # fmt: skip
    service.create_article(writer, title="Refund a booking", body="Refunds take days.",
                           status="published")  # fmt: skip
    service.create_article(writer, title="Refund draft", body="x")

    hits = search_articles(writer.organization_id, "refund").hits

    assert [h.article.title for h in hits] == ["Refund a booking", "Change your password"]
    assert str(hits[0].title) == "<mark>Refund</mark> a booking"
    assert "<mark>refund</mark>" in str(hits[1].snippet)
    found = suggest_articles(writer.organization_id, "how do I change my password?", 5)
    assert [h.article.title for h in found] == ["Change your password"]


def test_deleting_an_article_or_a_category_leaves_no_orphans(writer):
    billing = categories.create_category(writer, name="Billing")
    kept = service.create_article(writer, title="Kept", body="x", category_id=billing.id)
    gone = service.create_article(writer, title="Gone", body="x", status="published")
    visitors.vote(gone, "v1", True)
    service.delete_article(writer, gone.id)
    categories.delete_category(writer, billing.id)
    db.session.expire_all()

    assert queries.get_article(writer.organization_id, kept.id).category_id is None
    for model in (ArticleRevision, ArticleVote):
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(model).where(model.article_id == gone.id)
            )
            == 0
        )
