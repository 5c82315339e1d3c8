"""The customer's mail through a real SMTP server (aiosmtpd): the sign-in link and the survey
arrive, and the links they carry work in the portal."""

from __future__ import annotations

import re

import pytest

from supportdesk.extensions import db
from supportdesk.satisfaction import service as satisfaction
from supportdesk.satisfaction.models import Rating
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Status
from tests.fixtures.web import csrf_token

pytestmark = pytest.mark.integration

SIGN_IN = re.compile(r"(https?://\S+/help/[\w-]+/portal/link/[\w-]+)")
RATE = re.compile(r"Okay: (https?://\S+/portal/rate/\S+/okay)")


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_the_sign_in_link_arrives_by_smtp_and_signs_in(
    client, org, customer, ticket, smtp, run_worker
):
    slug, address, subject = org.slug, customer.email, ticket.subject
    page = client.get(f"/help/{slug}/portal/")
    client.post(f"/help/{slug}/portal/", data={"csrf_token": csrf_token(page), "email": address})
    run_worker()
    [message] = [m for m in smtp.mailbox.messages if "sign-in link" in m["Subject"]]
    assert message["To"].addresses[0].addr_spec == address
    assert "support portal" in message["Subject"]
    link = SIGN_IN.search(_text(message)).group(1)
    path = link.split("://", 1)[1].split("/", 1)[1]
    confirm = client.get("/" + path)
    client.post("/" + path, data={"csrf_token": csrf_token(confirm)})
    assert subject in client.get(f"/help/{slug}/portal/tickets").get_data(as_text=True)


def test_the_resolution_email_arrives_with_rating_links_that_record_once(
    client, org, agent, ticket, smtp, run_worker
):
    org_id, ticket_id = org.id, ticket.id
    tickets.change_status(agent, ticket, Status.RESOLVED)
    db.session.commit()
    run_worker()
    [message] = [m for m in smtp.mailbox.messages if "Resolved" in m["Subject"]]
    link = RATE.search(_text(message)).group(1)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    opened = client.get(path)
    sent = client.post(path, data={"csrf_token": csrf_token(opened), "rating": "okay"})
    assert "Thank you for your rating!" in sent.get_data(as_text=True)
    assert "You rated this request already" in client.get(path).get_data(as_text=True)
    db.session.expire_all()
    [survey] = satisfaction.for_ticket(org_id, ticket_id)
    assert survey.rating is Rating.OKAY
