"""Admins are emailed when the CRM refuses a connection's credentials: once per break."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.accounts.models import Role
from supportdesk.crm import service, sync
from supportdesk.crm.models import ConnectionStatus
from supportdesk.customers import service as customers
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage, Notification
from supportdesk.outbox import OutboxState
from tests.crm.conftest import reload, run_crm_jobs
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def staff(org, other_org, admin, agent):
    """The addresses of `org`'s active admins; an inactive admin, an agent and another
    organization's admin exist too and must hear nothing."""
    second = UserFactory(organization=org, role=Role.ADMIN, name="Bea Admin")
    UserFactory(organization=org, role=Role.ADMIN, active=False, name="Gone Admin")
    UserFactory(organization=other_org, role=Role.ADMIN, name="Other Admin")
    db.session.commit()
    return [admin.email.lower(), second.email.lower()]


def _broken_mail() -> list[EmailMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(EmailMessage)
            .where(EmailMessage.kind == Notification.CRM_CONNECTION_BROKEN.value)
            .order_by(EmailMessage.id)
        )
    )


def _new_customer(agent, email: str) -> None:
    customers.create_customer(reload(agent), email=email, name="Ana Lima", company="Acme")
    db.session.commit()


def test_a_revoked_token_emails_each_admin_once_per_break(
    app, org, admin, agent, staff, hubspot, hubspot_connection, smtp, run_worker
):
    hubspot.token = "pat-na1-rotated"  # the private app's token was revoked in HubSpot
    agent_address = agent.email.lower()
    _new_customer(agent, "ana@acme.example")
    run_crm_jobs(app)

    assert reload(hubspot_connection).status is ConnectionStatus.BROKEN
    emails = _broken_mail()
    assert [e.to_address for e in emails] == staff
    assert agent_address not in [e.to_address for e in emails]
    for email in emails:
        assert (email.ticket_id, email.message_id, email.automatic) == (None, None, True)

    run_worker()
    assert [e.state for e in _broken_mail()] == [OutboxState.SENT, OutboxState.SENT]
    received = {
        m["To"].addresses[0].addr_spec: m
        for m in smtp.mailbox.messages
        if m["Subject"].startswith("CRM connection broken")
    }
    assert set(received) == set(staff)
    message = received[staff[0]]
    assert message["Subject"] == "CRM connection broken: HubSpot"
    assert message["Auto-Submitted"] == "auto-generated"
    page = f"{app.config['BASE_URL'].rstrip('/')}/admin/crm"
    for part in (message.get_body(("plain",)), message.get_body(("html",))):
        content = part.get_content()
        assert "HubSpot refused the access token (401)" in content
        assert page in content

    # Still broken: another customer's write fails the same way and tells nobody again.
    _new_customer(agent, "bo@acme.example")
    run_crm_jobs(app)
    assert len(_broken_mail()) == 2

    # Repaired (the admin saves the new token: the held writes go out), then revoked again.
    service.save_connection(
        reload(admin), provider="hubspot", base_url=hubspot.url, access_token="pat-na1-rotated"
    )
    db.session.commit()
    run_crm_jobs(app)
    assert reload(hubspot_connection).status is ConnectionStatus.OK
    assert len(_broken_mail()) == 2

    hubspot.token = "pat-na1-rotated-again"
    _new_customer(agent, "cy@acme.example")
    run_crm_jobs(app)
    assert [e.to_address for e in _broken_mail()] == staff + staff


def test_a_failed_test_connection_tells_only_the_admin_on_the_page(
    app, admin, staff, hubspot, hubspot_connection
):
    hubspot.token = "pat-na1-rotated"
    assert "401" in sync.check_connection(reload(hubspot_connection))
    assert reload(hubspot_connection).status is ConnectionStatus.BROKEN
    assert _broken_mail() == []
