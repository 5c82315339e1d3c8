"""Delivery reports act only on mail we sent: a forged one suppresses nobody and is logged.

A report suppresses an address only when its returned headers carry the Message-ID of an email
we sent to that very address; it is routed by that Message-ID (real bounces go to our envelope
sender, which no organization owns).
"""

from __future__ import annotations

import logging

import pytest

from supportdesk.extensions import db
from supportdesk.mail.inbound.models import Decision, InboundEmail, InboundStatus
from supportdesk.mail.inbound.service import receive_email
from supportdesk.outbox import OutboxState
from tests.factories import CustomerFactory
from tests.fixtures.mail import CUSTOMER, SUPPORT
from tests.mail.helpers import make_email


def _report(mail_world, *, to: str, failed: str, msgid: str) -> bytes:
    raw = mail_world.load("bounce_dsn.eml")
    raw = raw.replace(f"To: bounces@{mail_world.mail_domain}".encode(), f"To: {to}".encode())
    raw = raw.replace(f"rfc822; {CUSTOMER}".encode(), f"rfc822; {failed}".encode())
    raw = raw.replace(f"rfc822;{CUSTOMER}".encode(), f"rfc822;{failed}".encode())
    return raw.replace(mail_world.our_msgid.encode(), msgid.encode())


def _suppressed(customer) -> bool:
    db.session.expire_all()
    return db.session.get(type(customer), customer.id).email_suppressed_at is not None


@pytest.mark.parametrize(
    ("to", "msgid", "suppressed"),
    [
        pytest.param("bounces@{domain}", "{ours}", True, id="real-bounce-to-envelope-sender"),
        pytest.param(SUPPORT, "{ours}", True, id="real-bounce-to-a-support-address"),
        pytest.param(SUPPORT, "<forged-1@attacker.example>", False, id="forged-no-msgid"),
        pytest.param(SUPPORT, "<sd.mail.0123456789abcdef@{domain}>", False, id="guessed-msgid"),
        pytest.param("bounces@{domain}", "<x@attacker.example>", False, id="forged-unrouted"),
    ],
)
def test_a_report_suppresses_only_an_address_we_mailed(mail_world, caplog, to, msgid, suppressed):
    values = {"domain": mail_world.mail_domain, "ours": mail_world.our_msgid}
    raw = _report(mail_world, to=to.format(**values), failed=CUSTOMER, msgid=msgid.format(**values))
    with caplog.at_level(logging.WARNING, logger="supportdesk.mail.inbound.automatic"):
        result = receive_email(raw, source="test")
    assert (result.status, result.decision) == (InboundStatus.IGNORED, Decision.BOUNCE)
    assert _suppressed(mail_world.customer) is suppressed
    assert ("suspicious" in result.reason) is not suppressed
    assert any("Suspicious delivery report" in r.message for r in caplog.records) is not (
        suppressed
    )
    if suppressed:  # routed to the organization that sent the email, by its Message-ID
        assert db.session.get(InboundEmail, result.inbound_id).organization_id == mail_world.org.id


def test_a_report_naming_another_address_than_the_one_we_mailed_suppresses_nobody(mail_world):
    other = "someone-else@example.com"
    raw = _report(mail_world, to=SUPPORT, failed=other, msgid=mail_world.our_msgid)
    result = receive_email(raw, source="test")
    assert "suspicious" in result.reason and other in result.reason
    assert not _suppressed(mail_world.customer)


def test_a_report_is_routed_to_the_organization_whose_email_bounced(mail_world, other_org):
    CustomerFactory(organization=other_org, email="paul@example.com")
    theirs = make_email(other_org, to_address="paul@example.com", state=OutboxState.SENT)
    raw = _report(
        mail_world,
        to=f"bounces@{mail_world.mail_domain}",
        failed="paul@example.com",
        msgid=theirs.message_id_header,
    )
    result = receive_email(raw, source="test")
    assert db.session.get(InboundEmail, result.inbound_id).organization_id == other_org.id
    assert "now suppressed" in result.reason


def test_a_bounced_verification_email_withdraws_its_code(mail_world, admin):
    from supportdesk.mail.identity.support_addresses import add_address
    from supportdesk.mail.inbound.models import SupportAddress
    from tests.fixtures.mail import verification_email

    add_address(admin, "orders@beta.example")
    db.session.commit()
    email = verification_email("orders@beta.example")
    raw = _report(
        mail_world,
        to=f"bounces@{mail_world.mail_domain}",
        failed="orders@beta.example",
        msgid=email.message_id_header,
    )
    receive_email(raw, source="test")
    row = db.session.scalar(
        db.select(SupportAddress).where(SupportAddress.address == "orders@beta.example")
    )
    assert row.verification_hash is None and "bounced" in row.verification_note
