"""The customer's pages speak the customer's language: the signed-in customer's, else the
browser's (Accept-Language); the contact form keeps a new visitor's language for their mail;
the sign-in link mail speaks the customer's language; the help center varies by language."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.customers.models import Customer
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import PORTAL_SIGN_IN, EmailMessage
from tests.fixtures.web import csrf_token
from tests.portal.conftest import portal_sign_in, stamp_of

pytestmark = pytest.mark.integration


def _contact(client, org, email, accept_language):
    url = f"/help/{org.slug}/portal/contact"
    headers = {"Accept-Language": accept_language} if accept_language else {}
    page = client.get(url, headers=headers)
    data = {
        "name": "Jonas Becker",
        "email": email,
        "subject": "Rechnungsadresse",
        "body": "Bitte auf Köln ändern.",
        "stamp": stamp_of(page),
        "csrf_token": csrf_token(page),
    }
    return client.post(url, data=data, headers=headers, follow_redirects=True)


@pytest.mark.parametrize(
    ("accept_language", "stored", "answer"),
    [
        pytest.param("de-DE,de;q=0.9,en;q=0.5", "de", "Vielen Dank!", id="german"),
        pytest.param("en-GB", "en", "Thank you!", id="english"),
        pytest.param("fr-FR", None, "Thank you!", id="not-spoken"),
        pytest.param(None, None, "Thank you!", id="no-header"),
    ],
)
def test_the_contact_form_keeps_a_new_visitor_s_language(
    client, org, no_time_trap, accept_language, stored, answer
):
    page = _contact(client, org, "jonas@kunde.example", accept_language)
    assert answer in page.get_data(as_text=True)
    customer = db.session.scalars(
        sa.select(Customer).where(Customer.email == "jonas@kunde.example")
    ).one()
    assert customer.language == stored


def test_the_contact_form_never_replaces_a_known_customer_s_language(
    client, org, customer, no_time_trap
):
    customer.language = "en"
    db.session.commit()
    _contact(client, org, customer.email, "de")
    db.session.refresh(customer)
    assert customer.language == "en"


@pytest.mark.parametrize(
    ("language", "accept_language", "heading"),
    [
        pytest.param("de", "en", "Meine Anfragen", id="customer-german-browser-english"),
        pytest.param("en", "de", "My requests", id="customer-english-browser-german"),
        pytest.param(None, "de", "Meine Anfragen", id="customer-unset-browser-german"),
        pytest.param(None, None, "My requests", id="nothing-known"),
    ],
)
def test_a_signed_in_customer_s_language_comes_before_the_browser_s(
    client, org, customer, ticket, language, accept_language, heading
):
    customer.language = language
    db.session.commit()
    portal_sign_in(client, customer)
    headers = {"Accept-Language": accept_language} if accept_language else {}
    html = client.get(f"/help/{org.slug}/portal/tickets", headers=headers).get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in html
    assert f'<html lang="{language or accept_language or "en"}">' in html


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        pytest.param("de", "Hier ist Ihr Link zur Anmeldung", id="de"),
        pytest.param(None, "Here is your link to sign in", id="unset"),
    ],
)
def test_the_sign_in_link_mail_speaks_the_customer_s_language(
    client, org, customer, language, sentence, mail_config, run_worker
):
    customer.language = language
    db.session.commit()
    address = customer.email  # the worker ends the test's session
    page = client.get(f"/help/{org.slug}/portal/")
    client.post(
        f"/help/{org.slug}/portal/", data={"csrf_token": csrf_token(page), "email": address}
    )
    run_worker()  # the job that looks the address up and mails the link
    email = db.session.scalars(
        sa.select(EmailMessage).where(
            EmailMessage.kind == PORTAL_SIGN_IN, EmailMessage.to_address == address
        )
    ).one()
    assert sentence in email.text_body
    assert sentence in email.html_body


@pytest.mark.parametrize(
    ("accept_language", "heading"),
    [
        pytest.param("de", "Wie können wir helfen?", id="de"),
        pytest.param("en", "How can we help?", id="en"),
    ],
)
def test_the_help_center_speaks_the_browser_s_language_and_varies_by_it(
    client, org, accept_language, heading
):
    response = client.get(f"/help/{org.slug}/", headers={"Accept-Language": accept_language})
    assert heading in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def _switch(client, org, code, next_path):
    page = client.get(f"/help/{org.slug}/portal/contact")  # a page with the footer's form
    return client.post(
        f"/help/{org.slug}/portal/language",
        data={"csrf_token": csrf_token(page), "language": code, "next": next_path},
    )


def test_a_visitor_switches_the_portal_to_german_and_back(client, org):
    answer = _switch(client, org, "de", f"/help/{org.slug}/portal/contact?")
    assert answer.status_code == 302
    assert answer.location == f"/help/{org.slug}/portal/contact"
    html = client.get(f"/help/{org.slug}/portal/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Ihre Anfragen verfolgen" in html
    assert 'value="en" lang="en" class="link-button">English</button>' in html
    _switch(client, org, "en", f"/help/{org.slug}/portal/")
    assert "Follow your requests" in client.get(f"/help/{org.slug}/portal/").get_data(as_text=True)


def test_a_signed_in_customer_s_switch_becomes_the_language_of_their_mail(client, org, customer):
    customer.language = None
    db.session.commit()
    portal_sign_in(client, customer)
    _switch(client, org, "de", f"/help/{org.slug}/portal/tickets")
    db.session.refresh(customer)
    assert customer.language == "de"


@pytest.mark.parametrize(
    ("code", "next_path", "status", "location"),
    [
        pytest.param("fr", "/help/acme/portal/", 400, None, id="not-offered"),
        pytest.param("", "/help/acme/portal/", 400, None, id="empty"),
        pytest.param("de", "https://evil.example/", 302, "/portal/", id="other-site"),
        pytest.param("de", "//evil.example/help/", 302, "/portal/", id="scheme-relative"),
        pytest.param("de", "/help/other/portal/", 302, "/portal/", id="other-portal"),
        pytest.param("de", "/admin", 302, "/portal/", id="console"),
    ],
)
def test_a_bad_switch_is_refused_or_goes_back_to_the_portal(
    client, org, code, next_path, status, location
):
    answer = _switch(client, org, code, next_path.replace("acme", org.slug))
    assert answer.status_code == status
    if location:
        assert answer.location == f"/help/{org.slug}{location}"


def test_the_switch_needs_the_csrf_token(client, org):
    answer = client.post(f"/help/{org.slug}/portal/language", data={"language": "de"})
    assert answer.status_code == 400
