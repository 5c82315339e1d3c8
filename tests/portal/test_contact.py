"""The contact form: a web ticket with a confirmation email; the honeypot, the time trap and the
rate limits; the embeddable copy; the organization's switch."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.selfservice import service
from supportdesk.tickets.models import Channel, Ticket
from tests.fixtures.web import csrf_token
from tests.portal.conftest import stamp_of

pytestmark = pytest.mark.integration

FORM = {
    "name": "Pat Visitor",
    "email": "pat@example.com",
    "subject": "Cannot log in",
    "body": "The app says my password is wrong.",
}


def _post(client, org, *, embed=False, **overrides):
    url = f"/help/{org.slug}/portal/contact" + ("/embed" if embed else "")
    page = client.get(url)
    data = {**FORM, "stamp": stamp_of(page), **overrides}
    if not embed:
        data["csrf_token"] = csrf_token(page)
    return client.post(url, data=data, follow_redirects=True)


def _tickets(org) -> list[Ticket]:
    return list(db.session.scalars(sa.select(Ticket).where(Ticket.organization_id == org.id)))


def test_the_form_opens_a_web_ticket_and_mails_a_confirmation(client, org, no_time_trap):
    response = _post(client, org)
    assert "We received your request" in response.get_data(as_text=True)
    [ticket] = _tickets(org)
    assert ticket.channel is Channel.WEB and ticket.subject == "Cannot log in"
    kinds = db.session.scalars(
        sa.select(EmailMessage.kind).where(EmailMessage.to_address == "pat@example.com")
    ).all()
    assert kinds == ["ticket_acknowledged"]


def test_a_filled_honeypot_is_answered_as_a_success_and_opens_nothing(client, org, no_time_trap):
    response = _post(client, org, website="http://spam.example")
    assert "We received your request" in response.get_data(as_text=True)
    assert _tickets(org) == []


def test_a_form_sent_too_fast_is_refused(client, org):
    response = _post(client, org)  # CONTACT_MIN_SECONDS is 3: a script, not a person
    assert response.status_code == 422 and "send it again" in response.get_data(as_text=True)
    assert _tickets(org) == []


@pytest.mark.parametrize("stamp", ["", "123", "1700000000.forged"])
def test_a_missing_or_forged_stamp_is_refused(client, org, no_time_trap, stamp):
    assert _post(client, org, stamp=stamp).status_code == 422
    assert _tickets(org) == []


def test_missing_fields_come_back_with_field_errors(client, org, no_time_trap):
    response = _post(client, org, email="not an address", subject="")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and text.count('class="field-error"') == 2
    assert "The app says my password is wrong." in text  # the visitor's text is kept


def test_requests_are_limited_per_address(app, client, org, no_time_trap):
    limit = int(app.config["CONTACT_REQUESTS_PER_EMAIL"])
    codes = [_post(client, org).status_code for _ in range(limit + 1)]
    assert codes[:limit] == [200] * limit and codes[-1] == 429
    assert len(_tickets(org)) == limit


def test_requests_are_limited_per_client(app, client, org, no_time_trap, monkeypatch):
    monkeypatch.setitem(app.config, "CONTACT_REQUESTS_PER_CLIENT", 2)
    codes = [_post(client, org, email=f"v{n}@example.com").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_the_embeddable_form_may_be_framed_and_works_without_a_session(client, org, no_time_trap):
    page = client.get(f"/help/{org.slug}/portal/contact/embed")
    assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers
    assert 'name="csrf_token"' not in page.get_data(as_text=True)
    assert "portal-header" not in page.get_data(as_text=True)
    assert "We received your request" in _post(client, org, embed=True).get_data(as_text=True)
    assert len(_tickets(org)) == 1


def test_the_regular_pages_may_not_be_framed(client, org):
    page = client.get(f"/help/{org.slug}/portal/contact")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_a_switched_off_form_opens_nothing(client, org, admin, no_time_trap):
    service.update_settings(
        admin, company_tickets=False, contact_form=False, csat_enabled=True, csat_delay_hours=0
    )
    db.session.commit()
    assert client.get(f"/help/{org.slug}/portal/contact").status_code == 404
    assert _tickets(org) == []
