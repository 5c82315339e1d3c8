"""Who may call the API: tokens, scopes, roles, organizations, rate limits; the error shape."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.tickets.models import Ticket
from supportdesk.tokens.models import ApiToken, Scope
from supportdesk.tokens.service import revoke_token
from tests.api.conftest import ApiClient
from tests.factories import CustomerFactory, UserFactory, make_ticket

pytestmark = pytest.mark.integration

NEW_TICKET = {"subject": "Hello", "body": "World", "customer_email": "c@example.com"}


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(None, id="no header"),
        pytest.param("Basic dXNlcjpwYXNz", id="basic auth"),
        pytest.param("Bearer", id="bearer without token"),
        pytest.param("Bearer sdk_not-a-real-token", id="unknown token"),
        pytest.param("Bearer something-else", id="not our token format"),
    ],
)
def test_requests_without_a_valid_token_are_unauthorized(client, ticket, header):
    headers = {"Authorization": header} if header else {}

    response = client.get("/api/v1/tickets", headers=headers)

    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_unauthorized(client, agent, make_token):
    plain = make_token(agent)
    api = ApiClient(client, plain)
    assert api.get("/tickets").status_code == 200
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == agent.id))
    revoke_token(agent, token.id)

    assert api.get("/tickets").status_code == 401


def test_a_deactivated_agents_token_is_unauthorized(api, agent):
    agent.active = False
    db.session.flush()

    assert api.get("/tickets").status_code == 401


def test_reactivating_an_agent_does_not_revive_their_tokens(api, admin, agent):
    from supportdesk.accounts.service import set_active

    set_active(admin, agent.id, False)
    set_active(admin, agent.id, True)

    response = api.get("/tickets")
    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"


def test_an_expired_token_is_unauthorized(client, agent):
    from supportdesk.tokens.service import create_token

    token, plain = create_token(agent, name="Short", scope=Scope.READ, expires_in_days=1)
    api = ApiClient(client, plain)
    assert api.get("/tickets").status_code == 200

    with time_machine.travel(token.expires_at, tick=False):
        assert api.get("/tickets").status_code == 401


def test_a_session_cookie_is_not_enough(client, agent, ticket):
    from tests.fixtures.web import login_as

    login_as(client, agent)

    assert client.get("/api/v1/tickets").status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("POST", "/tickets", NEW_TICKET, id="create ticket"),
        pytest.param("PATCH", "/tickets/{n}", {"priority": "high"}, id="update ticket"),
        pytest.param("DELETE", "/tickets/{n}", None, id="delete ticket"),
        pytest.param("POST", "/tickets/{n}/messages", {"body": "Hi"}, id="reply"),
        pytest.param("POST", "/customers", {"email": "new@example.com"}, id="create customer"),
    ],
)
def test_a_read_only_token_cannot_write_even_for_an_admin(
    api_as, admin, ticket, method, path, body
):
    api = api_as(admin, Scope.READ)

    response = api.request(method, path.format(n=ticket.number), json=body)

    assert response.status_code == 403
    assert _error(response)["code"] == "read_only_token"
    assert api.get(f"/tickets/{ticket.number}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("POST", "/tickets", NEW_TICKET, id="create ticket"),
        pytest.param("PATCH", "/tickets/{n}", {"priority": "high"}, id="update ticket"),
        pytest.param("POST", "/tickets/{n}/messages", {"body": "Hi"}, id="reply"),
        pytest.param("POST", "/customers", {"email": "new@example.com"}, id="create customer"),
    ],
)
def test_a_viewers_read_write_token_still_cannot_write(api_as, viewer, ticket, method, path, body):
    response = api_as(viewer, Scope.READ_WRITE).request(
        method, path.format(n=ticket.number), json=body
    )

    assert response.status_code == 403
    assert _error(response)["code"] == "forbidden"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("GET", "/tickets/{n}", None, id="get ticket"),
        pytest.param("PATCH", "/tickets/{n}", {"priority": "high"}, id="update ticket"),
        pytest.param("DELETE", "/tickets/{n}", None, id="delete ticket"),
        pytest.param("GET", "/tickets/{n}/messages", None, id="messages"),
        pytest.param("POST", "/tickets/{n}/messages", {"body": "Hi"}, id="reply"),
        pytest.param("GET", "/tickets/{n}/events", None, id="history"),
        pytest.param("GET", "/customers/{c}", None, id="get customer"),
        pytest.param("PATCH", "/customers/{c}", {"name": "X"}, id="update customer"),
    ],
)
def test_another_organizations_rows_are_not_found(api_as, admin, other_org, method, path, body):
    theirs = make_ticket(other_org)
    their_customer = CustomerFactory(organization=other_org)

    response = api_as(admin).request(
        method, path.format(n=theirs.number, c=their_customer.id), json=body
    )

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
    db.session.refresh(theirs)
    db.session.refresh(their_customer)
    assert theirs.priority.value == "medium" and theirs.version == 1
    assert their_customer.name != "X"


def test_lists_never_show_another_organizations_rows(api, agent, other_org):
    make_ticket(other_org)
    CustomerFactory(organization=other_org)
    UserFactory(organization=other_org)

    assert api.get("/tickets").get_json()["data"] == []
    assert api.get("/customers").get_json()["data"] == []
    assert [a["id"] for a in api.get("/agents").get_json()["data"]] == [agent.id]


def test_the_token_records_when_it_was_last_used_at_most_once_a_minute(api, agent):
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == agent.id))
    assert token.last_used_at is None

    api.get("/tickets")
    db.session.refresh(token)
    first = token.last_used_at
    api.get("/tickets")
    db.session.refresh(token)

    assert first is not None and token.last_used_at == first
    token.last_used_at = utcnow() - dt.timedelta(minutes=2)
    db.session.flush()
    api.get("/tickets")
    db.session.refresh(token)
    assert token.last_used_at > first


def test_over_the_rate_limit_the_answer_is_429_with_retry_after(app, api):
    saved = app.extensions["api_rate_limiter"].limit
    app.extensions["api_rate_limiter"].limit = 3
    try:
        answers = [api.get("/agents") for _ in range(4)]
    finally:
        app.extensions["api_rate_limiter"].limit = saved

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert _error(answers[-1])["code"] == "rate_limited"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert answers[0].headers["X-RateLimit-Remaining"] == "2"


def test_rate_limits_count_each_token_separately(app, api_as, agent):
    first, second = api_as(agent), api_as(agent)
    saved = app.extensions["api_rate_limiter"].limit
    app.extensions["api_rate_limiter"].limit = 1
    try:
        statuses = [first.get("/teams").status_code for _ in range(2)]
        other = second.get("/teams").status_code
    finally:
        app.extensions["api_rate_limiter"].limit = saved

    assert statuses == [200, 429]
    assert other == 200


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        pytest.param(
            {"data": "{", "content_type": "application/json"},
            400,
            "malformed_json",
            id="truncated JSON",
        ),
        pytest.param(
            {"data": "NaN", "content_type": "application/json"}, 400, "malformed_json", id="NaN"
        ),
        pytest.param(
            {"data": b"\xff\xfe", "content_type": "application/json"},
            400,
            "malformed_json",
            id="not UTF-8",
        ),
        pytest.param(
            {"data": "", "content_type": "application/json"}, 400, "malformed_json", id="empty body"
        ),
        pytest.param(
            {"data": "{}", "content_type": "text/plain"},
            415,
            "unsupported_media_type",
            id="text/plain",
        ),
        pytest.param({"data": "subject=x"}, 415, "unsupported_media_type", id="no content type"),
        pytest.param(
            {"json": {"subject": "x" * 3_000_000}}, 413, "payload_too_large", id="oversized"
        ),
    ],
)
def test_bodies_that_are_not_usable_json_are_refused(api, app, monkeypatch, kwargs, status, code):
    # No allowance for files: the body limit is API_MAX_BODY_BYTES itself.
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_MESSAGE_BYTES", 0)
    response = api.post("/tickets", **kwargs)

    assert response.status_code == status
    assert _error(response)["code"] == code


def test_unknown_paths_and_methods_answer_in_the_error_shape(api):
    missing = api.get("/nothing-here")
    wrong_method = api.request("PUT", "/tickets")
    too_large_number = api.get("/tickets/99999999999")

    assert missing.status_code == 404 and _error(missing)["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert _error(wrong_method)["code"] == "method_not_allowed"
    assert "POST" in wrong_method.headers["Allow"]
    assert too_large_number.status_code == 404


def test_a_bug_answers_500_in_the_error_shape(app):
    from supportdesk.api.errors import unexpected_error

    with app.test_request_context("/api/v1/tickets", method="POST"):
        response = unexpected_error(RuntimeError("boom"))

    assert response.status_code == 500
    assert _error(response)["code"] == "internal_error"


def test_api_answers_are_not_cached_and_need_no_csrf_token(api):
    response = api.post("/tickets", json=NEW_TICKET)

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"


def test_html_pages_keep_their_error_pages(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
