"""Emails print times in the organization's zone, named, whoever reads them and wherever."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk.extensions import db
from supportdesk.mail.outbound.models import EmailMessage, Notification
from supportdesk.tickets import service as tickets
from supportdesk.webhooks import service as webhooks
from tests.factories import make_ticket
from tests.fixtures.webhooks import make_endpoint

pytestmark = pytest.mark.integration

OPENED = dt.datetime(2026, 11, 27, 13, 5, tzinfo=dt.UTC)

ZONES = [
    pytest.param("UTC", "27 Nov 2026, 13:05 UTC", id="utc"),
    pytest.param("Europe/Berlin", "27 Nov 2026, 14:05 CET (Europe/Berlin)", id="berlin"),
    pytest.param("America/New_York", "27 Nov 2026, 08:05 EST (America/New_York)", id="new-york"),
]


def _email(kind: Notification) -> EmailMessage:
    return db.session.scalars(
        sa.select(EmailMessage).where(EmailMessage.kind == kind.value).order_by(EmailMessage.id)
    ).first()


@pytest.mark.parametrize(("zone", "text"), ZONES)
def test_a_reply_quotes_the_request_with_its_time_in_the_organization_s_zone(
    org, agent, customer, zone, text
):
    org.time_zone = zone
    agent.time_zone = "Asia/Tokyo"  # the agent's own zone is for the console only
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(org, customer=customer, body="The export fails.")
    with time_machine.travel(OPENED + dt.timedelta(hours=1), tick=False):
        tickets.reply(agent, ticket, "Fixed it.")
        db.session.commit()  # notifications are queued when the transaction commits

    email = _email(Notification.AGENT_REPLIED)
    assert f"{customer.name} · {text}:" in email.text_body
    assert f"{customer.name} · {text}</p>" in email.html_body


@pytest.mark.parametrize(("zone", "text"), ZONES)
def test_the_webhook_disabled_mail_names_the_organization_s_zone(org, admin, zone, text):
    org.time_zone = zone
    endpoint = make_endpoint(org, "https://crm.example/hooks")
    with time_machine.travel(OPENED, tick=False):
        webhooks.disable_endpoint(endpoint, "The receiver answered 410 Gone.")

    email = _email(Notification.WEBHOOK_DISABLED)
    assert f"webhook endpoints on {text}." in email.text_body
