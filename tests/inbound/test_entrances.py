"""The three ways in: POST /inbound/email, `flask mail receive` (stdin) and the LMTP server."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from supportdesk import create_app
from supportdesk.extensions import db
from supportdesk.inbound.lmtp import serve
from supportdesk.mail.inbound.models import InboundEmail
from tests.fixtures.mail import SUPPORT

TOKEN = "s3cret-inbound-token"


@pytest.fixture
def inbound_token(app, monkeypatch):
    """POST /inbound/email switched on with TOKEN."""
    monkeypatch.setitem(app.config, "INBOUND_TOKEN", TOKEN)
    return TOKEN


@pytest.fixture
def broken_app(tmp_path):
    """An app whose database does not answer (a temporary failure for the MTA)."""
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere",
            "SECRET_KEY": "test",
            "REDIS_URL": None,
            "INBOUND_TOKEN": TOKEN,
        }
    )


def _stored() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(InboundEmail))


# -- HTTP ------------------------------------------------------------------------------------


def test_the_endpoint_does_not_exist_without_a_token(client, mail_world):
    response = client.post("/inbound/email", data=b"x", content_type="message/rfc822")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        pytest.param(None, 401, id="no-token"),
        pytest.param("Bearer wrong-token", 401, id="wrong-token"),
        pytest.param(f"Basic {TOKEN}", 401, id="wrong-scheme"),
        pytest.param(f"Bearer {TOKEN}", 200, id="right-token"),
    ],
)
def test_the_endpoint_needs_the_bearer_token(
    client, mail_world, inbound_token, authorization, status
):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post(
        "/inbound/email",
        data=mail_world.load("text_only.eml"),
        content_type="message/rfc822",
        headers=headers,
    )
    assert response.status_code == status
    assert _stored() == (1 if status == 200 else 0)


def test_the_endpoint_answers_what_it_did(client, mail_world, inbound_token):
    response = client.post(
        "/inbound/email?to=" + SUPPORT,
        data=mail_world.load("reply_address.eml"),
        content_type="message/rfc822",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    body = response.get_json()
    assert body["decision"] == "reply_by_address"
    assert body["ticket"] == mail_world.ticket.number
    assert body["reason"].startswith("Sent to the reply address")


def test_the_endpoint_refuses_other_content_types(client, mail_world, inbound_token):
    response = client.post(
        "/inbound/email",
        json={"raw": "x"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    "chunked", [pytest.param(False, id="content-length"), pytest.param(True, id="chunked")]
)
def test_the_endpoint_refuses_oversized_messages(
    client, app, mail_world, inbound_token, monkeypatch, chunked
):
    monkeypatch.setitem(app.config, "INBOUND_MAX_MESSAGE_BYTES", 200)
    raw = mail_world.load("attachment_pdf.eml")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    environ = {}
    if chunked:
        # As a WSGI server passes a chunked body: no length, the input already de-chunked.
        headers["Transfer-Encoding"] = "chunked"
        environ["wsgi.input_terminated"] = True
    response = client.post(
        "/inbound/email",
        data=raw,
        content_type="message/rfc822",
        headers=headers,
        environ_overrides=environ,
    )
    assert response.status_code == 413
    assert "200" in response.get_json()["error"]["message"]
    assert _stored() == 0


def test_the_endpoint_is_not_csrf_protected_and_sets_no_session(client, mail_world, inbound_token):
    response = client.post(
        "/inbound/email",
        data=mail_world.load("text_only.eml"),
        content_type="message/rfc822",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_endpoint_asks_for_a_retry_when_the_database_is_down(broken_app):
    response = broken_app.test_client().post(
        "/inbound/email",
        data=b"From: a@x.example\r\n\r\nhi",
        content_type="message/rfc822",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 503


# -- stdin -----------------------------------------------------------------------------------


def test_receive_reads_stdin_and_says_what_it_did(app, mail_world):
    result = app.test_cli_runner().invoke(
        args=["mail", "receive", "--recipient", SUPPORT], input=mail_world.load("gmail_reply.eml")
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Matched by Message-ID (ticket #{mail_world.ticket.number})")


def test_receive_keeps_unroutable_mail_and_exits_zero(app, mail_world):
    result = app.test_cli_runner().invoke(
        args=["mail", "receive"], input=mail_world.load("unknown_address.eml")
    )
    assert result.exit_code == 0
    assert "Sent to no known support address" in result.output


def test_receive_refuses_oversized_mail_with_a_data_error(app, mail_world, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_MAX_MESSAGE_BYTES", 50)
    result = app.test_cli_runner().invoke(
        args=["mail", "receive"], input=mail_world.load("text_only.eml")
    )
    assert result.exit_code == 65
    assert "limit of 50 bytes" in result.output
    assert _stored() == 0


def test_receive_asks_the_mta_to_retry_when_the_database_is_down(broken_app):
    result = broken_app.test_cli_runner().invoke(
        args=["mail", "receive"], input=b"From: a@x.example\r\n\r\nhi"
    )
    assert result.exit_code == 75
    assert "Temporary failure" in result.output


# -- LMTP ------------------------------------------------------------------------------------


async def _lmtp_session(app, rcpts: list[str], raw: bytes) -> list[str]:
    """Talk LMTP to a fresh server; return the replies to DATA, one per recipient."""
    server = await serve(app, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def reply() -> str:
        lines = []
        while True:
            line = (await reader.readline()).decode()
            lines.append(line.rstrip("\r\n"))
            if line[3:4] != "-":
                return lines[-1]

    async def command(text: str) -> str:
        writer.write(text.encode() + b"\r\n")
        await writer.drain()
        return await reply()

    try:
        assert (await reply()).startswith("220")
        assert (await command("LHLO mta.example")).startswith("250")
        assert (await command("MAIL FROM:<sender@example.com>")).startswith("250")
        for rcpt in rcpts:
            assert (await command(f"RCPT TO:<{rcpt}>")).startswith("250")
        assert (await command("DATA")).startswith("354")
        body = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        body = b"\r\n".join(
            b"." + line if line.startswith(b".") else line for line in body.split(b"\r\n")
        )
        writer.write(body + b"\r\n.\r\n")
        await writer.drain()
        results = [await reply() for _ in rcpts]
        await command("QUIT")
    finally:
        writer.close()
        server.close()
        await server.wait_closed()
    return results


@pytest.mark.asyncio
async def test_lmtp_answers_once_per_recipient(app, mail_world):
    replies = await _lmtp_session(
        app, [SUPPORT, "nobody@unknown.example"], mail_world.load("text_only.eml")
    )
    assert replies[0].startswith(f"250 2.0.0 <{SUPPORT}> Opened a new ticket")
    # The copy for the second recipient is the same message for the same routing: a duplicate.
    assert replies[1].startswith("250 2.0.0 <nobody@unknown.example>")
    rows = db.session.scalars(sa.select(InboundEmail).order_by(InboundEmail.id)).all()
    assert [r.source for r in rows] == ["lmtp", "lmtp"]


@pytest.mark.asyncio
async def test_lmtp_refuses_oversized_mail_per_recipient(app, mail_world, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_MAX_MESSAGE_BYTES", 100)
    replies = await _lmtp_session(app, [SUPPORT], mail_world.load("text_only.eml"))
    assert replies[0].startswith("552 5.3.4")
    assert _stored() == 0


@pytest.mark.asyncio
async def test_lmtp_defers_when_the_database_is_down(broken_app):
    replies = await _lmtp_session(broken_app, [SUPPORT], b"From: a@x.example\r\n\r\nhi")
    assert replies[0].startswith("451 4.3.0")


@pytest.mark.slow
def test_the_lmtp_command_serves_lmtp(database_url, tmp_path):
    import os
    import signal
    import smtplib
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "SUPPORTDESK_DATABASE_URL": database_url,
        "SUPPORTDESK_SECRET_KEY": "test",
        "SUPPORTDESK_MAIL_DOMAIN": "mail.test",
    }
    env.pop("SUPPORTDESK_REDIS_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "supportdesk",
            "mail",
            "lmtp",
            "--port",
            str(port),
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                client = smtplib.LMTP("127.0.0.1", port, timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(process.stdout.read1().decode())
        code, features = client.ehlo("mta.test")  # smtplib.LMTP sends LHLO
        assert code == 250 and b"SIZE" in features
        client.quit()
    finally:
        process.terminate()
        try:
            assert process.wait(timeout=10) == -signal.SIGTERM, "SIGTERM did not stop it"
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate()
