"""Outbound and inbound together: an agent's reply goes out over SMTP, the customer's answer to
that very email comes back in through `mail receive` and lands on the same ticket; a hard bounce
stops further mail to the address."""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage

import pytest

from supportdesk.db import utcnow
from supportdesk.extensions import db
from supportdesk.mail.inbound.models import SupportAddress
from supportdesk.mail.outbound.models import EmailMessage
from supportdesk.outbox import OutboxState
from supportdesk.tickets import service
from supportdesk.tickets.models import Message, Status, Ticket
from tests.factories import CustomerFactory, make_ticket

pytestmark = pytest.mark.integration

SUPPORT = "help@roundtrip.example"


@pytest.fixture
def desk(app, org, agent):
    db.session.add(
        SupportAddress(
            organization_id=org.id, address=SUPPORT, is_default=True, verified_at=utcnow()
        )
    )
    customer = CustomerFactory(organization=org, email="ana@example.com", name="Ana")
    ticket = make_ticket(org, customer=customer, subject="Export times out")
    db.session.commit()
    return ticket


def _answer(sent, body: str) -> bytes:
    """The customer's mail client answering `sent`: Reply-To, In-Reply-To, quoted history."""
    reply = MimeMessage()
    reply["From"] = "Ana <ana@example.com>"
    reply["To"] = sent["Reply-To"]
    reply["Subject"] = "Re: " + sent["Subject"]
    reply["Message-ID"] = "<ana-answer-1@example.com>"
    reply["In-Reply-To"] = sent["Message-ID"]
    reply["References"] = sent["Message-ID"]
    reply.set_content(f"{body}\n\nOn Monday, Support wrote:\n> {sent.get_body().get_content()}")
    return bytes(reply)


def test_a_reply_by_email_to_our_email_lands_on_the_same_ticket(app, desk, agent, smtp, run_worker):
    service.reply(agent, desk, "Please try the export again now.")
    service.change_status(agent, desk, Status.PENDING)
    db.session.commit()
    ticket_id, number = desk.id, desk.number
    run_worker()  # ends with a fresh session: reload rows by id from here on
    sent = [m for m in smtp.mailbox.messages if m["To"].addresses[0].addr_spec == "ana@example.com"]
    assert sent and f"[#{number}]" in sent[-1]["Subject"]

    result = app.test_cli_runner().invoke(
        args=["mail", "receive"], input=_answer(sent[-1], "It works now, thank you!")
    )
    assert result.exit_code == 0, result.output
    ticket = db.session.get(Ticket, ticket_id)
    last = db.session.scalars(
        db.select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())
    ).first()
    assert last.body_text.startswith("It works now, thank you!")
    assert "wrote:" not in last.body_text  # the quoted history is stripped
    assert ticket.status is Status.OPEN  # the customer answered: no longer waiting on them


def test_after_a_hard_bounce_no_more_mail_goes_to_the_address(app, desk, agent, mail_config):
    from supportdesk.customers.service import suppress_email

    suppress_email(desk.organization_id, "ana@example.com", "550 5.1.1 mailbox unknown")
    service.reply(agent, desk, "Any news?")
    db.session.commit()
    email = db.session.scalars(
        db.select(EmailMessage)
        .where(EmailMessage.ticket_id == desk.id, EmailMessage.to_address == "ana@example.com")
        .order_by(EmailMessage.id.desc())
    ).first()
    assert email.state is OutboxState.FAILED
    assert "bounced" in email.last_error
