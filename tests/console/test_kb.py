"""The knowledge-base pages of the console: write with preview, publish, revisions with diff and
restore, categories, help center branding, the composer's suggestions; roles, CSRF, tenancy."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.kb import categories, queries, service
from supportdesk.kb.models import Article, ArticleStatus, SuggestionCount
from tests import factories
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _form(client, path):
    return csrf_token(client.get(path))


def test_an_agent_previews_then_saves_and_publishes_an_article(client, agent):
    login_as(client, agent)
    token = _form(client, "/kb/articles/new")
    data = {"csrf_token": token, "title": "Refund a booking", "body": "Open **Bookings**.",
            "status": "draft", "category_id": "0", "tags": "refund, billing"}  # fmt: skip
    preview = client.post("/kb/articles/new", data={**data, "preview": "1"})
    assert preview.status_code == 200
    assert "<strong>Bookings</strong>" in preview.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0

    saved = client.post("/kb/articles/new", data=data)
    article = db.session.scalar(sa.select(Article))
    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        f"/kb/articles/{article.id}"
    )
    assert (article.tags, article.status) == (["refund", "billing"], ArticleStatus.DRAFT)

    edit = client.get(f"/kb/articles/{article.id}").get_data(as_text=True)
    assert 'value="refund, billing"' in edit and '<option selected value="draft">' in edit
    published = client.post(
        f"/kb/articles/{article.id}",
        data={**data, "csrf_token": csrf_token(edit), "status": "published", "version": "1"},
    )
    assert published.status_code == 302
    db.session.refresh(article)
    assert (article.status, article.version) == (ArticleStatus.PUBLISHED, 2)


def test_an_unchanged_form_saves_nothing(client, agent):
    article = service.create_article(agent, title="Refund", body="Text", tags=["a"])
    db.session.commit()
    login_as(client, agent)
    page = client.get(f"/kb/articles/{article.id}").get_data(as_text=True)
    client.post(
        f"/kb/articles/{article.id}",
        data={"csrf_token": csrf_token(page), "title": "Refund", "slug": "refund", "body": "Text",
              "status": "draft", "category_id": "0", "tags": "a", "version": "1"},
    )  # fmt: skip
    db.session.refresh(article)
    assert article.version == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        pytest.param({"title": ""}, "This field is required.", id="no-title"),
        pytest.param({"slug": "Bad Slug"}, "Lower-case letters", id="bad-slug"),
        pytest.param({"tags": "no spaces!"}, "Tags use letters", id="bad-tag"),
    ],
)
def test_bad_input_re_renders_with_the_field_error(client, agent, fields, error):
    login_as(client, agent)
    data = {"csrf_token": _form(client, "/kb/articles/new"), "title": "Refund", "body": "x",
            "status": "draft", "category_id": "0", **fields}  # fmt: skip
    answer = client.post("/kb/articles/new", data=data)
    assert answer.status_code == 422
    assert error in answer.get_data(as_text=True)


def test_a_stale_edit_is_refused_and_keeps_the_input(client, agent):
    article = service.create_article(agent, title="Refund", body="x")
    service.update_article(agent, article.id, body="newer")
    db.session.commit()
    login_as(client, agent)
    token = _form(client, f"/kb/articles/{article.id}")
    answer = client.post(
        f"/kb/articles/{article.id}",
        data={"csrf_token": token, "title": "Refund", "body": "my text", "status": "draft",
              "category_id": "0", "version": "1"},
    )  # fmt: skip
    assert answer.status_code == 409
    assert "my text" in answer.get_data(as_text=True)


def test_revisions_show_a_diff_and_restore(client, agent):
    article = service.create_article(agent, title="Refund", body="line one\nline two")
    service.update_article(agent, article.id, body="line one\nline 2")
    db.session.commit()
    login_as(client, agent)
    listing = client.get(f"/kb/articles/{article.id}/revisions").get_data(as_text=True)
    assert "Revision 2" in listing and "Revision 1" in listing
    second, first = queries.revisions(agent.organization_id, article.id)
    diff = client.get(f"/kb/articles/{article.id}/revisions/{second.id}").get_data(as_text=True)
    assert "kb-diff-removed" in diff and "line two" in diff and "line 2" in diff

    restored = client.post(
        f"/kb/articles/{article.id}/revisions/{first.id}/restore",
        data={"csrf_token": csrf_token(listing)},
    )
    assert restored.status_code == 302
    db.session.refresh(article)
    assert (article.body, article.version) == ("line one\nline two", 3)


def test_a_viewer_reads_the_list_but_cannot_write(client, viewer, agent):
    article = service.create_article(agent, title="Refund", body="x")
    db.session.commit()
    login_as(client, viewer)
    assert client.get("/kb").status_code == 200
    assert client.get("/kb/articles/new").status_code == 403
    assert client.get(f"/kb/articles/{article.id}").status_code == 403
    token = csrf_token(client.get("/kb"))
    assert (
        client.post(f"/kb/articles/{article.id}/delete", data={"csrf_token": token}).status_code
        == 403
    )


def test_an_agent_cannot_delete_or_manage_categories_a_senior_can(client, agent, senior_agent):
    article = service.create_article(agent, title="Refund", body="x")
    db.session.commit()
    login_as(client, agent)
    token = csrf_token(client.get("/kb"))
    assert (
        client.post(f"/kb/articles/{article.id}/delete", data={"csrf_token": token}).status_code
        == 403
    )
    assert client.get("/kb/categories/new").status_code == 403
    assert client.get("/kb/help-center").status_code == 403

    login_as(client, senior_agent)
    token = csrf_token(client.get("/kb"))
    deleted = client.post(f"/kb/articles/{article.id}/delete", data={"csrf_token": token})
    assert deleted.headers["Location"] == "/kb"
    assert db.session.scalar(sa.select(Article.id).where(Article.id == article.id)) is None


def test_another_tenants_article_category_and_revision_are_404(client, agent, other_org):
    stranger = factories.UserFactory(organization=other_org, role=agent.role.ADMIN)
    article = service.create_article(stranger, title="Theirs", body="x")
    category = categories.create_category(stranger, name="Theirs")
    revision = queries.revisions(other_org.id, article.id)[0]
    db.session.commit()
    login_as(client, factories.UserFactory(organization=agent.organization, role=agent.role.ADMIN))
    token = csrf_token(client.get("/kb"))
    for path in (f"/kb/articles/{article.id}", f"/kb/articles/{article.id}/revisions",
                 f"/kb/articles/{article.id}/revisions/{revision.id}",
                 f"/kb/categories/{category.id}"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    for path in (f"/kb/articles/{article.id}/delete", f"/kb/categories/{category.id}/delete",
                 f"/kb/articles/{article.id}/revisions/{revision.id}/restore"):  # fmt: skip
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    assert "Theirs" not in client.get("/kb").get_data(as_text=True)


def test_categories_are_added_moved_and_listed_in_order(client, senior_agent):
    login_as(client, senior_agent)
    for name in ("Billing", "Bookings"):
        token = _form(client, "/kb/categories/new")
        client.post("/kb/categories/new", data={"csrf_token": token, "name": name})
    bookings = queries.list_categories(senior_agent.organization_id)[1]
    token = _form(client, "/kb/categories")
    client.post(f"/kb/categories/{bookings.id}/move", data={"csrf_token": token, "direction": "up"})
    html = client.get("/kb/categories").get_data(as_text=True)
    assert html.index("Bookings") < html.index("Billing")


def test_the_help_center_form_saves_colour_and_logo_and_refuses_a_bad_file(client, senior_agent):
    login_as(client, senior_agent)
    token = _form(client, "/kb/help-center")
    bad = client.post(
        "/kb/help-center",
        data={"csrf_token": token, "color": "#112233", "logo": (io.BytesIO(b"<svg/>"), "x.svg")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "Upload a PNG" in bad.get_data(as_text=True)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    ok = client.post(
        "/kb/help-center",
        data={"csrf_token": token, "title": "Help", "color": "#112233",
              "logo": (io.BytesIO(png), "logo.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert ok.status_code == 302
    assert queries.help_center(senior_agent.organization_id).logo == png


def test_the_composer_suggests_published_articles_for_the_ticket(client, org, agent):
    ticket = factories.make_ticket(org, subject="Refund for my cancelled booking")
    article = service.create_article(agent, title="Refund a booking", body="Open **Bookings**.",
                                     status="published")  # fmt: skip
    service.create_article(agent, title="Refund draft", body="x")
    db.session.commit()
    login_as(client, agent)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "data-kb-suggest" in page
    found = client.get(f"/tickets/{ticket.number}/articles").get_json()["articles"]
    assert [(a["title"], a["body"]) for a in found] == [("Refund a booking", "Open **Bookings**.")]
    assert found[0]["url"].endswith(f"/help/{org.slug}/articles/refund-a-booking")
    searched = client.get(f"/tickets/{ticket.number}/articles?q=bookings").get_json()
    assert [a["id"] for a in searched["articles"]] == [article.id]

    inserted = client.post(
        f"/tickets/{ticket.number}/articles/{article.id}/inserted",
        data={"csrf_token": csrf_token(page)},
    )
    assert inserted.status_code == 204
    assert db.session.scalar(sa.select(SuggestionCount.kind)) == "inserted"


def test_the_composer_suggestions_of_another_tenants_ticket_are_404(client, agent, other_org):
    foreign = factories.make_ticket(other_org)
    login_as(client, agent)
    assert client.get(f"/tickets/{foreign.number}/articles").status_code == 404
