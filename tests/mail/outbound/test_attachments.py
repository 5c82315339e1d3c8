"""An agent's reply with files and a pasted image, sent over a real SMTP server (aiosmtpd) and
parsed as the customer's mail client would: multipart/mixed with the files, multipart/related
holding the HTML and the image its cid: names."""

from __future__ import annotations

import pytest

from supportdesk.attachments.service import Upload
from supportdesk.extensions import db
from supportdesk.tickets import service
from tests.attachments.images import PDF, PNG
from tests.factories import CustomerFactory, make_ticket

pytestmark = pytest.mark.integration


@pytest.fixture
def desk(app, org, agent):
    customer = CustomerFactory(organization=org, email="ana@example.com", name="Ana")
    ticket = make_ticket(org, customer=customer, subject="Export times out")
    db.session.commit()
    return ticket


def _sent_to_customer(smtp):
    """The replies the customer received (not the acknowledgement of the new ticket)."""
    return [
        m
        for m in smtp.mailbox.messages
        if m["To"].addresses[0].addr_spec == "ana@example.com" and m["Subject"].startswith("Re:")
    ]


def test_a_reply_goes_out_with_its_files_and_its_pasted_image(desk, agent, smtp, run_worker):
    service.reply(
        agent, desk, "The fixed export and a screenshot.",
        [
            Upload("export fixed.pdf", "application/pdf", PDF),
            Upload("pasted-image-1.png", "image/png", PNG, inline=True),
            Upload("résumé.txt", "text/plain", "ça marche\n".encode()),
        ],
    )  # fmt: skip
    db.session.commit()
    run_worker()

    mail = _sent_to_customer(smtp)[-1]
    assert mail.get_content_type() == "multipart/mixed"
    alternative, *files = mail.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, related = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert "The fixed export" in text.get_content()
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html.get_content()
    assert image.get_content_type() == "image/png" and image.get_content() == PNG
    assert image.get_content_disposition() == "inline"
    assert [
        (f.get_filename(), f.get_content_type(), f.get_content_disposition()) for f in files
    ] == [
        ("export fixed.pdf", "application/pdf", "attachment"),
        ("résumé.txt", "text/plain", "attachment"),
    ]
    assert files[0].get_content() == PDF
    assert files[1].get_payload(decode=True) == "ça marche\n".encode()  # bytes as uploaded


def test_a_reply_without_files_stays_text_and_html_only(desk, agent, smtp, run_worker):
    service.reply(agent, desk, "No files this time.")
    db.session.commit()
    run_worker()

    mail = _sent_to_customer(smtp)[-1]
    assert mail.get_content_type() == "multipart/alternative"


def test_a_notes_files_never_reach_the_customer(desk, agent, smtp, run_worker):
    service.add_note(agent, desk, "Internal only", [Upload("secret.pdf", "application/pdf", PDF)])
    service.reply(agent, desk, "Public answer")
    db.session.commit()
    run_worker()

    mail = _sent_to_customer(smtp)[-1]
    assert mail.get_content_type() == "multipart/alternative"
    assert b"secret.pdf" not in bytes(mail)
