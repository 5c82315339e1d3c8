"""Mail to a merged ticket lands on the ticket its conversation moved to, by every matching path:
the signed reply address, our Message-ID, a stored Message-ID of the thread, the `[#number]` token."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.mail.inbound.models import Decision
from supportdesk.mail.inbound.service import receive_email
from supportdesk.tickets.merge import merge
from supportdesk.tickets.models import Message, Ticket
from tests import factories

D = Decision


def _last_message(ticket: Ticket) -> Message:
    return db.session.scalars(
        sa.select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())
    ).first()


@pytest.mark.parametrize(
    ("filename", "decision", "words"),
    [
        pytest.param("reply_address.eml", D.REPLY_BY_ADDRESS, "order number", id="reply-address"),
        pytest.param(
            "references_only.eml", D.REPLY_BY_MESSAGE_ID, "", id="our-message-id-in-references"
        ),
        pytest.param("apple_mail.eml", D.REPLY_BY_MESSAGE_ID, "iPad", id="stored-message-id"),
        pytest.param("outlook_de_aw.eml", D.REPLY_BY_SUBJECT_TOKEN, "Problem", id="subject-token"),
    ],
)
def test_mail_to_a_merged_ticket_lands_on_the_survivor(
    mail_world, agent, filename, decision, words
):
    old = mail_world.ticket
    survivor = factories.make_ticket(mail_world.org, customer=mail_world.customer)
    merge(agent, old, survivor)
    db.session.flush()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))

    result = receive_email(mail_world.load(filename), source="test")

    assert result.decision is decision
    assert result.ticket_number == survivor.number
    # A stored Message-ID names the message, which moved with the conversation: no hop needed.
    hop = filename != "apple_mail.eml"
    assert (f"merged into ticket #{survivor.number}" in result.reason) is hop
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == before
    assert words in _last_message(survivor).body_text
    assert _last_message(old) is None


def test_the_merged_tickets_customer_may_still_use_its_number(mail_world, agent):
    """Jane's ticket merged into a colleague's: her `[#old]` mail still reaches the survivor."""
    colleague = factories.CustomerFactory(organization=mail_world.org)
    survivor = factories.make_ticket(mail_world.org, customer=colleague)
    merge(agent, mail_world.ticket, survivor)

    result = receive_email(mail_world.load("outlook_de_aw.eml"), source="test")

    assert (result.decision, result.ticket_number) == (D.REPLY_BY_SUBJECT_TOKEN, survivor.number)
    assert _last_message(survivor).author_customer_id == mail_world.customer.id


def test_a_stranger_quoting_a_merged_number_still_opens_a_new_ticket(mail_world, agent):
    survivor = factories.make_ticket(mail_world.org, customer=mail_world.customer)
    merge(agent, mail_world.ticket, survivor)

    result = receive_email(mail_world.load("stranger_token.eml"), source="test")

    assert result.decision is D.NEW_TICKET
    assert result.ticket_number not in (survivor.number, mail_world.ticket.number)
