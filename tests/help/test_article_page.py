"""The article page, the help center's busiest: one statement with its related articles, and an
ETag computed from what the page shows (a 304 without rendering, a new tag for any change)."""

from __future__ import annotations

import re

import pytest

from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.kb import categories, service, visitors
from tests import factories

pytestmark = pytest.mark.integration


@pytest.fixture
def writer(org):
    return factories.UserFactory(organization=org, role=Role.SENIOR_AGENT)


@pytest.fixture
def shelf(writer, other_org):
    """A category of four published articles (helpful counts 3, 9, 0, 9), a draft in it, an
    uncategorized article, and another organization's article with the same category name."""
    billing = categories.create_category(writer, name="Billing")

    def article(title, helpful, status="published", category=billing.id):
        row = service.create_article(
            writer, title=title, body=f"About {title}.", status=status, category_id=category
        )
        row.helpful_count = helpful
        return row

    rows = {
        "main": article("Refund a booking", 3),
        "b": article("Bank transfer", 9),
        "c": article("Card declined", 0),
        "a": article("Apple Pay", 9),
        "draft": article("Draft plans", 50, status="draft"),
        "loose": article("Loose ends", 1, category=None),
    }
    stranger = factories.UserFactory(organization=other_org, role=Role.SENIOR_AGENT)
    theirs = categories.create_category(stranger, name="Billing")
    service.create_article(
        stranger, title="Their secret", body="x", status="published", category_id=theirs.id
    )
    db.session.commit()
    return rows


def _related(html: str) -> list[str]:
    aside = html.split('id="related-title"', 1)[1] if 'id="related-title"' in html else ""
    return re.findall(r"<li><a [^>]*>([^<]+)</a></li>", aside)


def test_the_article_page_is_one_statement_with_its_related_articles(
    client, org, shelf, query_counter
):
    url = f"/help/{org.slug}/articles/refund-a-booking"
    client.get(url)  # warm: the organization's lookups in other caches
    with query_counter() as counted:
        page = client.get(url)
    assert page.status_code == 200
    assert len(counted.statements) == 1, counted.statements
    # Same category, most helpful first (title breaks ties), never itself, a draft or a stranger.
    assert _related(page.get_data(as_text=True)) == ["Apple Pay", "Bank transfer", "Card declined"]


def test_an_uncategorized_article_relates_to_the_whole_help_center(client, org, shelf):
    html = client.get(f"/help/{org.slug}/articles/loose-ends").get_data(as_text=True)
    assert _related(html) == ["Apple Pay", "Bank transfer", "Refund a booking", "Card declined"]


def test_a_known_etag_is_answered_304_with_the_caching_headers(client, org, shelf):
    url = f"/help/{org.slug}/articles/refund-a-booking"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert "Accept-Language" in again.headers["Vary"]


def _etag(client, url, **kwargs) -> str:
    return client.get(url, **kwargs).headers["ETag"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param("related_title", id="a-related-article-renamed"),
        pytest.param("vote", id="a-vote-counted"),
        pytest.param("category", id="its-category-renamed"),
        pytest.param("language", id="another-language"),
        pytest.param("voted", id="the-thank-you-variant"),
    ],
)
def test_anything_the_page_shows_changes_its_etag(client, org, writer, shelf, change):
    url = f"/help/{org.slug}/articles/refund-a-booking"
    before = _etag(client, url)
    kwargs = {}
    if change == "related_title":
        service.update_article(writer, shelf["a"].id, title="Apple Pay and Google Pay")
    elif change == "vote":
        visitors.vote(shelf["main"], "visitor-1", True)
    elif change == "category":
        categories.update_category(writer, shelf["main"].category_id, name="Payments")
    elif change == "language":
        kwargs["headers"] = {"Accept-Language": "de"}
    elif change == "voted":
        url += "?voted=yes"
    db.session.commit()
    after = client.get(url, **kwargs)
    assert after.headers["ETag"] != before
    if change == "related_title":
        assert "Apple Pay and Google Pay" in after.get_data(as_text=True)


def test_the_same_article_on_the_own_host_is_another_page(client, org, shelf):
    url = "/articles/refund-a-booking"
    org.help_host = "help.shelf.test"
    db.session.commit()
    on_app = client.get(f"/help/{org.slug}{url}")
    on_host = client.get(url, base_url="http://help.shelf.test")
    assert on_app.headers["ETag"] != on_host.headers["ETag"]
    assert f'href="/help/{org.slug}/' in on_app.get_data(as_text=True)
    assert f"/help/{org.slug}/" not in on_host.get_data(as_text=True)
