"""Regenerate the .eml corpus: `python tests/inbound/corpus/generate.py` (the files are committed).

Built with the stdlib email package the way each client writes mail. Placeholders filled in by
the tests: {{SUPPORT}} our support address, {{REPLY_ADDRESS}} the ticket's signed reply
address, {{OUR_MSGID}} a Message-ID we sent, {{NUMBER}} the ticket number, {{CUSTOMER}} the
ticket's customer, {{CUSTOMER_MSGID}} the Message-ID of the customer's first mail.
"""

from __future__ import annotations

import base64
from email import policy
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

HERE = Path(__file__).parent
SMTP = policy.SMTP.clone(max_line_length=78)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    + bytes(range(256)) * 8
    + b"\n%%EOF\n"
)


def received(host: str) -> str:
    return f"from {host} (mail.{host} [203.0.113.7]) by mx.example.net with ESMTPS id 4b2; Tue, 24 Nov 2026 09:12:01 +0000"


def common(msg, *, sender, to, subject, msgid, date="Tue, 24 Nov 2026 09:12:00 +0000", mailer=None):
    domain = sender.rsplit("@", 1)[-1].rstrip(">") if "@" in sender else "mail.example.com"
    msg["Received"] = received(domain)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = msgid
    if mailer:
        msg["X-Mailer"] = mailer
    return msg


def save(name: str, msg) -> None:
    if not isinstance(msg, bytes):
        # MTAs prepend Received: lines; keep them on top as in delivered mail.
        msg._headers.sort(key=lambda header: header[0].lower() != "received")
    data = msg.as_bytes(policy=SMTP) if not isinstance(msg, bytes) else msg
    (HERE / name).write_bytes(data)


def text(body: str, charset: str = "utf-8", cte: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg.set_content(body, charset=charset, cte=cte)
    return msg


def alternative(plain: str, html: str) -> EmailMessage:
    msg = EmailMessage()
    msg.set_content(plain)
    msg.add_alternative(html, subtype="html")
    return msg


def main() -> None:
    # 1. Gmail reply threading on our Message-ID, quoted history under "On … wrote:".
    msg = alternative(
        "Thanks, the new password works now.\n\nOn Mon, 23 Nov 2026 at 17:02, Acme Support <{{SUPPORT}}>\nwrote:\n> Hello Jane,\n> please try resetting your password.\n",
        '<div dir="ltr">Thanks, the new password works now.</div><br><div class="gmail_quote">On Mon, 23 Nov 2026 at 17:02, Acme Support wrote:<blockquote>Hello Jane</blockquote></div>',
    )
    common(
        msg,
        sender="Jane Doe <{{CUSTOMER}}>",
        to="Acme Support <{{SUPPORT}}>",
        subject="Re: [#{{NUMBER}}] Cannot sign in",
        msgid="<CAGmail-reply-1@mail.gmail.com>",
    )
    msg["In-Reply-To"] = "{{OUR_MSGID}}"
    msg["References"] = "{{OUR_MSGID}}"
    save("gmail_reply.eml", msg)

    # 2. Outlook reply to the signed reply address, "-----Original Message-----".
    msg = text(
        "I still see the error on the invoices page.\r\n\r\nJane\r\n\r\n-----Original Message-----\r\nFrom: Acme Support <{{SUPPORT}}>\r\nSent: Monday, November 23, 2026 5:02 PM\r\nTo: Jane Doe\r\nSubject: [#{{NUMBER}}] Cannot sign in\r\n\r\nHello Jane,\r\n",
        cte="quoted-printable",
    )
    common(
        msg,
        sender='"Doe, Jane" <{{CUSTOMER}}>',
        to="{{REPLY_ADDRESS}}",
        subject="RE: [#{{NUMBER}}] Cannot sign in",
        msgid="<DB7PR04MB4123.eurprd04.prod.outlook.com>",
        mailer="Microsoft Outlook 16.0",
    )
    msg["Thread-Topic"] = "Cannot sign in"
    save("outlook_reply.eml", msg)

    # 3. German Outlook "AW:" with only the ticket token to go by (sender is the customer).
    msg = text(
        "Hallo,\n\ndas Problem besteht weiterhin.\n\nViele Grüße\nJane\n\nVon: Acme Support <{{SUPPORT}}>\nGesendet: Montag, 23. November 2026 17:02\nAn: Jane Doe\nBetreff: [#{{NUMBER}}] Cannot sign in\n",
        cte="quoted-printable",
    )
    common(
        msg,
        sender="Jane Doe <{{CUSTOMER}}>",
        to="{{SUPPORT}}",
        subject="AW: [#{{NUMBER}}] Cannot sign in",
        msgid="<AM0PR10MB1234.de-outlook@outlook.com>",
        mailer="Microsoft Outlook 16.0",
    )
    msg["Content-Language"] = "de-DE"
    save("outlook_de_aw.eml", msg)

    # 4. German "WG:" forward from a new person: a new ticket, prefix stripped.
    msg = text(
        "Bitte um Prüfung.\n\nVon: Buchhaltung <buchhaltung@lieferant.example>\nGesendet: Freitag, 20. November 2026 08:00\nBetreff: Rechnung 2026-117\n\nAnbei die Rechnung.\n",
        cte="quoted-printable",
    )
    common(
        msg,
        sender="Klaus Berger <k.berger@firma.example>",
        to="{{SUPPORT}}",
        subject="WG: Rechnung 2026-117",
        msgid="<AM9PR-wg-1@firma.example>",
        mailer="Microsoft Outlook 16.0",
    )
    save("outlook_de_wg.eml", msg)

    # 5. Caps "RE: RE:" from someone who never wrote before.
    msg = text("Login fails with error 500 since this morning.\n")
    common(
        msg,
        sender="Bob Stone <bob@stone.example>",
        to="{{SUPPORT}}",
        subject="RE: RE: Login fails",
        msgid="<re-caps-1@stone.example>",
    )
    save("re_caps.eml", msg)

    # 6. Apple Mail, answering the thread of the customer's own first mail.
    msg = alternative(
        "One more detail: it happens on my iPad too.\n\nSent from my iPad\n\n> On 24 Nov 2026, at 08:00, Jane Doe <{{CUSTOMER}}> wrote:\n>\n> I cannot sign in.\n",
        "<html><body><div>One more detail: it happens on my iPad too.</div></body></html>",
    )
    common(
        msg,
        sender="Jane Doe <{{CUSTOMER}}>",
        to="{{SUPPORT}}",
        subject="Re: Cannot sign in",
        msgid="<5A1B2C3D-APPLE@icloud.com>",
        mailer="Apple Mail (2.3774.200.91)",
    )
    msg["In-Reply-To"] = "{{CUSTOMER_MSGID}}"
    msg["References"] = "{{CUSTOMER_MSGID}}"
    save("apple_mail.eml", msg)

    # 7. Plain text only.
    msg = text("Hello, how do I export my data as CSV?\n\nThanks,\nCarla\n")
    common(
        msg,
        sender="Carla Mendes <carla@mendes.example>",
        to="Acme Support <{{SUPPORT}}>",
        subject="Export to CSV",
        msgid="<text-only-1@mendes.example>",
    )
    save("text_only.eml", msg)

    # 8. Quoted-printable UTF-8.
    msg = text(
        "Grüße aus Köln — the café menu shows “prices” wrongly: 12 € instead of 12,00 €.\n",
        cte="quoted-printable",
    )
    common(
        msg,
        sender="=?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <juergen@koeln.example>",
        to="{{SUPPORT}}",
        subject="=?utf-8?q?Pr=C3=BCfung_der_Preise?=",
        msgid="<qp-1@koeln.example>",
    )
    save("quoted_printable.eml", msg)

    # 9. Base64 body.
    msg = text(
        "Our dashboard is empty after the update.\nスクリーンショットを添付します。\n", cte="base64"
    )
    common(
        msg,
        sender="Kenji Sato <kenji@sato.example>",
        to="{{SUPPORT}}",
        subject="=?utf-8?b?RGFzaGJvYXJkIGVtcHR5?=",
        msgid="<b64-1@sato.example>",
    )
    save("base64_body.eml", msg)

    # 10. ISO-8859-1, 8bit.
    raw = (
        "Received: "
        + received("paris.example")
        + "\r\nFrom: =?iso-8859-1?q?Ren=E9e_Dupr=E9?= <renee@paris.example>\r\nTo: {{SUPPORT}}\r\n"
        "Subject: =?iso-8859-1?q?Probl=E8me_de_facture?=\r\nDate: Tue, 24 Nov 2026 09:12:00 +0100\r\nMessage-ID: <latin1-1@paris.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Bonjour, la facture du café est erronée. Merci d'avance, Renée\r\n"
    ).encode("latin-1")
    save("iso_8859_1.eml", raw)

    # 11. windows-1252 with the euro sign and curly quotes, quoted-printable.
    raw = (
        "Received: "
        + received("shop.example")
        + "\r\nFrom: Sean O'Brien <sean@shop.example>\r\nTo: {{SUPPORT}}\r\n"
        "Subject: Refund of =?windows-1252?q?=8050?=\r\nDate: Tue, 24 Nov 2026 09:12:00 +0000\r\nMessage-ID: <cp1252-1@shop.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        "I was charged =8050 twice =96 please refund the =93extra=94 payment.\r\n"
    ).encode("ascii")
    save("windows_1252.eml", raw)

    # 12. PDF attachment.
    msg = MIMEMultipart("mixed")
    common(
        msg,
        sender="Dana White <dana@white.example>",
        to="{{SUPPORT}}",
        subject="Invoice attached",
        msgid="<pdf-1@white.example>",
        mailer="Mozilla Thunderbird",
    )
    msg.attach(MIMEText("Please find the invoice attached.\n", "plain", "utf-8"))
    pdf = MIMEApplication(PDF, "pdf")
    pdf.add_header("Content-Disposition", "attachment", filename="../../etc/invoice 2026.pdf")
    msg.attach(pdf)
    save("attachment_pdf.eml", msg)

    # 13. Inline image referenced by cid.
    msg = MIMEMultipart("related")
    common(
        msg,
        sender="Eve Adams <eve@adams.example>",
        to="{{SUPPORT}}",
        subject="Screenshot of the error",
        msgid="<cid-1@adams.example>",
    )
    msg.attach(
        MIMEText(
            '<p>See the screenshot:</p><img src="cid:shot1@adams.example" alt="error">',
            "html",
            "utf-8",
        )
    )
    image = MIMEImage(PNG, "png")
    image.add_header("Content-ID", "<shot1@adams.example>")
    image.add_header("Content-Disposition", "inline", filename="screenshot.png")
    msg.attach(image)
    save("inline_image.eml", msg)

    # 14. A forwarded message (inline forward): a new ticket that keeps the forwarded text.
    msg = text(
        "FYI, a customer of ours got this.\n\n---------- Forwarded message ---------\nFrom: Noreply Billing <billing@vendor.example>\nDate: Mon, 23 Nov 2026\nSubject: Payment failed\n\nYour payment failed.\n"
    )
    common(
        msg,
        sender="Frank Li <frank@li.example>",
        to="{{SUPPORT}}",
        subject="Fwd: Payment failed",
        msgid="<fwd-1@li.example>",
    )
    save("forwarded.eml", msg)

    # 15. A stranger quoting someone else's ticket number: never their ticket.
    msg = text("I have the same problem as ticket [#{{NUMBER}}].\n")
    common(
        msg,
        sender="Mallory <mallory@attacker.example>",
        to="{{SUPPORT}}",
        subject="Re: [#{{NUMBER}}] Cannot sign in",
        msgid="<stranger-1@attacker.example>",
    )
    save("stranger_token.eml", msg)

    # 16. Reply to the signed reply address (Gmail).
    msg = text(
        "Here is the order number: 4411.\n\nOn Mon, 23 Nov 2026 at 17:02, Acme Support <{{REPLY_ADDRESS}}> wrote:\n> Which order?\n"
    )
    common(
        msg,
        sender="Jane Doe <{{CUSTOMER}}>",
        to="Acme Support <{{REPLY_ADDRESS}}>",
        subject="Re: Cannot sign in",
        msgid="<CAGmail-reply-2@mail.gmail.com>",
    )
    save("reply_address.eml", msg)

    # 17. Only our Message-ID in References (no In-Reply-To), e.g. Thunderbird after an edit.
    msg = text("Following up on this.\n")
    common(
        msg,
        sender="Jane Doe <{{CUSTOMER}}>",
        to="{{SUPPORT}}",
        subject="Following up",
        msgid="<refs-only-1@example.com>",
        mailer="Mozilla Thunderbird",
    )
    msg["References"] = "<unrelated-1@example.com> {{OUR_MSGID}}"
    save("references_only.eml", msg)

    # 18. RFC 3834 auto-reply on the ticket's thread.
    msg = text("I am away until Monday and will read your message then.\n")
    common(
        msg,
        sender="Jane Doe <{{CUSTOMER}}>",
        to="{{REPLY_ADDRESS}}",
        subject="Automatic reply: [#{{NUMBER}}] Cannot sign in",
        msgid="<auto-1@example.com>",
    )
    msg["Auto-Submitted"] = "auto-replied"
    msg["In-Reply-To"] = "{{OUR_MSGID}}"
    save("auto_submitted.eml", msg)

    # 19. Out-of-office with X-Autoreply only.
    msg = text("Out of office until 1 December.\n")
    common(
        msg,
        sender="Jane Doe <{{CUSTOMER}}>",
        to="{{SUPPORT}}",
        subject="Out of office",
        msgid="<ooo-1@example.com>",
    )
    msg["X-Autoreply"] = "yes"
    save("out_of_office.eml", msg)

    # 20. A bounce: multipart/report delivery-status, 5.1.1 for the customer's address (Postfix).
    raw = (
        "Received: " + received("mx.example.net") + "\r\n"
        "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
        "To: bounces@{{MAIL_DOMAIN}}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Date: Tue, 24 Nov 2026 09:12:05 +0000\r\nMessage-ID: <bounce-1@mx.example.net>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B0UNCE"\r\n\r\n'
        "This is a MIME-encapsulated message.\r\n\r\n--B0UNCE\r\n"
        "Content-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.net.\r\n\r\nI'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n\r\n<{{CUSTOMER}}>: host mx.example.com said: 550 5.1.1 User unknown\r\n\r\n"
        "--B0UNCE\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\nArrival-Date: Tue, 24 Nov 2026 09:12:01 +0000\r\n\r\n"
        "Final-Recipient: rfc822; {{CUSTOMER}}\r\nOriginal-Recipient: rfc822;{{CUSTOMER}}\r\nAction: failed\r\n"
        "Status: 5.1.1\r\nRemote-MTA: dns; mx.example.com\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--B0UNCE\r\nContent-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: Acme Support <{{SUPPORT}}>\r\nTo: {{CUSTOMER}}\r\nSubject: [#{{NUMBER}}] Cannot sign in\r\n"
        "Message-ID: {{OUR_MSGID}}\r\nAuto-Submitted: auto-generated\r\n\r\n--B0UNCE--\r\n"
    ).encode("ascii")
    save("bounce_dsn.eml", raw)

    # 21. Sent to an address no organization owns.
    msg = text("Hello? Is this the sales team?\n")
    common(
        msg,
        sender="Greta <greta@example.org>",
        to="sales@unknown.example",
        subject="Pricing",
        msgid="<unrouted-1@example.org>",
    )
    save("unknown_address.eml", msg)

    # 22. Garbage: not a mail message at all.
    save("garbage.eml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(256)))

    # 23. Delivered twice (the test feeds it twice).
    msg = text("Please call me back about my contract.\n")
    common(
        msg,
        sender="Hana Kim <hana@kim.example>",
        to="{{SUPPORT}}",
        subject="Call back",
        msgid="<dup-1@kim.example>",
    )
    save("duplicate.eml", msg)

    # 24. HTML only, with a script, an event handler and a javascript: link.
    msg = EmailMessage()
    msg.set_content(
        '<html><head><script>alert("x")</script><style>p{color:red}</style></head><body><p onclick="steal()">Click <a href="javascript:alert(1)">here</a> or <a href="https://example.com/help">help</a></p><p>Second paragraph</p></body></html>',
        subtype="html",
    )
    common(
        msg,
        sender="Ivan Petrov <ivan@petrov.example>",
        to="{{SUPPORT}}",
        subject="HTML only",
        msgid="<html-1@petrov.example>",
    )
    save("html_script.eml", msg)

    # 25. CR/LF smuggled into the subject and the display name through encoded words.
    raw = (
        "Received: " + received("crlf.example") + "\r\n"
        "From: =?utf-8?q?Eve=0D=0ABcc=3A_all=40example=2Ecom?= <eve@crlf.example>\r\n"
        "To: {{SUPPORT}}\r\nSubject: =?utf-8?q?Hello=0D=0ABcc=3A_victim=40example=2Ecom?=\r\n"
        "Date: Tue, 24 Nov 2026 09:12:00 +0000\r\nMessage-ID: <crlf-1@crlf.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nNothing to see.\r\n"
    ).encode("ascii")
    save("crlf_subject.eml", raw)

    # 26. A newsletter (Precedence: bulk) to the support address.
    msg = text("This week's news from Vendor.\n")
    common(
        msg,
        sender="Vendor News <news@vendor.example>",
        to="{{SUPPORT}}",
        subject="Weekly news",
        msgid="<bulk-1@vendor.example>",
    )
    msg["Precedence"] = "bulk"
    msg["List-Unsubscribe"] = "<https://vendor.example/unsubscribe>"
    save("precedence_bulk.eml", msg)

    # 27. An unknown charset label: decoded with the UTF-8 fallback.
    raw = (
        "From: Olga <olga@example.net>\r\nTo: {{SUPPORT}}\r\nSubject: Charset\r\nDate: Tue, 24 Nov 2026 09:12:00 +0000\r\nMessage-ID: <charset-1@example.net>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-made-up-charset\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Привет, my invoice is wrong.\r\n"
    ).encode()
    save("unknown_charset.eml", raw)


if __name__ == "__main__":
    main()
