"""receive_email in detail: stripped replies, decoded text, attachments, limits, loops, retries."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.attachments.models import Attachment
from supportdesk.db import utcnow
from supportdesk.errors import DomainError, NotFound
from supportdesk.extensions import db
from supportdesk.mail.identity import signing
from supportdesk.mail.inbound import service
from supportdesk.mail.inbound.models import Decision, InboundEmail, InboundStatus
from supportdesk.mail.inbound.service import MessageTooLarge, receive_email
from supportdesk.storage import storage
from supportdesk.tickets.models import Message, Status, Ticket
from tests import factories
from tests.fixtures.mail import SUPPORT, forwarded_copy, verification_email


def _message(result) -> Message:
    row = db.session.get(InboundEmail, result.inbound_id)
    return db.session.get(Message, row.message_id)


def _ticket(org, number) -> Ticket:
    return db.session.scalar(
        sa.select(Ticket).where(Ticket.organization_id == org.id, Ticket.number == number)
    )


def _mail(sender="Pat <pat@example.com>", to=SUPPORT, subject="Help", body="Hello", extra=""):
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{abs(hash(body + subject + extra))}@x.example>\r\n"
        f"{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        pytest.param("gmail_reply.eml", "Thanks, the new password works now.", id="gmail"),
        pytest.param(
            "outlook_reply.eml", "I still see the error on the invoices page.\n\nJane", id="outlook"
        ),
        pytest.param(
            "outlook_de_aw.eml",
            "Hallo,\n\ndas Problem besteht weiterhin.\n\nViele Grüße\nJane",
            id="de",
        ),
        pytest.param(
            "apple_mail.eml",
            "One more detail: it happens on my iPad too.\n\nSent from my iPad",
            id="apple",
        ),
        pytest.param("reply_address.eml", "Here is the order number: 4411.", id="reply-address"),
    ],
)
def test_replies_keep_only_the_new_text(mail_world, filename, expected):
    message = _message(receive_email(mail_world.load(filename), source="test"))
    assert message.body_text == expected


@pytest.mark.parametrize(
    ("filename", "subject", "fragment"),
    [
        pytest.param("outlook_de_wg.eml", "Rechnung 2026-117", "Anbei die Rechnung.", id="wg"),
        pytest.param("re_caps.eml", "Login fails", "error 500", id="re-caps"),
        pytest.param(
            "forwarded.eml", "Payment failed", "Your payment failed.", id="fwd-keeps-body"
        ),
        pytest.param(
            "quoted_printable.eml", "Prüfung der Preise", "Grüße aus Köln — the café", id="qp"
        ),
        pytest.param("base64_body.eml", "Dashboard empty", "スクリーンショット", id="base64"),
        pytest.param(
            "iso_8859_1.eml", "Problème de facture", "la facture du café est erronée", id="latin1"
        ),
        pytest.param(
            "windows_1252.eml",
            "Refund of €50",
            "charged €50 twice – please refund the “extra”",
            id="cp1252",
        ),
        pytest.param("unknown_charset.eml", "Charset", "Привет", id="unknown-charset"),
        pytest.param("html_script.eml", "HTML only", "Click here or help", id="html-text-version"),
        pytest.param(
            "crlf_subject.eml", "Hello Bcc: victim@example.com", "Nothing to see.", id="crlf"
        ),
    ],
)
def test_new_tickets_get_a_clean_subject_and_decoded_text(mail_world, filename, subject, fragment):
    result = receive_email(mail_world.load(filename), source="test")
    ticket = _ticket(mail_world.org, result.ticket_number)
    assert ticket.subject == subject
    assert fragment in _message(result).body_text


def test_html_is_sanitized_and_kept_beside_the_text(mail_world):
    html = _message(receive_email(mail_world.load("html_script.eml"), source="test")).body_html
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    assert 'href="https://example.com/help"' in html


def test_crlf_in_the_display_name_never_reaches_the_customer_name(mail_world):
    result = receive_email(mail_world.load("crlf_subject.eml"), source="test")
    customer = _ticket(mail_world.org, result.ticket_number).customer_id
    name = db.session.get(type(mail_world.customer), customer).name
    assert "\r" not in name and "\n" not in name


def test_attachments_are_stored_with_a_safe_name(mail_world):
    message = _message(receive_email(mail_world.load("attachment_pdf.eml"), source="test"))
    (attachment,) = db.session.scalars(
        sa.select(Attachment).where(Attachment.message_id == message.id)
    )
    assert attachment.filename == "invoice 2026.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.data is None  # the bytes are in the file storage, not the row
    data = storage().read(attachment.storage_key)
    assert data.startswith(b"%PDF-1.4") and attachment.size == len(data)


def test_inline_images_keep_their_content_id(mail_world):
    message = _message(receive_email(mail_world.load("inline_image.eml"), source="test"))
    (image,) = db.session.scalars(sa.select(Attachment).where(Attachment.message_id == message.id))
    assert (image.content_id, image.content_type) == ("shot1@adams.example", "image/png")
    assert 'src="cid:shot1@adams.example"' in message.body_html


@pytest.mark.parametrize(
    ("per_file", "per_message", "reason"),
    [
        pytest.param(100, 10_000, "limit per file", id="file-too-large"),
        pytest.param(10_000, 100, "attachments exceed", id="message-total-too-large"),
    ],
)
def test_oversized_attachments_are_listed_but_not_stored(
    app, mail_world, per_file, per_message, reason, monkeypatch
):
    monkeypatch.setitem(app.config, "INBOUND_MAX_ATTACHMENT_BYTES", per_file)
    monkeypatch.setitem(app.config, "INBOUND_MAX_ATTACHMENTS_BYTES", per_message)
    message = _message(receive_email(mail_world.load("attachment_pdf.eml"), source="test"))
    (attachment,) = db.session.scalars(
        sa.select(Attachment).where(Attachment.message_id == message.id)
    )
    assert attachment.storage_key is None and reason in attachment.skipped_reason
    assert not attachment.stored


def test_an_oversized_message_is_refused_and_not_stored(app, mail_world, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_MAX_MESSAGE_BYTES", 100)
    with pytest.raises(MessageTooLarge, match="limit of 100 bytes"):
        receive_email(mail_world.load("text_only.eml"), source="test")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundEmail)) == 0


@pytest.mark.parametrize(
    ("status", "after"),
    [
        pytest.param(Status.RESOLVED, Status.OPEN, id="resolved-reopens"),
        pytest.param(Status.PENDING, Status.OPEN, id="pending-back-to-open"),
        pytest.param(Status.IN_PROGRESS, Status.IN_PROGRESS, id="in-progress-stays"),
    ],
)
def test_customer_replies_move_the_ticket(mail_world, status, after):
    mail_world.ticket.status = status
    db.session.flush()
    receive_email(mail_world.load("reply_address.eml"), source="test")
    db.session.expire_all()
    assert db.session.get(Ticket, mail_world.ticket.id).status is after


def test_auto_replies_never_reopen_a_resolved_ticket(mail_world):
    mail_world.ticket.status = Status.RESOLVED
    db.session.flush()
    result = receive_email(mail_world.load("auto_submitted.eml"), source="test")
    db.session.expire_all()
    assert db.session.get(Ticket, mail_world.ticket.id).status is Status.RESOLVED
    assert db.session.get(InboundEmail, result.inbound_id).ticket_id == mail_world.ticket.id


def test_a_reply_to_a_closed_ticket_opens_a_new_one(mail_world):
    mail_world.ticket.status = Status.CLOSED
    db.session.flush()
    result = receive_email(mail_world.load("reply_address.eml"), source="test")
    assert result.decision is Decision.NEW_TICKET
    assert result.ticket_number != mail_world.ticket.number
    assert f"closed ticket #{mail_world.ticket.number}" in result.reason


def test_a_stranger_quoting_a_ticket_number_is_told_apart(mail_world):
    result = receive_email(mail_world.load("stranger_token.eml"), source="test")
    assert "the sender is not its customer" in result.reason


def test_another_organizations_reply_address_does_not_match(mail_world, other_org):
    foreign = factories.make_ticket(other_org)
    raw = _mail(
        sender="Jane <jane@example.com>", to=f"{SUPPORT}, {signing.reply_address(foreign.id)}"
    )
    result = receive_email(raw, source="test")
    assert result.decision is Decision.NEW_TICKET
    assert db.session.get(InboundEmail, result.inbound_id).organization_id == mail_world.org.id


def test_the_reply_address_alone_routes_to_its_ticket(mail_world):
    raw = _mail(sender="Jane <jane@example.com>", to=signing.reply_address(mail_world.ticket.id))
    result = receive_email(raw, source="test")
    assert (result.decision, result.ticket_number) == (
        Decision.REPLY_BY_ADDRESS,
        mail_world.ticket.number,
    )


def test_the_envelope_recipient_routes_before_the_headers(mail_world):
    raw = _mail(to="someone@elsewhere.example")
    result = receive_email(raw, envelope_recipients=[SUPPORT.upper()], source="test")
    assert result.decision is Decision.NEW_TICKET


def test_mail_from_our_own_domain_is_refused(app, mail_world):
    raw = _mail(sender=f"robot@acme.{app.config['MAIL_DOMAIN']}")
    result = receive_email(raw, source="test")
    assert (result.status, result.ticket_number) == (InboundStatus.REJECTED, None)


def test_a_soft_bounce_suppresses_nothing(mail_world):
    raw = mail_world.load("bounce_dsn.eml").replace(b"Status: 5.1.1", b"Status: 4.2.2")
    raw = raw.replace(b"Action: failed", b"Action: delayed")
    result = receive_email(raw, source="test")
    assert result.decision is Decision.BOUNCE and "delivery report" in result.reason.lower()
    db.session.expire_all()
    assert (
        db.session.get(type(mail_world.customer), mail_world.customer.id).email_suppressed_at
        is None
    )


def test_a_sender_the_rules_refuse_is_kept_unprocessed(mail_world):
    result = receive_email(_mail(sender="root <root@localhost>"), source="test")
    assert result.status is InboundStatus.UNPROCESSED and "refused" in result.reason
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Message)
            .where(Message.organization_id == mail_world.org.id)
        )
        == 1
    )


def test_the_same_message_to_two_organizations_is_not_a_duplicate(mail_world, other_org):
    from supportdesk.mail.identity.models import SupportAddress

    db.session.add(
        SupportAddress(
            organization_id=other_org.id, address="help@other.example", verified_at=utcnow()
        )
    )
    raw = mail_world.load("text_only.eml")
    first = receive_email(raw, envelope_recipients=[SUPPORT], source="test")
    second = receive_email(raw, envelope_recipients=["help@other.example"], source="test")
    assert first.decision is second.decision is Decision.NEW_TICKET


def test_an_empty_message_gets_a_placeholder_text(mail_world):
    result = receive_email(_mail(body=""), source="test")
    assert _message(result).body_text == service.NO_TEXT


def test_a_very_long_message_is_shortened(mail_world):
    result = receive_email(_mail(body="x" * 120_000), source="test")
    assert _message(result).body_text.endswith("view the original for the rest]")


def test_retry_routes_mail_once_the_address_is_verified(mail_world, admin):
    from supportdesk.mail.identity.support_addresses import add_address

    result = receive_email(mail_world.load("unknown_address.eml"), source="test")
    assert result.decision is Decision.UNROUTED
    add_address(admin, "sales@unknown.example")
    db.session.commit()  # the verification email is queued with the commit
    with pytest.raises(NotFound):  # an unverified address claims nothing
        service.retry_inbound(admin, result.inbound_id)
    email = verification_email("sales@unknown.example")
    back = receive_email(
        forwarded_copy(email, delivered_to="sales@unknown.example"),
        envelope_recipients=[SUPPORT],
        source="test",
    )
    assert back.decision is Decision.ADDRESS_VERIFICATION
    retried = service.retry_inbound(admin, result.inbound_id)
    assert (retried.decision, retried.status) == (Decision.NEW_TICKET, InboundStatus.PROCESSED)
    with pytest.raises(DomainError, match="Only unprocessed"):
        service.retry_inbound(admin, result.inbound_id)


def test_delete_removes_kept_mail(mail_world, admin):
    result = receive_email(
        mail_world.load("garbage.eml"), envelope_recipients=[SUPPORT], source="test"
    )
    assert db.session.get(InboundEmail, result.inbound_id).organization_id == mail_world.org.id
    service.delete_inbound(admin, result.inbound_id)
    assert db.session.get(InboundEmail, result.inbound_id) is None


def test_results_read_as_a_sentence_and_as_json(mail_world):
    result = receive_email(mail_world.load("reply_address.eml"), source="test")
    assert result.sentence().startswith(
        f"Matched by reply address (ticket #{mail_world.ticket.number}):"
    )
    assert result.as_json()["decision"] == "reply_by_address"


def test_a_reply_racing_an_agents_save_waits_for_it_and_lands(mail_world, admin):
    # An agent saved the ticket after we loaded it: the reply reads the row afresh, under its
    # lock, and is added to the ticket as it now is (no version check fails, nothing to retry).
    db.session.execute(
        sa.update(Ticket)
        .where(Ticket.id == mail_world.ticket.id)
        .values(version=Ticket.version + 1),
        execution_options={"synchronize_session": False},
    )
    result = receive_email(mail_world.load("reply_address.eml"), source="test")
    assert result.status is InboundStatus.PROCESSED
    assert result.decision is Decision.REPLY_BY_ADDRESS
