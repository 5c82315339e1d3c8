"""The .eml corpus: every file is fed through receive_email and must end as the table says.

Effects: "new" opens a ticket, "reply" adds a message to Jane's ticket, "none" changes no ticket,
"kept" stores the mail as unprocessed, "suppressed" also stops mail to Jane (hard bounce),
"duplicate" is fed twice and the second copy is recognised.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from supportdesk.extensions import db
from supportdesk.mail.inbound.models import Decision, InboundEmail, InboundStatus
from supportdesk.mail.inbound.service import receive_email
from supportdesk.tickets.models import Message, Ticket
from tests.fixtures.mail import CORPUS

D = Decision

CASES = [
    pytest.param(
        "gmail_reply.eml", D.REPLY_BY_MESSAGE_ID, "reply", id="gmail-reply-quoted-on-wrote"
    ),
    pytest.param("outlook_reply.eml", D.REPLY_BY_ADDRESS, "reply", id="outlook-original-message"),
    pytest.param(
        "outlook_de_aw.eml", D.REPLY_BY_SUBJECT_TOKEN, "reply", id="german-outlook-AW-token"
    ),
    pytest.param("outlook_de_wg.eml", D.NEW_TICKET, "new", id="german-outlook-WG-forward"),
    pytest.param("re_caps.eml", D.NEW_TICKET, "new", id="RE-caps-new-sender"),
    pytest.param("apple_mail.eml", D.REPLY_BY_MESSAGE_ID, "reply", id="apple-mail-own-thread"),
    pytest.param("text_only.eml", D.NEW_TICKET, "new", id="text-only"),
    pytest.param("quoted_printable.eml", D.NEW_TICKET, "new", id="quoted-printable"),
    pytest.param("base64_body.eml", D.NEW_TICKET, "new", id="base64-body"),
    pytest.param("iso_8859_1.eml", D.NEW_TICKET, "new", id="iso-8859-1"),
    pytest.param("windows_1252.eml", D.NEW_TICKET, "new", id="windows-1252-euro"),
    pytest.param("unknown_charset.eml", D.NEW_TICKET, "new", id="unknown-charset"),
    pytest.param("attachment_pdf.eml", D.NEW_TICKET, "new", id="pdf-attachment"),
    pytest.param("inline_image.eml", D.NEW_TICKET, "new", id="inline-cid-image"),
    pytest.param("forwarded.eml", D.NEW_TICKET, "new", id="forwarded-fwd"),
    pytest.param("stranger_token.eml", D.NEW_TICKET, "new", id="stranger-quotes-ticket-number"),
    pytest.param("reply_address.eml", D.REPLY_BY_ADDRESS, "reply", id="signed-reply-address"),
    pytest.param(
        "references_only.eml", D.REPLY_BY_MESSAGE_ID, "reply", id="our-msgid-in-references"
    ),
    pytest.param("auto_submitted.eml", D.AUTO_REPLY_IGNORED, "none", id="auto-submitted"),
    pytest.param("out_of_office.eml", D.AUTO_REPLY_IGNORED, "none", id="x-autoreply-out-of-office"),
    pytest.param("precedence_bulk.eml", D.AUTO_REPLY_IGNORED, "none", id="precedence-bulk"),
    pytest.param("bounce_dsn.eml", D.BOUNCE, "suppressed", id="bounce-dsn-5.1.1"),
    pytest.param("unknown_address.eml", D.UNROUTED, "kept", id="unknown-address"),
    pytest.param("garbage.eml", D.UNPARSEABLE, "kept", id="garbage"),
    pytest.param("duplicate.eml", D.DUPLICATE, "duplicate", id="duplicate-delivery"),
    pytest.param("html_script.eml", D.NEW_TICKET, "new", id="html-only-with-script"),
    pytest.param("crlf_subject.eml", D.NEW_TICKET, "new", id="crlf-in-subject-and-name"),
]


def _counts(org_id: int, ticket_id: int) -> tuple[int, int]:
    tickets = db.session.scalar(
        sa.select(sa.func.count()).select_from(Ticket).where(Ticket.organization_id == org_id)
    )
    messages = db.session.scalar(
        sa.select(sa.func.count()).select_from(Message).where(Message.ticket_id == ticket_id)
    )
    return tickets, messages


def test_the_corpus_has_at_least_22_files_and_each_is_in_the_table():
    files = {p.name for p in CORPUS.glob("*.eml")}
    assert len(files) >= 22
    assert files == {case.values[0] for case in CASES}


@pytest.mark.parametrize(("filename", "decision", "effect"), CASES)
def test_corpus_message_ends_as_expected(mail_world, filename, decision, effect):
    w = mail_world
    raw = w.load(filename)
    tickets_before, messages_before = _counts(w.org.id, w.ticket.id)
    status_before = w.ticket.status

    if effect == "duplicate":
        first = receive_email(raw, source="test")
        assert first.decision is D.NEW_TICKET
    result = receive_email(raw, source="test")
    db.session.expire_all()

    assert result.decision is decision, result.reason
    assert result.reason
    tickets_after, messages_after = _counts(w.org.id, w.ticket.id)
    row = db.session.get(InboundEmail, result.inbound_id)
    if effect == "new":
        assert (tickets_after, messages_after) == (tickets_before + 1, messages_before)
        assert result.ticket_number not in (None, w.ticket.number)
        assert row.status is InboundStatus.PROCESSED and row.message_id is not None
    elif effect == "reply":
        assert (tickets_after, messages_after) == (tickets_before, messages_before + 1)
        assert result.ticket_number == w.ticket.number
        assert row.status is InboundStatus.PROCESSED
    elif effect == "duplicate":
        assert (tickets_after, messages_after) == (tickets_before + 1, messages_before)
        assert row.status is InboundStatus.DUPLICATE and row.raw == b""
    else:
        assert (tickets_after, messages_after) == (tickets_before, messages_before)
        assert row.message_id is None
        assert db.session.get(Ticket, w.ticket.id).status is status_before
        expected = InboundStatus.UNPROCESSED if effect == "kept" else InboundStatus.IGNORED
        assert row.status is expected
    suppressed = db.session.get(type(w.customer), w.customer.id).email_suppressed_at is not None
    assert suppressed is (effect == "suppressed")
    if effect == "kept":
        assert row.raw == raw
