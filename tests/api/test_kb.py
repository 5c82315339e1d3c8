"""The API's knowledge base: articles (CRUD, search, revisions, publishing) and categories,
role checks, tenancy, and 4xx answers that name the field."""

from __future__ import annotations

import pytest

from supportdesk.accounts.models import Role
from supportdesk.kb import categories, service
from tests import factories

pytestmark = pytest.mark.integration


def test_an_agent_writes_publishes_searches_and_reads_revisions(api, org):
    created = api.post(
        "/kb/articles",
        json={"title": "Refund a booking", "body": "Open **Bookings**.", "tags": ["refund"]},
    )
    assert created.status_code == 201, created.get_json()
    article = created.get_json()
    assert (article["status"], article["slug"], article["version"], article["url"]) == (
        "draft", "refund-a-booking", 1, None,
    )  # fmt: skip
    assert "<strong>Bookings</strong>" in article["body_html"]
    assert created.headers["Location"].endswith(f"/kb/articles/{article['id']}")

    published = api.patch(
        f"/kb/articles/{article['id']}", json={"status": "published", "version": 1}
    ).get_json()
    assert published["status"] == "published" and published["version"] == 2
    assert published["url"].endswith(f"/help/{org.slug}/articles/refund-a-booking")

    found = api.get("/kb/articles?q=bookings").get_json()["data"]
    assert [a["id"] for a in found] == [article["id"]]
    assert "<mark>Bookings</mark>" in found[0]["snippet"]
    revisions = api.get(f"/kb/articles/{article['id']}/revisions").get_json()["data"]
    assert [r["number"] for r in revisions] == [2, 1]


def test_a_stale_version_is_a_409_naming_it(api, agent):
    article = service.create_article(agent, title="Refund", body="x")
    service.update_article(agent, article.id, body="y")
    answer = api.patch(f"/kb/articles/{article.id}", json={"body": "z", "version": 1})
    assert answer.status_code == 409
    assert "version" in answer.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "title", id="no-title"),
        pytest.param({"title": "  "}, "title", id="blank-title"),
        pytest.param({"title": "x", "slug": "Not A Slug"}, "slug", id="bad-slug"),
        pytest.param({"title": "x", "status": "secret"}, "status", id="bad-status"),
        pytest.param({"title": "x", "tags": ["no spaces allowed"]}, "tags", id="bad-tag"),
        pytest.param({"title": "x", "colour": "red"}, "colour", id="unknown-field"),
    ],
)
def test_bad_article_input_is_a_422_naming_the_field(api, body, field):
    answer = api.post("/kb/articles", json=body)
    assert answer.status_code == 422
    assert any(field in name for name in answer.get_json()["error"]["fields"])


def test_a_taken_slug_is_a_409(api, agent):
    service.create_article(agent, title="Refund", body="x")
    answer = api.post("/kb/articles", json={"title": "Other", "slug": "refund"})
    assert answer.status_code == 409 and "slug" in answer.get_json()["error"]["fields"]


def test_paging_and_filters(api, agent):
    made = [service.create_article(agent, title=f"Article {n}", body="x") for n in range(3)]
    service.set_status(agent, made[1].id, "published")
    first = api.get("/kb/articles?limit=2").get_json()
    second = api.get(f"/kb/articles?limit=2&cursor={first['next_cursor']}").get_json()
    assert [a["id"] for a in first["data"] + second["data"]] == [a.id for a in made]
    assert second["next_cursor"] is None
    published = api.get("/kb/articles?status=published").get_json()["data"]
    assert [a["id"] for a in published] == [made[1].id]


@pytest.mark.parametrize(
    ("role", "write", "manage"),
    [
        pytest.param(Role.VIEWER, 403, 403, id="viewer"),
        pytest.param(Role.AGENT, 200, 403, id="agent"),
        pytest.param(Role.SENIOR_AGENT, 200, 204, id="senior"),
    ],
)
def test_roles(api_as, org, admin, role, write, manage):
    user = factories.UserFactory(organization=org, role=role)
    article = service.create_article(admin, title="Refund", body="x")
    client = api_as(user)
    assert client.get(f"/kb/articles/{article.id}").status_code == 200
    assert client.patch(f"/kb/articles/{article.id}", json={"body": "y"}).status_code == write
    assert client.post("/kb/categories", json={"name": "Billing"}).status_code == (
        201 if manage == 204 else 403
    )
    assert client.delete(f"/kb/articles/{article.id}").status_code == manage


def test_another_organizations_rows_are_404(api, other_org):
    stranger = factories.UserFactory(organization=other_org, role=Role.ADMIN)
    article = service.create_article(stranger, title="Theirs", body="refund", status="published")
    category = categories.create_category(stranger, name="Theirs")

    assert api.get(f"/kb/articles/{article.id}").status_code == 404
    assert api.patch(f"/kb/articles/{article.id}", json={"body": "x"}).status_code == 404
    assert api.get(f"/kb/articles/{article.id}/revisions").status_code == 404
    assert api.get(f"/kb/categories/{category.id}").status_code == 404
    assert (
        api.post("/kb/articles", json={"title": "x", "category_id": category.id}).status_code == 404
    )
    assert api.get("/kb/articles?q=refund").get_json()["data"] == []
    assert api.get("/kb/categories").get_json()["data"] == []


def test_categories_crud_and_position(api_as, senior_agent):
    client = api_as(senior_agent)
    ids = [
        client.post("/kb/categories", json={"name": name}).get_json()["id"]
        for name in ("Billing", "Bookings", "Account")
    ]
    moved = client.patch(f"/kb/categories/{ids[2]}", json={"position": 1}).get_json()
    assert moved["position"] == 1
    names = [c["name"] for c in client.get("/kb/categories").get_json()["data"]]
    assert names == ["Account", "Billing", "Bookings"]
    renamed = client.patch(f"/kb/categories/{ids[0]}", json={"name": "Payments"}).get_json()
    assert (renamed["name"], renamed["slug"]) == ("Payments", "billing")
    assert client.delete(f"/kb/categories/{ids[1]}").status_code == 204
    assert client.get(f"/kb/categories/{ids[1]}").status_code == 404
