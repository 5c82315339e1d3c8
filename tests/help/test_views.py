"""The public help center: pages without signing in, only published articles of the slug's
organization, caching (ETag, 304), search-engine markup, votes (one per visitor, same-site
only), suggestions for the contact form, and counted suggestions."""

from __future__ import annotations

import datetime as dt

import pytest

from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.kb import branding, categories, service, visitors
from tests import factories

pytestmark = pytest.mark.integration


@pytest.fixture
def writer(org):
    """A senior agent of `org` who writes the articles."""
    return factories.UserFactory(organization=org, role=Role.SENIOR_AGENT)


@pytest.fixture
def published(writer):
    """A published article in a category, and a draft."""
    billing = categories.create_category(writer, name="Billing", description="Money matters.")
    article = service.create_article(
        writer, title="Refund a booking", body="Open **Bookings**, then <b>Refund</b>.",
        status="published", category_id=billing.id, seo_description="Get your money back.",
    )  # fmt: skip
    service.create_article(
        writer, title="Secret refund plans", body="internal", category_id=billing.id
    )
    db.session.commit()
    return article


def test_the_home_page_lists_categories_with_published_articles_only(app, client, org, published):
    page = client.get(f"/help/{org.slug}/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Billing" in html and "Refund a booking" in html
    assert "Secret refund plans" not in html
    assert (
        f'<link rel="canonical" href="http://127.0.0.1:5000/help/{org.slug}/">'
        in html.replace("localhost", "127.0.0.1:5000")
        or 'rel="canonical"' in html
    )


def test_the_article_page_is_server_rendered_sanitized_and_described(client, org, published):
    page = client.get(f"/help/{org.slug}/articles/refund-a-booking")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<strong>Bookings</strong>" in html and "<b>Refund</b>" not in html
    assert '<meta name="description" content="Get your money back.">' in html
    assert f"/help/{org.slug}/articles/refund-a-booking" in html.split('rel="canonical"')[1][:200]
    assert "<script" not in html


def test_pages_are_cacheable_and_answer_304_to_a_known_etag(client, org, published):
    first = client.get(f"/help/{org.slug}/articles/refund-a-booking")
    assert first.headers["Cache-Control"].startswith("public")
    assert "Set-Cookie" not in first.headers
    again = client.get(
        f"/help/{org.slug}/articles/refund-a-booking",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304


def test_a_changed_article_gets_a_new_etag(client, org, writer, published):
    first = client.get(f"/help/{org.slug}/articles/refund-a-booking").headers["ETag"]
    service.update_article(writer, published.id, body="New text")
    db.session.commit()
    assert client.get(f"/help/{org.slug}/articles/refund-a-booking").headers["ETag"] != first


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/articles/secret-refund-plans", id="draft"),
        pytest.param("/articles/nothing", id="unknown-article"),
        pytest.param("/categories/nothing", id="unknown-category"),
    ],
)
def test_drafts_and_unknown_pages_are_404(client, org, published, path):
    assert client.get(f"/help/{org.slug}{path}").status_code == 404


def test_another_organizations_slug_never_shows_this_ones_articles(
    client, org, other_org, published
):
    assert client.get(f"/help/{other_org.slug}/articles/refund-a-booking").status_code == 404
    assert "Refund a booking" not in client.get(f"/help/{other_org.slug}/").get_data(as_text=True)
    assert (
        "Refund"
        not in client.get(f"/help/{other_org.slug}/search?q=refund")
        .get_data(as_text=True)
        .split("<main")[1]
        .split("Results for")[1][30:]
    )
    assert client.get(f"/help/{other_org.slug}/suggestions?q=refund").get_json() == {"articles": []}
    assert client.get(f"/help/{other_org.slug}/suggested/{published.id}").status_code == 404
    assert client.get("/help/no-such-organization/").status_code == 404


def test_search_finds_published_articles_with_marked_snippets(client, org, published):
    html = client.get(f"/help/{org.slug}/search?q=bookings").get_data(as_text=True)
    assert "<mark>Bookings</mark>" in html and "Secret refund plans" not in html
    assert 'name="robots" content="noindex"' in html


def test_the_category_page_lists_its_articles(client, org, published):
    html = client.get(f"/help/{org.slug}/categories/billing").get_data(as_text=True)
    assert "Money matters." in html and "Refund a booking" in html
    assert "Secret refund plans" not in html


def test_the_sitemap_lists_every_public_page(client, org, published):
    response = client.get(f"/help/{org.slug}/sitemap.xml")
    xml = response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    assert f"/help/{org.slug}/articles/refund-a-booking</loc>" in xml
    assert f"/help/{org.slug}/categories/billing</loc>" in xml
    assert "secret-refund-plans" not in xml


def _vote(client, org, helpful, **extra):
    return client.post(
        f"/help/{org.slug}/articles/refund-a-booking/vote",
        data={"helpful": helpful, **extra},
        headers={"Origin": "http://localhost"},
    )


def test_one_vote_per_visitor_counted_and_changeable(client, org, published, app):
    first = _vote(client, org, "yes")
    assert first.status_code == 302 and "voted=yes" in first.headers["Location"]
    _vote(client, org, "yes")
    db.session.refresh(published)
    assert (published.helpful_count, published.unhelpful_count) == (1, 0)
    _vote(client, org, "no")
    db.session.refresh(published)
    assert (published.helpful_count, published.unhelpful_count) == (0, 1)
    with app.test_client() as someone_else:
        _vote(someone_else, org, "yes")
    db.session.refresh(published)
    assert (published.helpful_count, published.unhelpful_count) == (1, 1)
    thanks = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Thanks" in thanks


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-origin"),
        pytest.param({"Origin": "https://evil.example"}, id="other-origin"),
        pytest.param({"Referer": "https://evil.example/page"}, id="other-referer"),
    ],
)
def test_a_vote_from_another_site_is_refused(client, org, published, headers):
    answer = client.post(
        f"/help/{org.slug}/articles/refund-a-booking/vote", data={"helpful": "yes"}, headers=headers
    )
    assert answer.status_code == 400
    db.session.refresh(published)
    assert published.helpful_count == 0


def test_a_followed_suggestion_that_helped_counts_as_solved(client, org, published):
    suggested = client.get(f"/help/{org.slug}/suggestions?q=how+do+I+get+a+refund").get_json()
    assert [a["title"] for a in suggested["articles"]] == ["Refund a booking"]
    opened = client.get(suggested["articles"][0]["url"])
    assert "from=contact_form" in opened.headers["Location"]
    page = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert 'name="from" value="contact_form"' in page
    _vote(client, org, "yes", **{"from": "contact_form"})
    today = dt.datetime.now(dt.UTC).date()
    assert visitors.totals(org.id, today, today) == {
        ("contact_form", "opened"): 1, ("contact_form", "solved"): 1,
    }  # fmt: skip


def test_suggestions_as_an_html_fragment(client, org, published):
    html = client.get(f"/help/{org.slug}/suggestions?q=refund&format=html").get_data(as_text=True)
    assert html.startswith('<ul class="help-suggestions">')
    assert f"/help/{org.slug}/suggested/{published.id}" in html


def test_branding_shows_the_title_colour_and_logo(client, org, writer):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    branding.update_help_center(writer, title="Driftwood Help", color="#fde047", logo=png)
    db.session.commit()
    html = client.get(f"/help/{org.slug}/").get_data(as_text=True)
    assert "Driftwood Help" in html and f"/help/{org.slug}/logo" in html
    css = client.get(f"/help/{org.slug}/brand.css").get_data(as_text=True)
    assert "--brand: #fde047" in css and "--brand-text: #000000" in css
    logo = client.get(f"/help/{org.slug}/logo")
    assert (logo.mimetype, logo.data) == ("image/png", png)


@pytest.mark.parametrize(
    "extra",
    [pytest.param({}, id="no-source"), pytest.param({"from": "composer"}, id="agent-only-source")],
)
def test_a_helpful_vote_not_from_a_contact_form_suggestion_counts_nothing(
    client, org, published, extra
):
    _vote(client, org, "yes", **extra)
    today = dt.datetime.now(dt.UTC).date()
    assert visitors.totals(org.id, today, today) == {}
