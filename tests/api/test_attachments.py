"""API: files on replies, notes and new tickets (base64 in JSON), listed with a download URL;
GET /attachments/{id} serves them as downloads; other organizations' ids are 404s."""

from __future__ import annotations

import base64

import pytest

from supportdesk.attachments.service import Upload
from supportdesk.extensions import db
from supportdesk.tickets import service
from tests.attachments.images import HTML, PDF, PNG
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_reply_with_files_lists_them_and_they_download(api, ticket):
    response = api.post(
        f"/tickets/{ticket.number}/messages",
        json={
            "body": "Attached.",
            "attachments": [
                {
                    "filename": "fix.pdf",
                    "content_type": "application/pdf",
                    "content_base64": _b64(PDF),
                },
                {"filename": "shot.png", "content_base64": _b64(PNG), "inline": True},
            ],
        },
    )

    assert response.status_code == 201, response.get_json()
    files = response.get_json()["attachments"]
    assert [(f["filename"], f["content_type"], f["size"], f["inline"]) for f in files] == [
        ("fix.pdf", "application/pdf", len(PDF), False),
        ("shot.png", "image/png", len(PNG), True),
    ]
    download = api.get(files[0]["url"].removeprefix("/api/v1"))
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"] == "attachment; filename=fix.pdf"
    assert download.mimetype == "application/octet-stream"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    listed = api.get(f"/tickets/{ticket.number}/messages").get_json()["data"]
    assert [f["filename"] for f in listed[-1]["attachments"]] == ["fix.pdf", "shot.png"]


def test_a_new_ticket_accepts_files(api):
    response = api.post(
        "/tickets",
        json={
            "subject": "Printer jam", "body": "Photo attached", "customer_email": "pat@example.com",
            "attachments": [{"filename": "jam.png", "content_base64": _b64(PNG)}],
        },
    )  # fmt: skip

    assert response.status_code == 201, response.get_json()
    messages = api.get(f"/tickets/{response.get_json()['number']}/messages").get_json()["data"]
    assert [f["filename"] for f in messages[0]["attachments"]] == ["jam.png"]


@pytest.mark.parametrize(
    ("attachment", "field"),
    [
        pytest.param({"filename": "a.pdf", "content_base64": "not base64!"}, "attachments.0.content_base64", id="bad-base64"),
        pytest.param({"filename": "a.pdf", "content_base64": "QUJD"}, None, id="ok"),
        pytest.param({"filename": "", "content_base64": "QUJD"}, "attachments.0.filename", id="no-name"),
        pytest.param({"filename": "a.html", "content_base64": _b64(HTML), "inline": True}, None, id="inline-html-is-attached"),
    ],
)  # fmt: skip
def test_bad_files_are_a_4xx_naming_the_field(api, ticket, attachment, field):
    response = api.post(
        f"/tickets/{ticket.number}/messages", json={"body": "x", "attachments": [attachment]}
    )

    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_files_over_the_limit_are_refused_with_the_field(api, app, ticket, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_MESSAGE_BYTES", 10)

    response = api.post(
        f"/tickets/{ticket.number}/messages",
        json={"body": "x", "attachments": [{"filename": "a.pdf", "content_base64": _b64(PDF)}]},
    )

    assert response.status_code == 422
    assert "one message may carry at most" in response.get_json()["error"]["fields"]["attachments"]


def test_another_organizations_file_is_a_404(api_as, agent, ticket, other_org):
    message = service.add_note(agent, ticket, "x", [Upload("a.pdf", "application/pdf", PDF)])
    db.session.commit()
    from supportdesk.attachments.queries import for_messages

    (row,) = for_messages(ticket.organization_id, [message.id])[message.id]
    outsider = api_as(UserFactory(organization=other_org))

    response = outsider.get(f"/attachments/{row.id}")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
