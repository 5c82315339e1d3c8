"""Console: files on replies, notes and new tickets; the download headers; other tenants' files."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from supportdesk.attachments.models import Attachment
from supportdesk.attachments.service import Upload
from supportdesk.extensions import db
from supportdesk.tickets import service
from supportdesk.tickets.models import Message, Ticket
from tests.attachments.images import GIF, HTML, JPEG, PDF, PNG, SVG, WEBP
from tests.factories import UserFactory, make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _post_reply(client, ticket, *, body="Here you go", kind="public", files=(), pasted=()):
    page = client.get(f"/tickets/{ticket.number}")
    data = {
        "csrf_token": csrf_token(page),
        "body": body,
        "kind": kind,
        "attachments": [(io.BytesIO(content), name, ctype) for name, ctype, content in files],
        "inline_images": [(io.BytesIO(content), name, ctype) for name, ctype, content in pasted],
    }
    return client.post(
        f"/tickets/{ticket.number}/messages", data=data, content_type="multipart/form-data"
    )


def _rows(ticket) -> list[Attachment]:
    return db.session.scalars(
        sa.select(Attachment)
        .join(Message)
        .where(Message.ticket_id == ticket.id)
        .order_by(Attachment.id)
    ).all()


def test_a_reply_with_two_files_lists_them_on_the_message(client, agent, ticket):
    login_as(client, agent)

    response = _post_reply(
        client,
        ticket,
        files=[("report.pdf", "application/pdf", PDF), ("log.txt", "text/plain", b"line\n")],
    )

    assert response.status_code == 302
    rows = _rows(ticket)
    assert [(r.filename, r.content_type, r.size) for r in rows] == [
        ("report.pdf", "application/pdf", len(PDF)),
        ("log.txt", "text/plain", 5),
    ]
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    for row in rows:
        assert f'href="/attachments/{row.id}"' in page
    assert "report.pdf" in page and "application/pdf" in page


def test_a_pasted_image_is_shown_in_the_message(client, agent, ticket):
    login_as(client, agent)

    _post_reply(client, ticket, kind="internal", pasted=[("pasted-image-1.png", "image/png", PNG)])

    (row,) = _rows(ticket)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f'<img src="/attachments/{row.id}?inline=1" alt="pasted-image-1.png"' in page


def test_files_over_the_limit_are_a_field_error_that_keeps_the_text(
    client, app, agent, ticket, monkeypatch
):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_FILE_BYTES", 10)
    login_as(client, agent)

    response = _post_reply(
        client,
        ticket,
        body="My carefully written answer",
        files=[("report.pdf", "application/pdf", PDF)],
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "My carefully written answer" in page
    assert "a file may be at most 10 bytes" in page and "Choose the files again" in page
    assert _rows(ticket) == []


def test_a_new_ticket_carries_files(client, agent):
    login_as(client, agent)
    page = client.get("/tickets/new")

    response = client.post(
        "/tickets/new",
        data={
            "csrf_token": csrf_token(page), "customer_email": "walk.in@example.com",
            "subject": "Broken screen", "body": "Photo attached", "priority": "medium",
            "team_id": "0", "assignee_id": "0",
            "attachments": [(io.BytesIO(JPEG), "screen.jpg", "image/jpeg")],
        },
        content_type="multipart/form-data",
    )  # fmt: skip

    assert response.status_code == 302, response.get_data(as_text=True)
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.subject == "Broken screen"))
    assert [r.filename for r in _rows(ticket)] == ["screen.jpg"]


@pytest.mark.parametrize(
    ("name", "content_type", "content", "inline", "disposition", "served_as"),
    [
        pytest.param("a.png", "image/png", PNG, True, "inline", "image/png", id="png-inline"),
        pytest.param("a.jpg", "image/jpeg", JPEG, True, "inline", "image/jpeg", id="jpeg-inline"),
        pytest.param("a.gif", "image/gif", GIF, True, "inline", "image/gif", id="gif-inline"),
        pytest.param("a.webp", "image/webp", WEBP, True, "inline", "image/webp", id="webp-inline"),
        pytest.param("a.png", "image/png", PNG, False, "attachment", "application/octet-stream", id="png-download"),
        pytest.param("a.svg", "image/svg+xml", SVG, True, "attachment", "application/octet-stream", id="svg-never-inline"),
        pytest.param("a.html", "text/html", HTML, True, "attachment", "application/octet-stream", id="html-never-inline"),
        pytest.param("a.png", "image/png", HTML, True, "attachment", "application/octet-stream", id="html-named-png"),
        pytest.param("a.pdf", "application/pdf", PDF, True, "attachment", "application/octet-stream", id="pdf-never-inline"),
        pytest.param("a.js", "text/javascript", b"alert(1)", True, "attachment", "application/octet-stream", id="script"),
    ],
)  # fmt: skip
def test_download_headers(
    client, agent, ticket, name, content_type, content, inline, disposition, served_as
):
    message = service.add_note(agent, ticket, "file", [Upload(name, content_type, content)])
    db.session.commit()
    (row,) = db.session.scalars(sa.select(Attachment).where(Attachment.message_id == message.id))
    login_as(client, agent)

    response = client.get(f"/attachments/{row.id}" + ("?inline=1" if inline else ""))

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].split(";")[0] == disposition
    assert f"filename={row.filename}" in response.headers["Content-Disposition"]
    assert response.mimetype == served_as
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.data == content


def test_an_old_row_with_bytes_in_the_database_still_downloads(client, agent, ticket):
    message = service.add_note(agent, ticket, "old")
    row = Attachment(
        organization_id=ticket.organization_id, message_id=message.id, filename="old.txt",
        content_type="text/plain", size=4, data=b"old\n",
    )  # fmt: skip
    db.session.add(row)
    db.session.commit()
    login_as(client, agent)

    response = client.get(f"/attachments/{row.id}")

    assert response.status_code == 200 and response.data == b"old\n"


def test_another_organizations_file_is_a_404(client, agent, ticket, other_org):
    message = service.add_note(
        agent, ticket, "private", [Upload("secret.pdf", "application/pdf", PDF)]
    )
    db.session.commit()
    (row,) = db.session.scalars(sa.select(Attachment).where(Attachment.message_id == message.id))
    outsider = UserFactory(organization=other_org)
    other_ticket = make_ticket(other_org)
    db.session.commit()
    login_as(client, outsider)

    assert client.get(f"/attachments/{row.id}").status_code == 404
    assert client.get(f"/attachments/{row.id}?inline=1").status_code == 404
    assert client.get(f"/tickets/{other_ticket.number}").status_code == 200


def test_with_the_s3_backend_files_go_to_the_bucket_and_download(
    client, app, agent, ticket, s3_config, monkeypatch
):
    from supportdesk.storage import build

    bucket = build(s3_config, app.instance_path)
    monkeypatch.setitem(app.extensions, "storage", bucket)
    login_as(client, agent)

    _post_reply(client, ticket, files=[("report.pdf", "application/pdf", PDF)])

    (row,) = _rows(ticket)
    listing = bucket.client.list_objects_v2(Bucket=bucket.bucket)
    assert [o["Key"] for o in listing["Contents"]] == [f"files/{row.storage_key}"]
    response = client.get(f"/attachments/{row.id}")
    assert response.status_code == 200 and response.data == PDF


def test_a_file_missing_from_the_storage_is_a_404_not_a_500(client, agent, ticket):
    from supportdesk.storage import storage

    message = service.add_note(
        agent, ticket, "x", [Upload("gone.pdf", "application/pdf", b"%PDF-gone")]
    )
    db.session.commit()
    (row,) = db.session.scalars(sa.select(Attachment).where(Attachment.message_id == message.id))
    storage().delete(row.storage_key)
    login_as(client, agent)

    assert client.get(f"/attachments/{row.id}").status_code == 404
