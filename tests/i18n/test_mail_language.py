"""Customers get mail in their language; an inbound mail's Content-Language fills it."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from supportdesk.customers import service as customers
from supportdesk.extensions import db
from supportdesk.mail.inbound.service import receive_email
from supportdesk.mail.outbound.models import EmailMessage, Notification
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Status
from tests.factories import make_ticket
from tests.fixtures.mail import SUPPORT

pytestmark = pytest.mark.integration

OPENED = dt.datetime(2026, 11, 27, 13, 5, tzinfo=dt.UTC)


def _emails(kind: Notification) -> list[EmailMessage]:
    return list(
        db.session.scalars(
            sa.select(EmailMessage).where(EmailMessage.kind == kind.value).order_by(EmailMessage.id)
        )
    )


@pytest.mark.parametrize(
    ("language", "sentence", "date"),
    [
        pytest.param(
            "de", "Antworten Sie einfach auf diese E-Mail", "27.11.2026, 14:05 CET", id="de"
        ),
        pytest.param("en", "Reply to this email to answer", "27 Nov 2026, 14:05 CET", id="en"),
        pytest.param(None, "Reply to this email to answer", "27 Nov 2026, 14:05 CET", id="unknown"),
    ],
)
def test_a_customer_gets_the_agent_s_reply_in_their_language(
    org, agent, customer, language, sentence, date
):
    org.time_zone = "Europe/Berlin"
    customer.language = language
    agent.language = "en"  # the agent's console language never decides the customer's mail
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(org, customer=customer, body="Der Export schlägt fehl.")
    with time_machine.travel(OPENED + dt.timedelta(hours=1), tick=False):
        tickets.reply(agent, ticket, "Behoben.")
        db.session.commit()

    (email,) = _emails(Notification.AGENT_REPLIED)
    assert sentence in email.text_body
    assert sentence in email.html_body
    assert f"· {date} (Europe/Berlin):" in email.text_body


def test_a_resolution_mail_speaks_german_to_a_german_customer(org, agent, customer):
    customer.language = "de"
    ticket = make_ticket(org, customer=customer, assignee=agent)
    tickets.change_status(agent, ticket, Status.RESOLVED)
    db.session.commit()
    (email,) = _emails(Notification.TICKET_RESOLVED)
    assert email.subject.startswith(f"[#{ticket.number}] Gelöst:")
    assert "Doch nicht gelöst?" in email.text_body


def _mail(language_header: str, sender: str = "Pat <pat@example.com>") -> bytes:
    return (
        f"From: {sender}\r\nTo: {SUPPORT}\r\nSubject: Rechnung falsch\r\n"
        f"Message-ID: <{abs(hash(language_header + sender))}@x.example>\r\n"
        f"{language_header}Content-Type: text/plain; charset=utf-8\r\n\r\nHallo\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("header", "language"),
    [
        pytest.param("Content-Language: de-DE\r\n", "de", id="german"),
        pytest.param("Content-Language: en-GB\r\n", "en", id="english"),
        pytest.param("Content-Language: fr\r\n", None, id="not-offered"),
        pytest.param("", None, id="absent"),
    ],
)
def test_a_new_customer_s_language_comes_from_their_mail(mail_world, header, language):
    receive_email(_mail(header), source="test")
    db.session.commit()
    customer = customers.find_by_email(mail_world.org.id, "pat@example.com")
    assert customer.language == language


def test_the_acknowledgement_of_a_german_mail_is_german(mail_world):
    receive_email(_mail("Content-Language: de\r\n"), source="test")
    db.session.commit()
    (ack,) = [
        e for e in _emails(Notification.TICKET_ACKNOWLEDGED) if e.to_address == "pat@example.com"
    ]
    assert "Ihre Anfrage ist eingegangen" in ack.subject


def test_a_language_chosen_for_the_customer_is_never_replaced_by_their_mail(mail_world):
    customer = customers.find_or_create(mail_world.org.id, "pat@example.com", "Pat")
    customer.language = "de"
    db.session.commit()
    receive_email(_mail("Content-Language: en-US\r\n"), source="test")
    db.session.commit()
    assert customers.find_by_email(mail_world.org.id, "pat@example.com").language == "de"
