"""Admins are emailed when a webhook endpoint is disabled automatically (410 Gone, failures)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug import Response

from supportdesk.accounts.models import Organization, Role
from supportdesk.extensions import db
from supportdesk.mail.identity import signing
from supportdesk.mail.outbound.models import EmailMessage, Notification
from supportdesk.outbox import OutboxState
from supportdesk.webhooks import service
from supportdesk.webhooks.models import WebhookEndpoint
from tests.factories import UserFactory, make_ticket
from tests.fixtures.webhooks import make_endpoint, run_webhook_jobs

pytestmark = pytest.mark.integration

EVIL = '<script>alert("x")</script>'


@pytest.fixture
def endpoint(org, httpserver):
    """An endpoint of `org` on the test receiver, with markup in its description."""
    return make_endpoint(
        org, httpserver.url_for("/hooks"), ["ticket.created"], description=f"CRM sync {EVIL}"
    )


@pytest.fixture
def staff(org, other_org, admin, senior_agent, agent, viewer):
    """The addresses of `org`'s active admins; inactive admins and another org's admin exist too.

    Also made: a second admin, and people who must not be emailed: inactive admin, another org's admin."""
    second = UserFactory(organization=org, role=Role.ADMIN, name="Bea Admin")
    UserFactory(organization=org, role=Role.ADMIN, active=False, name="Gone Admin")
    UserFactory(organization=other_org, role=Role.ADMIN, name="Other Admin")
    db.session.commit()
    return [admin.email.lower(), second.email.lower()]


def _disabled_mail() -> list[EmailMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(EmailMessage)
            .where(EmailMessage.kind == Notification.WEBHOOK_DISABLED.value)
            .order_by(EmailMessage.id)
        )
    )


def _trigger(org_id: int, app) -> None:
    """Open a ticket (one event for the endpoint) and run the webhooks queue (rows detach)."""
    make_ticket(db.session.get(Organization, org_id))
    db.session.commit()
    run_webhook_jobs(app)


def test_410_gone_emails_every_active_admin_of_the_organization_and_nobody_else(
    app, org, endpoint, staff, httpserver, smtp, run_worker
):
    httpserver.expect_request("/hooks").respond_with_data("gone", status=410)
    org_id, endpoint_id, url = org.id, endpoint.id, endpoint.url
    _trigger(org_id, app)

    emails = _disabled_mail()
    assert [e.to_address for e in emails] == staff
    for email in emails:
        assert (email.ticket_id, email.message_id, email.reply_to) == (None, None, "")
        assert (email.in_reply_to, email.references, email.automatic) == ("", "", True)
        assert email.message_id_header.startswith("<sd.mail.")
        assert signing.ticket_from_message_ids(email.message_id_header) is None

    run_worker()
    assert [e.state for e in _disabled_mail()] == [OutboxState.SENT, OutboxState.SENT]
    received = {
        m["To"].addresses[0].addr_spec: m
        for m in smtp.mailbox.messages
        if m["Subject"].startswith("Webhook endpoint disabled")  # not the customer's receipt
    }
    assert set(received) == set(staff)
    message = received[staff[0]]
    assert message["Subject"] == f"Webhook endpoint disabled: {url}"
    assert message["Reply-To"] is None and message["In-Reply-To"] is None
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    page = f"{app.config['BASE_URL'].rstrip('/')}/admin/webhooks/{endpoint_id}"
    for part in (text, html):
        assert url in part and page in part
        assert "410 Gone" in part and "Enable" in part
    assert f"CRM sync {EVIL}" in text
    assert "<script>" not in html and "CRM sync &lt;script&gt;" in html
    assert "Hello Ada Admin," in text


def test_repeated_failures_disable_the_endpoint_and_email_the_admins(
    app, org, endpoint, admin, httpserver, mail_config
):
    mail_config(WEBHOOKS_RETRY_SCHEDULE=[], WEBHOOKS_DISABLE_AFTER_FAILURES=2)
    httpserver.expect_request("/hooks").respond_with_handler(lambda _: Response("no", 500))
    org_id, endpoint_id, address = org.id, endpoint.id, admin.email.lower()
    _trigger(org_id, app)
    assert _disabled_mail() == []  # one failure is not yet enough
    _trigger(org_id, app)

    assert db.session.get(WebhookEndpoint, endpoint_id).enabled is False
    [email] = _disabled_mail()
    assert email.to_address == address
    assert "2 deliveries in a row failed." in email.text_body


def test_an_admin_who_disables_an_endpoint_by_hand_gets_no_email(app, org, endpoint, admin):
    service.set_enabled(admin, endpoint.id, False)
    db.session.commit()
    assert _disabled_mail() == []
