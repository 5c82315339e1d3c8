"""DMARC, as our receiving MTA reports it: a failure is flagged, never acknowledged and never
matched by subject token; an acknowledgement quotes the request only to a sender that passed."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from supportdesk.extensions import db
from supportdesk.mail.inbound.authresults import dmarc_result
from supportdesk.mail.inbound.models import Decision, InboundEmail
from supportdesk.mail.inbound.service import receive_email
from supportdesk.mail.outbound.models import EmailMessage
from tests.fixtures.mail import CUSTOMER, SUPPORT
from tests.fixtures.web import login_as

OURS = "mx.help.example"


def _headers(*values: str) -> bytes:
    lines = "".join(f"Authentication-Results: {v}\r\n" for v in values)
    return f"{lines}From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n".encode()


@pytest.mark.parametrize(
    ("values", "authserv_id", "expected"),
    [
        pytest.param([], None, "", id="no-header"),
        pytest.param([f"{OURS}; dmarc=pass header.from=b.example"], None, "pass", id="pass"),
        pytest.param([f"{OURS}; spf=pass; dmarc=fail (p=reject)"], None, "fail", id="fail"),
        pytest.param([f"{OURS}; DMARC = None"], None, "none", id="none-any-case"),
        pytest.param([f"{OURS} 1; dkim=pass"], None, "", id="no-dmarc-clause"),
        pytest.param(
            [f"{OURS}; dmarc=fail", f"{OURS}; dmarc=pass"], None, "fail", id="topmost-only"
        ),
        pytest.param(
            [f"{OURS}; dmarc=fail", "attacker.example; dmarc=pass"],
            OURS,
            "fail",
            id="forged-header-below-ignored",
        ),
        pytest.param(
            ["attacker.example; dmarc=pass", f"{OURS}; dmarc=fail"],
            OURS,
            "fail",
            id="forged-header-on-top-ignored",
        ),
        pytest.param(["attacker.example; dmarc=pass"], OURS, "", id="only-forged"),
        pytest.param(
            [f"{OURS}; dkim=pass (good (nested) comment; dmarc=pass) header.d=x"],
            None,
            "",
            id="dmarc-inside-a-comment",
        ),
    ],
)
def test_the_dmarc_verdict_of_our_mta(values, authserv_id, expected):
    message = message_from_bytes(_headers(*values), policy=policy.default)
    assert dmarc_result(message, authserv_id) == expected


def _mail(mail_world, *, dmarc: str | None, subject: str = "Printer on fire", sender=CUSTOMER):
    header = f"Authentication-Results: {OURS}; dmarc={dmarc}\r\n" if dmarc else ""
    return (
        f"{header}From: Jane Doe <{sender}>\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{dmarc}-{abs(hash(subject))}@example.com>\r\n\r\n"
        "Please send me your price list, cheap pills at spam.example!\r\n"
    ).encode()


def _acknowledgement(ticket_number: int) -> EmailMessage | None:
    return db.session.scalars(
        db.select(EmailMessage).where(
            EmailMessage.kind == "ticket_acknowledged",
            EmailMessage.subject.like(f"[#{ticket_number}]%"),
        )
    ).first()


def test_a_dmarc_failure_is_flagged_and_not_acknowledged(client, agent, admin, mail_world):
    result = receive_email(_mail(mail_world, dmarc="fail"), source="test")
    db.session.commit()
    assert result.decision is Decision.NEW_TICKET and "failed DMARC" in result.reason
    assert db.session.get(InboundEmail, result.inbound_id).dmarc_failed
    assert _acknowledgement(result.ticket_number) is None
    login_as(client, agent)
    page = client.get(f"/tickets/{result.ticket_number}").get_data(as_text=True)
    assert "DMARC failed" in page
    login_as(client, admin)
    assert "DMARC failed" in client.get("/admin/inbound").get_data(as_text=True)


def test_a_dmarc_failure_is_not_matched_by_subject_token(mail_world):
    subject = f"Re: [#{mail_world.ticket.number}] Cannot sign in"
    result = receive_email(_mail(mail_world, dmarc="fail", subject=subject), source="test")
    assert result.decision is Decision.NEW_TICKET
    assert result.ticket_number != mail_world.ticket.number
    assert "failed DMARC" in result.reason


def test_a_dmarc_pass_is_matched_by_subject_token(mail_world):
    subject = f"Re: [#{mail_world.ticket.number}] Cannot sign in"
    result = receive_email(_mail(mail_world, dmarc="pass", subject=subject), source="test")
    assert result.decision is Decision.REPLY_BY_SUBJECT_TOKEN


@pytest.mark.parametrize(
    ("dmarc", "quoted"),
    [
        pytest.param("pass", True, id="pass-quotes-the-request"),
        pytest.param(None, False, id="no-verdict-quotes-nothing"),
        pytest.param("none", False, id="no-policy-quotes-nothing"),
        pytest.param("temperror", False, id="temperror-quotes-nothing"),
    ],
)
def test_an_acknowledgement_quotes_only_a_verified_sender(mail_world, dmarc, quoted):
    result = receive_email(_mail(mail_world, dmarc=dmarc), source="test")
    db.session.commit()
    ack = _acknowledgement(result.ticket_number)
    assert ack is not None and ack.to_address == CUSTOMER
    assert ("cheap pills" in ack.text_body) is quoted
    assert ("cheap pills" in ack.html_body) is quoted
    assert ("Printer on fire" in ack.subject) is quoted
    assert (ack.to_name == "Jane Doe") is quoted
