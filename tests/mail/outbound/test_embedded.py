"""The embedded default: SQLite, no Redis, no SMTP. A reply becomes an .eml file agents can preview."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from supportdesk import create_app
from supportdesk.extensions import db
from supportdesk.mail.identity import signing
from tests.fixtures.web import IsolatedClient, csrf_token

pytestmark = pytest.mark.sqlite


@pytest.fixture
def embedded_app(tmp_path, migrated_sqlite):
    """An app as `make run` builds it (SQLite file, no Redis, no SMTP), mail in tmp_path/mail."""
    app = create_app(
        {
            "DATABASE_URL": migrated_sqlite(tmp_path / "supportdesk.db"),
            "SECRET_KEY": "embedded",
            "PASSWORD_HASH_FAST": True,
            "TESTING": True,
            "MAIL_DIR": str(tmp_path / "mail"),
        }
    )
    app.test_client_class = IsolatedClient
    yield app
    with app.app_context():
        db.engine.dispose()


def test_an_agent_reply_is_written_as_an_eml_file_and_previewed(embedded_app, tmp_path):
    runner = embedded_app.test_cli_runner()
    args = ["create-admin", "--email", "boss@example.com", "--password", "a long password!"]
    assert runner.invoke(args=[*args, "--org", "Embedded Desk"]).exit_code == 0
    client = embedded_app.test_client()
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": "boss@example.com",
            "password": "a long password!",
            "csrf_token": csrf_token(page),
        },
    )
    token = csrf_token(client.get("/tickets/new"))
    created = client.post(
        "/tickets/new",
        data={
            "csrf_token": token,
            "customer_email": "ines@customer.example",
            "customer_name": "Inès",
            "subject": "Printer jam",
            "body": "Page 3 is stuck.",
            "priority": "high",
            "team_id": "0",
            "assignee_id": "0",
        },
    )
    number = created.headers["Location"].rsplit("/", 1)[1]
    client.post(
        f"/tickets/{number}/messages",
        data={"csrf_token": token, "body": "Open the back panel.", "kind": "public"},
    )

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2  # the acknowledgement and the reply, sent in-process
    reply = message_from_bytes(files[1].read_bytes(), policy=policy.default)
    assert reply["Subject"] == f"Re: [#{number}] Printer jam"
    assert reply["To"] == "Inès <ines@customer.example>"
    with embedded_app.app_context():
        assert signing.ticket_from_reply_address(reply["Reply-To"].addresses[0].addr_spec)
    assert "Open the back panel." in reply.get_body(("plain",)).get_content()

    ticket_page = client.get(f"/tickets/{number}").get_data(as_text=True)
    assert "ines@customer.example: sent" in ticket_page
    email_id = reply["X-Supportdesk-Email"]
    preview = client.get(f"/admin/mail/{email_id}").get_data(as_text=True)
    assert "Open the back panel." in preview and "via file" in preview
