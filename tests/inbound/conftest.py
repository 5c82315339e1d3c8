"""A small mail world: an organization with a support address, a customer and their ticket."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from supportdesk.extensions import db
from supportdesk.mailin.models import SupportAddress
from supportdesk.notifications import addresses
from supportdesk.tickets.models import Ticket
from tests import factories

CORPUS = Path(__file__).parent / "corpus"
SUPPORT = "help@acme.example"
CUSTOMER = "jane@example.com"
CUSTOMER_MSGID = "<CAJane-first-mail@mail.gmail.com>"


@dataclass
class MailWorld:
    """The rows the corpus placeholders point at."""

    org: object
    customer: object
    ticket: Ticket
    our_msgid: str
    mail_domain: str

    def load(self, name: str) -> bytes:
        """A corpus file with its placeholders filled in for this world."""
        raw = (CORPUS / name).read_bytes()
        values = {
            "SUPPORT": SUPPORT,
            "CUSTOMER": CUSTOMER,
            "CUSTOMER_MSGID": CUSTOMER_MSGID,
            "NUMBER": str(self.ticket.number),
            "REPLY_ADDRESS": addresses.reply_address(self.ticket.id),
            "OUR_MSGID": self.our_msgid,
            "MAIL_DOMAIN": self.mail_domain,
        }
        for key, value in values.items():
            raw = raw.replace(b"{{" + key.encode() + b"}}", value.encode())
        return raw


@pytest.fixture
def mail_world(app, org):
    """`org` owns help@acme.example; Jane has ticket #n, first mailed with CUSTOMER_MSGID."""
    db.session.add(SupportAddress(organization_id=org.id, address=SUPPORT, is_default=True))
    customer = factories.CustomerFactory(organization=org, email=CUSTOMER, name="Jane Doe")
    ticket = factories.make_ticket(org, customer=customer, subject="Cannot sign in")
    ticket.messages[0].email_message_id = CUSTOMER_MSGID
    db.session.flush()
    return MailWorld(
        org, customer, ticket, addresses.new_message_id(ticket.id), app.config["MAIL_DOMAIN"]
    )
