"""An agent's Markdown reply with Cc, sent through a real SMTP server: one message, the customer
in To, the copied address in Cc and among the envelope recipients, HTML and text parts."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.tickets import service as tickets

pytestmark = pytest.mark.integration

BODY = """Hello Dana,

the **export** is fixed:

1. open *Reports*
2. press `Export`

> Thanks for your patience.

Details: [status page](https://status.example.com)
<script>alert(1)</script>"""


def test_a_markdown_reply_with_cc_arrives_with_both_parts_and_the_cc(
    org, agent, customer, smtp, run_worker
):
    ticket = tickets.open_ticket(
        org.id, actor=None, subject="Export broken", body="It fails.", customer_email=customer.email
    )
    address = customer.email

    tickets.reply(agent, ticket, BODY, body_format="markdown", cc="lee@customer.example")
    db.session.commit()
    run_worker()

    # The acknowledgement of the new ticket went too; the reply is the one that says "Re:".
    [received] = [m for m in smtp.mailbox.messages if "Re:" in m["Subject"]]
    [recipients] = [rcpt for _, rcpt in smtp.mailbox.envelopes if len(rcpt) > 1]
    assert recipients == [address, "lee@customer.example"]
    assert received["To"].addresses[0].addr_spec == address
    assert [a.addr_spec for a in received["Cc"].addresses] == ["lee@customer.example"]
    html = received.get_body(("html",)).get_content()
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "<strong>export</strong>" in html and "<ol " in html and "<blockquote " in html
    assert 'href="https://status.example.com"' in html and 'rel="noopener nofollow"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "the export is fixed:" in text
    assert "1. open Reports\n2. press Export" in text
    assert "> Thanks for your patience." in text
    assert "status page (https://status.example.com)" in text
    assert "**" not in text


def test_a_plain_reply_keeps_its_text_as_written(org, agent, customer, smtp, run_worker):
    ticket = tickets.open_ticket(
        org.id, actor=None, subject="Export broken", body="It fails.", customer_email=customer.email
    )

    tickets.reply(agent, ticket, "Use **stars** literally.")
    db.session.commit()
    run_worker()

    [received] = [m for m in smtp.mailbox.messages if "Re:" in m["Subject"]]
    assert received["Cc"] is None
    assert "Use **stars** literally." in received.get_body(("plain",)).get_content()
    assert "<strong>" not in received.get_body(("html",)).get_content()
