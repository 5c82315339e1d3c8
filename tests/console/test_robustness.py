"""No form input makes a 500: every console and admin POST route answered with junk stays a 4xx
or a page. GET routes and their query strings: tests/test_generated_inputs.py."""

from __future__ import annotations

import pytest

from tests.factories import make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

JUNK_FORMS = [
    pytest.param({}, id="empty"),
    pytest.param(
        {
            "subject": "\x00",
            "body": "\x00 \u202e 😀",
            "status": "x",
            "priority": "",
            "version": "-1",
            "assignee_id": "1e9",
            "team_id": "[]",
            "tags": ",,,",
            "email": "@",
            "role": "god",
            "tier": "gold",
            "members": "x",
            "active": "maybe",
            "kind": "other",
        },
        id="garbage",
    ),
    pytest.param(
        {
            "subject": "s" * 5000,
            "body": "b" * 200_000,
            "version": "9" * 40,
            "name": "n" * 5000,
            "customer_email": ("x" * 300) + "@example.com",
            "tags": "t" * 5000,
        },
        id="oversized",
    ),
]


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.endpoint.startswith(("console.", "admin.")):
            continue
        url = rule.rule.replace("<int:number>", "1").replace("<int:customer_id>", "1")
        url = url.replace("<int:agent_id>", "1").replace("<int:team_id>", "1")
        yield url, rule.methods


@pytest.mark.parametrize("form", JUNK_FORMS)
def test_junk_posted_anywhere_never_makes_a_server_error(client, app, admin, org, form):
    make_ticket(org)
    login_as(client, admin)
    token = csrf_token(client.get("/"))
    for url, methods in _routes(app):
        if "POST" in methods:
            response = client.post(url, data={"csrf_token": token, **form})
            assert response.status_code < 500, (url, response.status_code)
