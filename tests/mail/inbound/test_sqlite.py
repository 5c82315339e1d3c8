"""Inbound mail on the embedded default (SQLite, no Redis): the stdin pipe, end to end."""

from __future__ import annotations

import pytest

from supportdesk import create_app
from supportdesk.extensions import db

pytestmark = pytest.mark.sqlite


@pytest.fixture
def embedded_app(tmp_path, migrated_sqlite):
    """An app as `make run` builds it: a SQLite file, no Redis, migrations applied."""
    app = create_app(
        {
            "DATABASE_URL": migrated_sqlite(tmp_path / "sd.db"),
            "SECRET_KEY": "smoke",
            "TESTING": True,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_mail_and_its_reply_land_on_one_ticket_on_sqlite(embedded_app):
    runner = embedded_app.test_cli_runner()
    created = runner.invoke(
        args=["create-admin", "--email", "a@example.com", "--password", "x" * 12, "--org", "Desk"]
    )
    assert created.exit_code == 0, created.output
    to = f"support@desk.{embedded_app.config['MAIL_DOMAIN']}"
    first = (
        f"From: Ann <ann@example.com>\r\nTo: {to}\r\nSubject: Caf\xe9\r\nMessage-ID: <a1@example.com>\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n\r\nMy caf\xe9 order.\r\n"
    ).encode("latin-1")
    opened = runner.invoke(args=["mail", "receive"], input=first)
    assert opened.exit_code == 0 and opened.output.startswith("Opened a new ticket (ticket #1)")
    reply = (
        f"From: ann@example.com\r\nTo: {to}\r\nSubject: Re: Caf\xe9\r\nMessage-ID: <a2@example.com>\r\n"
        "In-Reply-To: <a1@example.com>\r\n\r\nStill waiting.\r\n"
    ).encode("latin-1")
    replied = runner.invoke(args=["mail", "receive"], input=reply)
    assert replied.output.startswith("Matched by Message-ID (ticket #1)"), replied.output
