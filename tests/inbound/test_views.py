"""What agents see of inbound mail: the decision line, attachments, the escaped original."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.mail.inbound.service import receive_email
from supportdesk.tickets.models import Ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _receive(world, name: str):
    result = receive_email(world.load(name), source="test")
    db.session.commit()
    return result


def test_the_ticket_page_shows_how_a_reply_was_matched(client, agent, mail_world):
    result = _receive(mail_world, "reply_address.eml")
    login_as(client, agent)
    page = client.get(f"/tickets/{mail_world.ticket.number}").get_data(as_text=True)
    assert "Matched by reply address" in page
    assert f"/mail/{result.inbound_id}/original" in page


def test_the_ticket_page_lists_attachments_and_skipped_ones(
    client, agent, app, mail_world, monkeypatch
):
    monkeypatch.setitem(app.config, "INBOUND_MAX_ATTACHMENT_BYTES", 100)
    pdf = _receive(mail_world, "attachment_pdf.eml")
    monkeypatch.setitem(app.config, "INBOUND_MAX_ATTACHMENT_BYTES", 10_000)
    image = _receive(mail_world, "inline_image.eml")
    login_as(client, agent)
    skipped = client.get(f"/tickets/{pdf.ticket_number}").get_data(as_text=True)
    assert "invoice 2026.pdf" in skipped and "limit per file" in skipped
    stored = client.get(f"/tickets/{image.ticket_number}").get_data(as_text=True)
    assert "screenshot.png" in stored and "/attachments/" in stored


def test_attachments_download_as_files(client, agent, mail_world):
    from supportdesk.attachments.models import Attachment

    _receive(mail_world, "attachment_pdf.eml")
    attachment = db.session.scalar(db.select(Attachment))
    login_as(client, agent)
    response = client.get(f"/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"%PDF")


def test_the_original_is_shown_escaped(client, agent, mail_world):
    result = _receive(mail_world, "html_script.eml")
    login_as(client, agent)
    page = client.get(f"/mail/{result.inbound_id}/original").get_data(as_text=True)
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert f"Ticket #{result.ticket_number}" in page


def test_another_organizations_mail_is_a_404(client, mail_world, other_org):
    from tests.factories import UserFactory

    result = _receive(mail_world, "attachment_pdf.eml")
    outsider = UserFactory(organization=other_org)
    login_as(client, outsider)
    assert client.get(f"/mail/{result.inbound_id}/original").status_code == 404
    from supportdesk.attachments.models import Attachment

    attachment = db.session.scalar(db.select(Attachment))
    assert client.get(f"/attachments/{attachment.id}").status_code == 404


def test_the_customer_page_shows_a_bounce_and_an_agent_lifts_it(client, agent, mail_world):
    _receive(mail_world, "bounce_dsn.eml")
    login_as(client, agent)
    page = client.get(f"/customers/{mail_world.customer.id}")
    assert "Email suppressed" in page.get_data(as_text=True)
    assert "Hard bounce 5.1.1" in page.get_data(as_text=True)
    response = client.post(
        f"/customers/{mail_world.customer.id}/suppression", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (
        db.session.get(type(mail_world.customer), mail_world.customer.id).email_suppressed_at
        is None
    )


def test_the_ticket_page_reads_drafts_mail_files_and_ratings_only_where_there_are_some(
    client, agent, org, mail_world, query_counter
):
    from supportdesk.attachments.service import Upload
    from supportdesk.composer import service as composer
    from supportdesk.satisfaction import links
    from supportdesk.satisfaction import service as satisfaction
    from supportdesk.tickets import service as tickets
    from supportdesk.tickets.models import Status
    from tests.factories import make_ticket
    from tests.mail.helpers import make_email

    _receive(mail_world, "reply_address.eml")  # a message that came in by email
    ticket = db.session.get(Ticket, mail_world.ticket.id)
    sent = tickets.reply(agent, ticket, "Here is the log.", [Upload("log.txt", "text/plain", b"x")])
    make_email(org, ticket=ticket, message_id=sent.id, to_address="jane@example.com")
    tickets.change_status(agent, ticket, Status.RESOLVED)
    db.session.commit()
    token = links.sign(org.id, satisfaction.for_ticket(org.id, ticket.id)[0].id)
    satisfaction.rate(org.id, token, "bad")
    composer.save_draft(agent, ticket, mode="internal", body="Half-written note")
    bare = make_ticket(org, customer=mail_world.customer)
    db.session.commit()
    full, empty = ticket.number, bare.number
    login_as(client, agent)
    db.session.expunge_all()
    client.get(f"/tickets/{empty}")  # the organization's menus and fields, cached once
    counts, pages = [], []
    for number in (full, empty):
        with query_counter() as queries:
            response = client.get(f"/tickets/{number}")
        assert response.status_code == 200
        counts.append(queries.count)
        pages.append(response.get_data(as_text=True))

    # Each read runs where the ticket's own statements saw rows for it: the draft, inbound mail,
    # attachments, outbound mail and the rating (5 statements); the bare ticket has only its
    # acknowledgement mail (1).
    assert counts == [10, 6]
    page = pages[0]
    assert "Matched by reply address" in page and "log.txt" in page
    assert "Email to jane@example.com" in page and 'data-rating="bad"' in page
    assert "Half-written note" in page
    assert "Matched by" not in pages[1] and "Half-written note" not in pages[1]


def test_the_ticket_page_costs_the_same_queries_with_mail(client, agent, mail_world, query_counter):
    small = _receive(mail_world, "text_only.eml").ticket_number
    _receive(mail_world, "reply_address.eml")
    _receive(mail_world, "gmail_reply.eml")
    large = db.session.get(Ticket, mail_world.ticket.id).number
    login_as(client, agent)
    db.session.expunge_all()
    client.get(f"/tickets/{small}")  # the organization's menus and fields, cached once
    counts = []
    for number in (small, large):
        with query_counter() as queries:
            assert client.get(f"/tickets/{number}").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1]
