"""Route × role × tenant for the knowledge base's console routes and the public help center:
each route answered for each role on its own organization's rows and on another's."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from supportdesk.accounts.models import Role
from supportdesk.extensions import db
from supportdesk.kb import categories, queries, service
from tests import factories
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

V, A, S, AD = Role.VIEWER, Role.AGENT, Role.SENIOR_AGENT, Role.ADMIN


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {a} article, {r} revision, {c} category, {n} ticket number
    allowed: frozenset  # roles answered with a page / redirect; others 403
    ok: int = 200


ROUTES = [
    Route("GET", "/kb", frozenset({V, A, S, AD})),
    Route("GET", "/kb/categories", frozenset({V, A, S, AD})),
    Route("GET", "/kb/articles/new", frozenset({A, S, AD})),
    Route("GET", "/kb/articles/{a}", frozenset({A, S, AD})),
    Route("GET", "/kb/articles/{a}/revisions", frozenset({A, S, AD})),
    Route("GET", "/kb/articles/{a}/revisions/{r}", frozenset({A, S, AD})),
    Route("POST", "/kb/articles/{a}/revisions/{r}/restore", frozenset({A, S, AD}), 302),
    Route("POST", "/kb/articles/{a}/delete", frozenset({S, AD}), 302),
    Route("GET", "/kb/categories/new", frozenset({S, AD})),
    Route("GET", "/kb/categories/{c}", frozenset({S, AD})),
    Route("POST", "/kb/categories/{c}/move", frozenset({S, AD}), 302),
    Route("POST", "/kb/categories/{c}/delete", frozenset({S, AD}), 302),
    Route("GET", "/kb/help-center", frozenset({S, AD})),
    Route("GET", "/tickets/{n}/articles", frozenset({V, A, S, AD})),
    Route("POST", "/tickets/{n}/articles/{a}/inserted", frozenset({A, S, AD}), 204),
]
# Paths without ids of a tenant: "another organization" does not apply.
TENANTLESS = {"/kb", "/kb/categories", "/kb/articles/new", "/kb/categories/new", "/kb/help-center"}


def _rows(org):
    """An admin's published article (two revisions), a category and a ticket in `org`."""
    admin = factories.UserFactory(organization=org, role=Role.ADMIN)
    category = categories.create_category(admin, name="Billing")
    article = service.create_article(admin, title="Refund", body="one", status="published",
                                     category_id=category.id)  # fmt: skip
    service.update_article(admin, article.id, body="two")
    revision = queries.revisions(org.id, article.id)[-1]
    ticket = factories.make_ticket(org, subject="Refund please")
    return {"a": article.id, "r": revision.id, "c": category.id, "n": ticket.number}


CASES = [
    pytest.param(route, role, tenant, id=f"{route.method} {route.path} {role.value} {tenant}")
    for route in ROUTES
    for role in Role
    for tenant in ("own", "other")
    if not (tenant == "other" and route.path in TENANTLESS)
]


@pytest.mark.parametrize(("route", "role", "tenant"), CASES)
def test_route_by_role_and_tenant(client, org, other_org, route, role, tenant):
    ids = _rows(org if tenant == "own" else other_org)
    db.session.commit()
    login_as(client, factories.UserFactory(organization=org, role=role))
    path = route.path.format(**ids)
    if route.method == "GET":
        answer = client.get(path)
    else:
        answer = client.post(
            path, data={"csrf_token": csrf_token(client.get("/kb")), "direction": "up"}
        )
    if tenant == "other":
        expected = 404 if role in route.allowed else (403, 404)
    else:
        expected = route.ok if role in route.allowed else 403
    assert answer.status_code in (expected if isinstance(expected, tuple) else (expected,))


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize(
    "path",
    ["/", "/search?q=refund", "/categories/billing", "/articles/refund", "/sitemap.xml",
     "/robots.txt", "/brand.css", "/suggestions?q=refund"],
)  # fmt: skip
def test_the_help_center_is_public_and_only_its_own_organizations(
    client, org, other_org, agent, path, signed_in
):
    _rows(org)
    db.session.commit()
    if signed_in:
        login_as(client, agent)  # an agent of `org` changes nothing on another's help center
    assert client.get(f"/help/{org.slug}{path}").status_code == 200
    other = client.get(f"/help/{other_org.slug}{path}")
    assert other.status_code in (200, 404)
    assert re.search(r">\s*Refund\s*<|\"Refund\"", other.get_data(as_text=True)) is None
