"""Pure helpers of inbound mail: quote stripping, subjects, loop detection, decoding."""

from __future__ import annotations

import pytest

from supportdesk.mail.inbound import loops, parse
from supportdesk.mail.inbound.quotes import strip_quoted
from supportdesk.mail.inbound.subjects import clean_subject


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Yes.\n\nOn Mon, 2 Mar 2026, Ann <a@x> wrote:\n> q", "Yes.", id="gmail"),
        pytest.param(
            "Yes.\nOn Mon, 2 Mar 2026 at 10:00, Ann Example\n<a@x> wrote:\n> q",
            "Yes.",
            id="gmail-wrapped",
        ),
        pytest.param("Ja.\n\nAm 02.03.2026 um 10:00 schrieb Ann <a@x>:\n> q", "Ja.", id="german"),
        pytest.param("Oui.\n\nLe 2 mars 2026, Ann a écrit :\n> q", "Oui.", id="french"),
        pytest.param("Ok.\n-----Original Message-----\nFrom: x", "Ok.", id="outlook"),
        pytest.param(
            "Ok.\n________________________________\nFrom: x\nSent: y", "Ok.", id="outlook-web"
        ),
        pytest.param(
            "Ok.\n\nFrom: Ann <a@x>\nSent: Monday\nTo: b", "Ok.", id="outlook-header-block"
        ),
        pytest.param("Ok.\n\n-- \nJane Doe\nCEO", "Ok.", id="signature"),
        pytest.param("Top.\n> quoted\n> more\nBottom.", "Top.\nBottom.", id="inline-quotes"),
        pytest.param(
            "> all quoted\n> nothing new", "> all quoted\n> nothing new", id="only-quotes-kept"
        ),
        pytest.param("Plain text,\r\nno quotes.", "Plain text,\nno quotes.", id="no-quotes"),
    ],
)
def test_strip_quoted_keeps_the_new_text(text, expected):
    assert strip_quoted(text) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        pytest.param("Re: RE: AW: WG: Fwd: FW: SV: Printer", "Printer", id="prefix-stack"),
        pytest.param("Re[2]: Printer", "Printer", id="counted-re"),
        pytest.param("Antw: Printer", "Printer", id="dutch"),
        pytest.param("Reply needed", "Reply needed", id="word-not-prefix"),
        pytest.param("   ", "(no subject)", id="empty"),
        pytest.param("Hi\r\nBcc: x@y", "Hi Bcc: x@y", id="crlf"),
        pytest.param("x" * 400, "x" * 300, id="too-long"),
    ],
)
def test_clean_subject(subject, expected):
    assert clean_subject(subject) == expected


def _msg(headers: str, body: str = "hi") -> parse.EmailMessage:
    return parse.parse_message(f"{headers}\r\n\r\n{body}".encode())


@pytest.mark.parametrize(
    ("headers", "sender", "automatic"),
    [
        pytest.param("Auto-Submitted: auto-generated", "a@x.example", True, id="auto-generated"),
        pytest.param("Auto-Submitted: no", "a@x.example", False, id="auto-submitted-no"),
        pytest.param("X-Autorespond: yes", "a@x.example", True, id="x-autorespond"),
        pytest.param("X-Loop: helpdesk", "a@x.example", True, id="x-loop"),
        pytest.param("Precedence: junk", "a@x.example", True, id="precedence-junk"),
        pytest.param("Precedence: list", "a@x.example", True, id="precedence-list"),
        pytest.param("Subject: hi", "noreply@shop.example", True, id="noreply"),
        pytest.param("Subject: hi", "no-reply@shop.example", True, id="no-reply"),
        pytest.param("Subject: hi", "postmaster@shop.example", True, id="postmaster"),
        pytest.param("Subject: hi", "ann@shop.example", False, id="a-person"),
    ],
)
def test_automatic_mail_is_recognised(headers, sender, automatic):
    message = _msg(f"From: {sender}\r\n{headers}")
    assert (loops.auto_reply_reason(message, sender) is not None) is automatic


def test_a_mailer_daemon_without_a_report_is_a_bounce_without_addresses():
    message = _msg("From: MAILER-DAEMON@mx.example\r\nSubject: failure")
    bounce = loops.bounce_info(message, "mailer-daemon@mx.example")
    assert bounce is not None and bounce.failed == [] and not bounce.hard


def test_ordinary_mail_is_not_a_bounce():
    assert loops.bounce_info(_msg("From: a@x.example"), "a@x.example") is None


@pytest.mark.parametrize(
    ("payload", "charset", "expected"),
    [
        pytest.param("café".encode("latin-1"), "iso-8859-1", "café", id="latin1"),
        pytest.param(b"\x80", "ISO-8859-1", "€", id="latin1-label-hiding-cp1252"),
        pytest.param("naïve".encode(), "us-ascii", "naïve", id="ascii-label-utf8-bytes"),
        pytest.param("naïve".encode(), None, "naïve", id="no-charset"),
        pytest.param(b"ok", "x-unknown", "ok", id="unknown"),
        pytest.param(b"caf\xe9", "utf-8", "café", id="bad-utf8-falls-back"),
    ],
)
def test_decode_bytes_falls_back_sensibly(payload, charset, expected):
    assert parse.decode_bytes(payload, charset) == expected


def test_no_headers_is_unparseable():
    with pytest.raises(parse.Unparseable):
        parse.read(b"")


def test_a_message_without_a_sender_is_unparseable():
    with pytest.raises(parse.Unparseable, match="No sender"):
        parse.read(b"Subject: hi\r\nTo: a@x.example\r\n\r\nbody")


def test_a_forwarded_message_attachment_stays_one_file():
    inner = b"From: a@x.example\r\nSubject: inner\r\n\r\ninner body"
    raw = (
        b"From: b@y.example\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n'
        b"see attached\r\n--B\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--B--\r\n"
    )
    parsed = parse.read(raw)
    assert parsed.text.strip() == "see attached"
    (part,) = parsed.parts
    assert part.content_type == "message/rfc822" and b"inner body" in part.data
    assert part.filename.endswith(".eml")


def test_html_to_text_breaks_blocks_into_lines():
    assert parse.html_to_text("<p>One</p><p>Two<br>Three</p>") == "One\n\nTwo\nThree"
