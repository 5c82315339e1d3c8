"""Security headers on every page and CSRF on every form."""

from __future__ import annotations

import pytest

from tests.fixtures.web import login_as

pytestmark = pytest.mark.integration


def test_pages_carry_the_security_headers(client, agent):
    login_as(client, agent)
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_page_has_no_inline_script(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<script>" not in page and "onclick=" not in page and "style=" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/tickets/new",
        "/tickets/1",
        "/tickets/1/messages",
        "/customers/new",
        "/customers/1",
        "/admin/agents/new",
        "/admin/agents/1",
        "/admin/agents/1/active",
        "/admin/teams/new",
        "/admin/teams/1",
        "/logout",
    ],
)
def test_every_form_refuses_a_post_without_csrf_token(client, admin, path):
    login_as(client, admin)
    response = client.post(path, data={"subject": "x", "body": "y"})
    assert response.status_code == 400
    assert "expired or was sent from another site" in response.get_data(as_text=True)


def test_secure_cookies_and_hsts_behind_https():
    from supportdesk import create_app

    app = create_app(
        {"BASE_URL": "https://help.example.com", "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.test_client() as client:
        response = client.get("/login")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
