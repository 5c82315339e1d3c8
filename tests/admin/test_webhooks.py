"""Admin pages for webhooks: admins only, the secret shown once, test events, the log, redeliver."""

from __future__ import annotations

import pytest
from werkzeug import Response

from supportdesk.extensions import db
from supportdesk.outbox import OutboxState
from supportdesk.webhooks.models import WebhookEndpoint
from tests.factories import make_ticket
from tests.fixtures.web import csrf_token, login_as
from tests.fixtures.webhooks import deliveries, make_endpoint, run_webhook_jobs, verify

pytestmark = pytest.mark.integration


@pytest.fixture
def endpoint(org, httpserver):
    """An endpoint of `org` on the test receiver, for every event type."""
    endpoint = make_endpoint(org, httpserver.url_for("/hooks"), description="CRM sync")
    db.session.commit()
    return endpoint


def _post(client, page_url, url, data=None):
    token = csrf_token(client.get(page_url))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_an_admin_adds_an_endpoint_and_sees_its_secret_exactly_once(client, admin, httpserver):
    login_as(client, admin)
    response = _post(
        client,
        "/admin/webhooks/new",
        "/admin/webhooks/new",
        {
            "url": httpserver.url_for("/hooks"),
            "description": "CRM",
            "event_types": ["ticket.created", "message.created"],
        },
    )
    assert response.status_code == 302
    endpoint = db.session.scalar(db.select(WebhookEndpoint))
    assert endpoint.event_types == ["ticket.created", "message.created"]
    first = client.get(response.headers["Location"]).get_data(as_text=True)
    assert endpoint.secret in first and "will not be shown again" in first
    assert endpoint.secret not in client.get(response.headers["Location"]).get_data(as_text=True)
    assert endpoint.secret not in client.get(f"/admin/webhooks/{endpoint.id}/edit").get_data(
        as_text=True
    )
    assert endpoint.secret not in client.get("/admin/webhooks").get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "event_types", "message"),
    [
        pytest.param(
            "ftp://example.com/", ["ticket.created"], "Only http:// and https://", id="ftp"
        ),
        pytest.param("http://127.0.0.1:9/", [], "Choose at least one event type.", id="no-events"),
        pytest.param("", ["ticket.created"], "This field is required.", id="no-url"),
        pytest.param(
            "http://127.0.0.1:9/", ["sla.nope"], "is not a valid choice", id="unknown-event"
        ),
    ],
)
def test_a_bad_endpoint_is_refused_with_the_reason_next_to_the_field(
    client, admin, url, event_types, message
):
    login_as(client, admin)
    response = _post(
        client,
        "/admin/webhooks/new",
        "/admin/webhooks/new",
        {"url": url, "event_types": event_types},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(WebhookEndpoint)) is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param("http://169.254.169.254/latest", "private or reserved address", id="private"),
        pytest.param("http://x.invalid/", "could not be resolved", id="unresolvable"),
    ],
)
def test_an_address_the_policy_refuses_is_a_403_with_the_reason_next_to_the_field(
    client, admin, app, monkeypatch, url, message
):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", False)
    login_as(client, admin)
    response = _post(
        client,
        "/admin/webhooks/new",
        "/admin/webhooks/new",
        {"url": url, "event_types": ["ticket.created"]},
    )
    assert response.status_code == 403
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(WebhookEndpoint)) is None


@pytest.mark.parametrize("role", ["agent", "senior_agent", "viewer"])
@pytest.mark.parametrize(
    "path",
    ["/admin/webhooks", "/admin/webhooks/new", "/admin/webhooks/{id}", "/admin/webhooks/{id}/edit"],
)
def test_only_admins_reach_the_webhook_pages(client, request, endpoint, role, path):
    login_as(client, request.getfixturevalue(role))
    assert client.get(path.format(id=endpoint.id)).status_code == 403


def test_only_admins_see_the_webhooks_link(client, admin, agent):
    login_as(client, agent)
    assert "/admin/webhooks" not in client.get("/admin/agents").get_data(as_text=True)
    login_as(client, admin)
    assert "/admin/webhooks" in client.get("/admin/agents").get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["", "/edit", "/deliveries/{delivery}", "/test", "/secret", "/enabled"]
)
def test_another_organizations_endpoint_is_a_404(client, admin, other_org, path):
    theirs = make_endpoint(other_org, "http://127.0.0.1:9/hooks")
    make_ticket(other_org)
    db.session.commit()
    delivery = deliveries()[0]
    login_as(client, admin)
    url = f"/admin/webhooks/{theirs.id}" + path.format(delivery=delivery.id)
    if path in ("/test", "/secret", "/enabled"):
        assert _post(client, "/admin/webhooks", url).status_code == 404
    else:
        assert client.get(url).status_code == 404
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, theirs.id).secret == theirs.secret


def test_a_post_without_the_csrf_token_is_refused(client, admin, endpoint):
    login_as(client, admin)
    response = client.post(f"/admin/webhooks/{endpoint.id}/enabled", data={"enabled": "0"})
    assert response.status_code == 400
    assert db.session.get(WebhookEndpoint, endpoint.id).enabled is True


def test_an_admin_sends_a_test_event_the_receiver_verifies(
    client, app, admin, endpoint, httpserver
):
    secret, received = endpoint.secret, []
    httpserver.expect_request("/hooks").respond_with_handler(
        lambda request: received.append(verify(request, secret)) or Response("ok")
    )
    url = f"/admin/webhooks/{endpoint.id}"
    login_as(client, admin)
    response = _post(client, url, f"{url}/test")
    assert response.status_code == 302
    run_webhook_jobs(app)
    [body] = received
    assert body["type"] == "webhook.test" and url.endswith(f"/{body['data']['endpoint_id']}")
    page = client.get(url).get_data(as_text=True)
    assert "webhook.test" in page and "Sent" in page


def test_the_delivery_log_shows_each_attempt_escaped(client, app, admin, endpoint, org, httpserver):
    httpserver.expect_request("/hooks").respond_with_data("<script>alert(1)</script>", status=500)
    url = f"/admin/webhooks/{endpoint.id}/deliveries"
    login_as(client, admin)
    make_ticket(org)
    db.session.commit()
    run_webhook_jobs(app)
    delivery = next(d for d in deliveries() if d.event_type == "ticket.created")
    page = client.get(f"{url}/{delivery.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "HTTP 500" in page and delivery.event_id in page and " ms" in page


def test_an_admin_redelivers_a_sent_delivery_with_the_same_webhook_id(
    client, app, admin, endpoint, org, httpserver
):
    ids = []
    httpserver.expect_request("/hooks").respond_with_handler(
        lambda request: ids.append(request.headers["webhook-id"]) or Response("ok")
    )
    endpoint_id = endpoint.id
    login_as(client, admin)
    make_ticket(org)
    db.session.commit()
    run_webhook_jobs(app)
    delivery = deliveries()[0]
    assert delivery.state is OutboxState.SENT
    response = _post(
        client,
        f"/admin/webhooks/{endpoint_id}",
        f"/admin/webhooks/{endpoint_id}/deliveries/{delivery.id}/redeliver",
    )
    assert response.status_code == 302
    event_id = delivery.event_id
    run_webhook_jobs(app)
    assert ids.count(event_id) == 2
    assert deliveries()[0].attempts == 2


def test_an_admin_disables_and_enables_an_endpoint(client, admin, endpoint):
    login_as(client, admin)
    url = f"/admin/webhooks/{endpoint.id}"
    _post(client, url, f"{url}/enabled", {"enabled": "0"})
    db.session.expire_all()
    disabled = db.session.get(WebhookEndpoint, endpoint.id)
    assert disabled.enabled is False and disabled.disabled_reason == f"Disabled by {admin.name}."
    page = client.get(url).get_data(as_text=True)
    assert "Disabled by" in page and "Send test event" not in page
    response = _post(client, url, f"{url}/test")
    assert "Enable the endpoint" in client.get(response.headers["Location"]).get_data(as_text=True)
    _post(client, url, f"{url}/enabled", {"enabled": "1"})
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).enabled is True


def test_rotating_the_secret_shows_the_new_one_once(client, admin, endpoint):
    old = endpoint.secret
    login_as(client, admin)
    url = f"/admin/webhooks/{endpoint.id}"
    response = _post(client, url, f"{url}/secret")
    db.session.expire_all()
    new = db.session.get(WebhookEndpoint, endpoint.id).secret
    assert new != old and new.startswith("whsec_")
    assert new in client.get(response.headers["Location"]).get_data(as_text=True)
    assert new not in client.get(url).get_data(as_text=True)


def test_an_admin_edits_the_events_of_an_endpoint(client, admin, endpoint):
    login_as(client, admin)
    url = f"/admin/webhooks/{endpoint.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "CRM sync" in page
    response = _post(
        client,
        url,
        url,
        {"url": endpoint.url, "description": "Data warehouse", "event_types": ["customer.created"]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(WebhookEndpoint, endpoint.id)
    assert (saved.description, saved.event_types) == ("Data warehouse", ["customer.created"])


def test_an_admin_subscribes_an_endpoint_to_sla_breaches(client, admin, endpoint):
    login_as(client, admin)
    url = f"/admin/webhooks/{endpoint.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="sla.breached"' in page and "A ticket missed an SLA target" in page
    response = _post(
        client, url, url, {"url": endpoint.url, "event_types": ["sla.breached", "ticket.created"]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(WebhookEndpoint, endpoint.id)
    assert saved.event_types == ["ticket.created", "sla.breached"]
