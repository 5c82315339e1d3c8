"""Whether an address is ours: one table of cases, and both directions obey it.

Outbound never sends to an address of ours (a loop); inbound refuses mail from one. The two
used to disagree (outbound ignored subdomains and support addresses, inbound ignored MAIL_FROM).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from supportdesk.extensions import db
from supportdesk.mail.identity import ownership, signing
from supportdesk.mail.inbound.models import Decision, InboundStatus, SupportAddress
from supportdesk.mail.inbound.service import receive_email
from supportdesk.mail.outbound.models import Notification
from supportdesk.mail.outbound.service import queue_email
from supportdesk.outbox import OutboxState
from tests.fixtures.mail import SUPPORT

DOMAIN = "help.example.com"
SENDER = "desk@mail-from.example"
CASES = [
    pytest.param("jane@example.com", False, id="a-customer"),
    pytest.param("support@help.example.com", True, id="bare-mail-domain"),
    pytest.param("SUPPORT@Help.Example.Com", True, id="any-case"),
    pytest.param("support@acme.help.example.com", True, id="an-org-namespace"),
    pytest.param("x@a.b.help.example.com", True, id="deeper-subdomain"),
    pytest.param("someone@nothelp.example.com", False, id="lookalike-domain"),
    pytest.param(SENDER, True, id="mail-from-on-another-domain"),
    pytest.param(SUPPORT, True, id="verified-support-address"),
    pytest.param("orders@beta.example", False, id="unverified-support-address"),
    pytest.param("", False, id="empty"),
]


@pytest.fixture
def world(app, org, mail_world, mail_config):
    """MAIL_DOMAIN and MAIL_FROM set; SUPPORT verified; orders@beta.example only registered."""
    mail_config(MAIL_DOMAIN=DOMAIN, MAIL_FROM=SENDER)
    db.session.add(SupportAddress(organization_id=org.id, address="orders@beta.example"))
    db.session.flush()
    return mail_world


@pytest.mark.parametrize(("address", "ours"), CASES)
def test_the_rule(world, address, ours):
    assert ownership.is_ours(address) is ours


@pytest.mark.parametrize(("address", "ours"), [c for c in CASES if c.values[0]])
def test_outbound_never_mails_an_address_of_ours(world, address, ours):
    email = queue_email(
        Notification.AGENT_REPLIED,
        organization_id=world.org.id,
        ticket_id=world.ticket.id,
        to_address=address,
        to_name="",
        context=_context(world),
    )
    assert (email.state is OutboxState.FAILED) is ours
    assert ("one of our own addresses" in email.last_error) is ours


@pytest.mark.parametrize(("address", "ours"), [c for c in CASES if c.values[0]])
def test_inbound_refuses_mail_from_an_address_of_ours(world, address, ours):
    raw = (
        f"From: {address}\r\nTo: {SUPPORT}\r\nSubject: Hello\r\n"
        f"Message-ID: <{abs(hash(address))}@test>\r\n\r\nHello there.\r\n"
    ).encode()
    result = receive_email(raw, source="test")
    assert (result.status is InboundStatus.REJECTED) is ours
    assert (result.decision is Decision.AUTO_REPLY_IGNORED) is ours


def test_the_namespace_of_an_address():
    from supportdesk import create_app

    app = create_app({"DATABASE_URL": "sqlite://", "MAIL_DOMAIN": DOMAIN})
    with app.app_context():
        assert ownership.namespace_slug("a@acme.help.example.com") == "acme"
        assert ownership.namespace_slug("a@help.example.com") is None
        assert ownership.namespace_slug("a@x.acme.help.example.com") is None
        assert ownership.namespace_slug("a@acme.example.com") is None


def test_the_inbound_package_imports_no_outbound_code():
    package = Path(ownership.__file__).resolve().parent.parent / "inbound"
    imported = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert not [m for m in imported if m.startswith("supportdesk.mail.outbound")]


def _context(world) -> dict:
    return {
        "org_name": "Acme",
        "brand": {
            "sender_name": "Acme",
            "accent_color": "#000000",
            "logo_url": "",
            "footer_text": "",
        },
        "ticket": {"number": 1, "subject": "s", "status": "Open", "priority": "Low", "url": "u"},
        "customer": {"name": "Jane", "email": "jane@example.com"},
        "recipient_name": "Jane",
        "actor_name": "",
        "message": None,
        "quoted": [],
        "to_customer": True,
        "sender_verified": True,
    }


def test_a_reply_address_is_ours_and_names_its_ticket(world):
    address = signing.reply_address(world.ticket.id)
    assert ownership.is_ours(address)
    assert signing.ticket_from_reply_address(address) == world.ticket.id
