"""The help center on an organization's own host name: the name's rules, routing by Host, links
and canonical addresses on the host, tenancy, and no console there."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from supportdesk.accounts.models import Role
from supportdesk.accounts.service import update_organization
from supportdesk.audit.models import AuditEntry
from supportdesk.errors import ValidationFailed
from supportdesk.extensions import db
from supportdesk.kb import categories, service
from supportdesk.kb.hosts import checked_help_host, public_url
from supportdesk.mail.outbound.models import PORTAL_SIGN_IN, EmailMessage
from tests import factories
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration

HOST = "help.acme.test"
SITE = f"http://{HOST}"  # the test client's address for the host


@pytest.fixture
def writer(org):
    return factories.UserFactory(organization=org, role=Role.SENIOR_AGENT)


@pytest.fixture
def acme(org, writer):
    """`org` with its own host name, a category and a published article."""
    org.help_host = HOST
    billing = categories.create_category(writer, name="Billing")
    service.create_article(
        writer, title="Refund a booking", body="Open **Bookings**.", status="published",
        category_id=billing.id,
    )  # fmt: skip
    db.session.commit()
    return org


@pytest.fixture
def other_article(other_org):
    """A published article of another organization (no host name of its own)."""
    author = factories.UserFactory(organization=other_org, role=Role.SENIOR_AGENT)
    article = service.create_article(
        author, title="Other secrets", body="Not for Acme.", status="published"
    )
    db.session.commit()
    return article


def get(client, path: str, **kwargs):
    return client.get(path, base_url=SITE, **kwargs)


# -- the name ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param("help.acme.test", "help.acme.test", id="plain"),
        pytest.param("  Help.ACME.test. ", "help.acme.test", id="case-space-trailing-dot"),
        pytest.param("https://help.acme.test/", "help.acme.test", id="pasted-address"),
        pytest.param("xn--bcher-kva.example", "xn--bcher-kva.example", id="punycode"),
        pytest.param("bücher.example", "xn--bcher-kva.example", id="unicode-to-idna"),
        pytest.param("", None, id="empty-is-none"),
        pytest.param("   ", None, id="blank-is-none"),
    ],
)
def test_a_help_host_is_stored_normalized(org, typed, stored):
    assert checked_help_host(typed, org.id) == stored


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("localhost", id="one-label"),
        pytest.param("help acme.test", id="space"),
        pytest.param("-help.acme.test", id="leading-hyphen"),
        pytest.param("help.acme.test:8443", id="port"),
        pytest.param("help.acme.test/kb", id="path"),
        pytest.param("10.0.0.1", id="ip-address"),
        pytest.param("help_desk.acme.test", id="underscore"),
        pytest.param("a" * 64 + ".acme.test", id="label-too-long"),
        pytest.param(("abc." * 63) + "test", id="name-too-long"),
        pytest.param("127.0.0.1", id="the-app-itself"),
    ],
)
def test_a_help_host_that_is_not_a_dns_name_is_refused(org, typed):
    with pytest.raises(ValidationFailed) as refused:
        checked_help_host(typed, org.id)
    assert "help_host" in refused.value.fields


def test_the_apps_own_host_is_refused(app, org, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://desk.example.com")
    with pytest.raises(ValidationFailed, match="own address"):
        checked_help_host("Desk.Example.com", org.id)


def test_a_help_host_is_unique_across_organizations(org, other_org):
    other_org.help_host = HOST
    db.session.flush()
    with pytest.raises(ValidationFailed, match="another organization"):
        checked_help_host(HOST.upper(), org.id)
    assert checked_help_host(HOST, other_org.id) == HOST  # its own name again is fine


def test_an_admin_sets_the_host_in_the_organization_settings_and_it_is_audited(client, org):
    admin = factories.UserFactory(organization=org, role=Role.ADMIN)
    login_as(client, admin)
    page = client.get("/admin/organization")
    assert 'name="help_host"' in page.get_data(as_text=True)
    saved = client.post(
        "/admin/organization",
        data={
            "csrf_token": csrf_token(page), "time_zone": org.time_zone,
            "audit_retention_days": org.audit_retention_days, "help_host": " HELP.Acme.test ",
            "two_factor_policy": org.two_factor_policy.value,
        },
        follow_redirects=True,
    )  # fmt: skip
    assert "help center at help.acme.test" in saved.get_data(as_text=True)
    db.session.refresh(org)
    assert org.help_host == HOST
    entry = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.organization_id == org.id, AuditEntry.action == "organization.updated"
        )
    ).one()
    assert entry.after == {"help_host": HOST}


def test_a_taken_host_is_a_field_error_on_the_settings_page(client, org, other_org):
    other_org.help_host = HOST
    admin = factories.UserFactory(organization=org, role=Role.ADMIN)
    db.session.commit()
    login_as(client, admin)
    page = client.get("/admin/organization")
    answer = client.post(
        "/admin/organization",
        data={
            "csrf_token": csrf_token(page), "time_zone": org.time_zone,
            "audit_retention_days": org.audit_retention_days, "help_host": HOST,
        },
    )  # fmt: skip
    assert answer.status_code == 422
    assert "already the help center address of another organization" in answer.get_data(
        as_text=True
    )


def test_only_an_admin_may_set_the_host(org):
    senior = factories.UserFactory(organization=org, role=Role.SENIOR_AGENT)
    with pytest.raises(Exception, match="role"):
        update_organization(
            senior, time_zone=org.time_zone, audit_retention_days=365, help_host=HOST
        )


# -- routing by Host ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "shows"),
    [
        pytest.param("/", "Billing", id="home"),
        pytest.param("/categories/billing", "Refund a booking", id="category"),
        pytest.param("/articles/refund-a-booking", "<strong>Bookings</strong>", id="article"),
        pytest.param("/search?q=refund", "a booking", id="search"),
        pytest.param("/portal/", 'name="email"', id="portal-sign-in"),
    ],
)
def test_the_help_center_answers_at_the_root_of_its_host(client, acme, path, shows):
    page = get(client, path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert shows in html
    assert f"/help/{acme.slug}" not in html  # every link stays on the host


def test_links_and_canonical_urls_name_the_host(client, acme):
    html = get(client, "/articles/refund-a-booking").get_data(as_text=True)
    assert f'<link rel="canonical" href="https://{HOST}/articles/refund-a-booking">' in html
    assert (
        'href="/categories/billing"' in html and 'action="/articles/refund-a-booking/vote"' in html
    )
    assert 'href="/static/css/help.css"' in html


def test_the_sitemap_and_robots_txt_name_the_host(client, acme):
    sitemap = get(client, "/sitemap.xml").get_data(as_text=True)
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert f"https://{HOST}/articles/refund-a-booking" in urls
    assert urls and all(url.startswith(f"https://{HOST}/") for url in urls)
    robots = get(client, "/robots.txt").get_data(as_text=True)
    assert f"Sitemap: https://{HOST}/sitemap.xml" in robots
    assert "Disallow: /portal/" in robots


def test_the_app_host_keeps_the_help_center_and_names_the_own_host_canonical(client, acme):
    html = client.get(f"/help/{acme.slug}/articles/refund-a-booking").get_data(as_text=True)
    assert f'href="https://{HOST}/articles/refund-a-booking"' in html
    assert f'href="/help/{acme.slug}/categories/billing"' in html


def test_a_redirect_for_a_missing_slash_stays_on_the_host(client, acme):
    answer = get(client, "/portal")
    assert answer.status_code == 308
    assert answer.location in (f"{SITE}/portal/", "/portal/")


def test_a_vote_on_the_host_keeps_its_cookie_and_redirect_on_the_host(client, acme):
    answer = client.post(
        "/articles/refund-a-booking/vote", base_url=SITE, headers={"Origin": SITE},
        data={"helpful": "yes"},
    )  # fmt: skip
    assert answer.status_code == 302
    assert answer.location == "/articles/refund-a-booking?voted=yes#feedback"
    assert "Path=/;" in answer.headers["Set-Cookie"] or answer.headers["Set-Cookie"].endswith(
        "Path=/"
    )


def test_portal_sign_in_links_in_emails_use_the_host(
    app, client, acme, redis_client, monkeypatch, tmp_path
):
    from rq import Queue, SimpleWorker

    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path))  # where the worker sends it
    customer = factories.CustomerFactory(organization=acme)
    db.session.commit()
    address = customer.email  # the worker ends the test's session
    page = get(client, "/portal/")
    client.post("/portal/", base_url=SITE, data={"csrf_token": csrf_token(page), "email": address})
    redis = app.extensions["redis"]  # the job that looks the address up and mails the link
    SimpleWorker([Queue("emails", connection=redis)], connection=redis).work(burst=True)
    email = db.session.scalars(
        sa.select(EmailMessage).where(
            EmailMessage.kind == PORTAL_SIGN_IN, EmailMessage.to_address == address
        )
    ).one()
    assert re.search(rf"https://{re.escape(HOST)}/portal/link/[\w-]+", email.text_body)


def test_public_urls_of_an_organization_without_a_host_use_the_base_url(app, org):
    with app.app_context():
        assert public_url(org, "help.home") == f"http://127.0.0.1:5000/help/{org.slug}/"
        org.help_host = HOST
        assert public_url(org, "portal.contact") == f"https://{HOST}/portal/contact"


# -- tenancy and the console -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/articles/other-secrets", id="other-orgs-article-slug"),
        pytest.param("/help/{other}/", id="other-orgs-help-center"),
        pytest.param("/help/{other}/articles/other-secrets", id="other-orgs-article"),
        pytest.param("/help/{own}/", id="own-prefix-again"),
    ],
)
def test_the_host_of_one_organization_never_shows_another(
    client, acme, other_org, other_article, path
):
    page = get(client, path.format(other=other_org.slug, own=acme.slug))
    assert page.status_code == 404
    assert "Other secrets" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/login", id="sign-in"),
        pytest.param("/account", id="account"),
        pytest.param("/kb", id="kb-console"),
        pytest.param("/admin/organization", id="admin"),
        pytest.param("/api/v1/tickets", id="api"),
        pytest.param("/api/v1/openapi.json", id="api-document"),
    ],
)
def test_the_console_and_api_are_not_served_on_a_help_host(client, acme, path):
    assert get(client, path).status_code == 404


def test_a_console_session_cookie_presented_on_the_host_opens_nothing(client, acme):
    admin = factories.UserFactory(organization=acme, role=Role.ADMIN)
    db.session.commit()
    login_as(client, admin)
    assert client.get("/account").status_code == 200
    cookie = client.get_cookie("supportdesk_session")
    client.set_cookie("supportdesk_session", cookie.value, domain=HOST)
    assert get(client, "/account").status_code == 404
    assert get(client, "/admin/organization").status_code == 404
    home = get(client, "/")
    assert "Billing" in home.get_data(as_text=True)  # the help center, not the queue


def test_console_cookies_are_host_only(client, acme):
    admin = factories.UserFactory(organization=acme, role=Role.ADMIN)
    db.session.commit()
    page = client.get("/login")
    signed = client.post(
        "/login",
        data={"csrf_token": csrf_token(page), "email": admin.email,
              "password": factories.PASSWORD, "remember": "y"},
    )  # fmt: skip
    cookies = signed.headers.getlist("Set-Cookie")
    assert cookies and not any("domain=" in c.lower() for c in cookies)


def test_a_host_no_organization_has_is_served_as_before(client, acme):
    page = client.get(f"/help/{acme.slug}/", base_url="http://unknown.example.test")
    assert page.status_code == 200
    assert client.get("/login", base_url="http://unknown.example.test").status_code == 200


def test_static_files_are_served_on_the_host(client, acme):
    answer = get(client, "/static/css/help.css")
    assert answer.status_code == 200 and b"help" in answer.get_data()
    answer.close()


def test_links_built_on_the_host_are_not_reused_on_the_apps_host(client, acme):
    """The console's links on a help host's error page point at the app's host; the app's own
    pages built afterwards still link within their host (templates remember URLs per host)."""
    missing = get(client, "/account").get_data(as_text=True)  # the 404 page links the console
    assert 'href="http://' in missing
    agent = factories.UserFactory(organization=acme, role=Role.AGENT)
    db.session.commit()
    login_as(client, agent)
    queue = client.get("/").get_data(as_text=True)
    assert re.search(r'class="brand" href="/"', queue)
