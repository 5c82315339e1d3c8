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


# Posts that authenticate otherwise (bearer or inbound tokens) and are exempt from CSRF; the
# embeddable contact form signs nobody in and is framed by other sites, where the browser sends
# no session cookie (it carries a signed time stamp instead: supportdesk.selfservice.contact).
CSRF_EXEMPT_PREFIXES = ("api.", "inbound.", "portal.contact_embed")


def form_posts(app, org_slug: str = "1") -> list[str]:
    """Every POST route of the HTML blueprints, its ids filled with 1 (and the organization's slug
    in the portal's addresses)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.endpoint.startswith(CSRF_EXEMPT_PREFIXES):
            values = {**dict.fromkeys(rule.arguments, 1), "org_slug": org_slug}
            paths.append(rule.build(values, append_unknown=False)[1])
    return sorted(set(paths))


def test_every_form_refuses_a_post_without_csrf_token(app, client, admin):
    login_as(client, admin)
    paths = form_posts(app, admin.organization.slug)
    assert len(paths) > 40 and "/tickets/1/messages" in paths and "/logout" in paths
    answers = {path: client.post(path, data={"subject": "x", "body": "y"}) for path in paths}
    refused = {
        path
        for path, response in answers.items()
        if response.status_code == 400
        and "expired or was sent from another site" in response.get_data(as_text=True)
    }
    assert set(paths) - refused == set()


def test_secure_cookies_and_hsts_behind_https():
    from supportdesk import create_app

    app = create_app(
        {"BASE_URL": "https://help.example.com", "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.test_client() as client:
        response = client.get("/login")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
