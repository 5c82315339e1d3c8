"""Webhook endpoint API: lifecycle, secrets shown once, the address guard, admins only."""

from __future__ import annotations

import pytest

from supportdesk.tokens.models import Scope
from tests.fixtures.webhooks import make_endpoint

pytestmark = pytest.mark.integration

URL = "http://127.0.0.1:9/hooks"  # tests allow private addresses; nothing is sent here
NEW = {
    "url": URL,
    "description": "CRM sync",
    "event_types": ["ticket.status_changed", "ticket.created"],
}


@pytest.fixture
def api_admin(api_as, admin):
    """An ApiClient acting as `admin` with a read-write token."""
    return api_as(admin)


def test_an_endpoint_is_created_read_updated_disabled_and_rotated(api_admin):
    created = api_admin.post("/webhook-endpoints", json=NEW)
    assert created.status_code == 201
    endpoint = created.get_json()
    secret = endpoint.pop("secret")
    assert secret.startswith("whsec_")
    assert endpoint["event_types"] == ["ticket.created", "ticket.status_changed"]
    assert endpoint["enabled"] is True
    assert created.headers["Location"] == f"/api/v1/webhook-endpoints/{endpoint['id']}"
    path = f"/webhook-endpoints/{endpoint['id']}"

    assert api_admin.get(path).get_json() == endpoint
    assert api_admin.get("/webhook-endpoints").get_json()["data"] == [endpoint]

    updated = api_admin.patch(path, json={"description": "Billing", "enabled": False}).get_json()
    assert updated["description"] == "Billing" and updated["url"] == URL
    assert updated["enabled"] is False and updated["disabled_reason"].startswith("Disabled by")

    moved = api_admin.patch(path, json={"url": URL + "/v2", "event_types": ["sla.breached"]})
    assert moved.get_json()["url"] == URL + "/v2"
    assert moved.get_json()["event_types"] == ["sla.breached"]
    assert moved.get_json()["description"] == "Billing"

    enabled = api_admin.patch(path, json={"enabled": True}).get_json()
    assert enabled["enabled"] is True and enabled["disabled_reason"] == ""
    assert api_admin.patch(path, json={}).get_json() == enabled

    rotated = api_admin.post(f"{path}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.get_json()["secret"].startswith("whsec_")
    assert rotated.get_json()["secret"] != secret


def test_an_endpoint_can_be_created_disabled(api_admin):
    response = api_admin.post("/webhook-endpoints", json={**NEW, "enabled": False})

    assert response.status_code == 201
    assert response.get_json()["enabled"] is False


def test_the_secret_appears_only_in_create_and_rotate_answers(api_admin, org):
    endpoint = make_endpoint(org, URL)
    answers = [
        api_admin.get("/webhook-endpoints"),
        api_admin.get(f"/webhook-endpoints/{endpoint.id}"),
        api_admin.patch(f"/webhook-endpoints/{endpoint.id}", json={"description": "x"}),
    ]
    for response in answers:
        assert response.status_code == 200
        assert "secret" not in response.get_data(as_text=True)
        assert endpoint.secret not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "private_allowed", "status"),
    [
        # Well-formed URLs the policy refuses: 403 (the document cannot say which hosts resolve).
        pytest.param("http://127.0.0.1:9/hooks", False, 403, id="private address"),
        pytest.param("http://169.254.169.254/latest/meta-data", False, 403, id="cloud metadata"),
        pytest.param("http://no-such-host.invalid/hooks", True, 403, id="unresolvable host"),
        # Malformed for the document's pattern: 422.
        pytest.param("http://user:pw@127.0.0.1/hooks", True, 422, id="credentials in url"),
        pytest.param("http://127.0.0.1:65536/hooks", True, 422, id="port out of range"),
        pytest.param("http://[::1]/hooks", True, 422, id="ipv6 literal"),
    ],
)
def test_the_address_guard_refuses_naming_url(
    api_admin, app, org, monkeypatch, url, private_allowed, status
):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", private_allowed)
    endpoint = make_endpoint(org, "http://127.0.0.1:9/old")

    created = api_admin.post("/webhook-endpoints", json={**NEW, "url": url})
    moved = api_admin.patch(f"/webhook-endpoints/{endpoint.id}", json={"url": url})

    for response in (created, moved):
        assert response.status_code == status
        assert "url" in response.get_json()["error"]["fields"]
    assert api_admin.get("/webhook-endpoints").get_json()["data"][0]["url"].endswith("/old")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"event_types": ["ticket.created"]}, "url", id="missing url"),
        pytest.param({**NEW, "url": "ftp://example.com/x"}, "url", id="not http"),
        pytest.param({**NEW, "url": "http://a b/"}, "url", id="space in url"),
        pytest.param({**NEW, "event_types": []}, "event_types", id="no event types"),
        pytest.param({**NEW, "event_types": ["ticket.eaten"]}, "event_types", id="unknown type"),
        pytest.param({**NEW, "secret": "whsec_mine"}, "secret", id="secret is not settable"),
        pytest.param({**NEW, "description": "x" * 501}, "description", id="long description"),
    ],
)
def test_invalid_endpoints_are_refused(api_admin, body, field):
    response = api_admin.post("/webhook-endpoints", json=body)

    assert response.status_code == 422
    assert any(name.startswith(field) for name in response.get_json()["error"]["fields"])


@pytest.mark.parametrize(
    ("role", "scope", "method", "suffix", "body"),
    [
        pytest.param("viewer", Scope.READ_WRITE, "GET", "", None, id="viewer lists"),
        pytest.param("agent", Scope.READ_WRITE, "GET", "/{id}", None, id="agent reads one"),
        pytest.param("agent", Scope.READ_WRITE, "POST", "", NEW, id="agent creates"),
        pytest.param(
            "senior_agent", Scope.READ_WRITE, "PATCH", "/{id}", {"enabled": False}, id="senior"
        ),
        pytest.param("agent", Scope.READ_WRITE, "POST", "/{id}/rotate-secret", None, id="rotate"),
        pytest.param("admin", Scope.READ, "POST", "", NEW, id="read-only admin creates"),
        pytest.param("admin", Scope.READ, "PATCH", "/{id}", {}, id="read-only admin updates"),
        pytest.param(
            "admin", Scope.READ, "POST", "/{id}/rotate-secret", None, id="read-only admin rotates"
        ),
    ],
)
def test_only_admins_with_a_read_write_token_manage_endpoints(
    request, api_as, org, role, scope, method, suffix, body
):
    endpoint = make_endpoint(org, URL)
    client = api_as(request.getfixturevalue(role), scope)
    path = "/webhook-endpoints" + suffix.format(id=endpoint.id)

    response = client.request(method, path, json=body)

    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


def test_a_read_only_admin_token_may_read(api_as, admin, org):
    endpoint = make_endpoint(org, URL)
    client = api_as(admin, Scope.READ)

    assert client.get(f"/webhook-endpoints/{endpoint.id}").status_code == 200


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        pytest.param("GET", "", None, id="get"),
        pytest.param("PATCH", "", {"enabled": False}, id="update"),
        pytest.param("POST", "/rotate-secret", None, id="rotate"),
    ],
)
def test_another_organizations_endpoint_is_not_found(api_admin, other_org, method, suffix, body):
    endpoint = make_endpoint(other_org, URL)
    secret = endpoint.secret

    response = api_admin.request(method, f"/webhook-endpoints/{endpoint.id}{suffix}", json=body)

    assert response.status_code == 404
    assert secret not in response.get_data(as_text=True)
    assert api_admin.get("/webhook-endpoints").get_json()["data"] == []


def test_the_list_pages_with_a_cursor_at_constant_query_cost(api_admin, org, query_counter):
    ids = [make_endpoint(org, f"{URL}/{i}").id for i in range(5)]
    first = api_admin.get("/webhook-endpoints?limit=2").get_json()
    second = api_admin.get(f"/webhook-endpoints?limit=2&cursor={first['next_cursor']}").get_json()
    last = api_admin.get(f"/webhook-endpoints?limit=2&cursor={second['next_cursor']}").get_json()

    assert [e["id"] for e in first["data"] + second["data"] + last["data"]] == ids
    assert last["next_cursor"] is None
    counts = {}
    for limit in (1, 5):
        with query_counter() as queries:
            assert (
                len(api_admin.get(f"/webhook-endpoints?limit={limit}").get_json()["data"]) == limit
            )
        counts[limit] = queries.count
    assert counts[1] == counts[5], counts


def test_a_cursor_past_every_id_is_an_empty_page(api_admin, org):
    make_endpoint(org, URL)

    response = api_admin.get("/webhook-endpoints?cursor=9999999999")

    assert response.status_code == 200
    assert response.get_json() == {"data": [], "next_cursor": None}
