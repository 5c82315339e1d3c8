"""Request bodies sent with `Transfer-Encoding: chunked` (no Content-Length) over a real HTTP
server: the size limit holds for them too (413), and one under the limit is read whole."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from supportdesk.extensions import db
from supportdesk.tickets.models import Ticket

pytestmark = pytest.mark.integration

NEW_TICKET = {"subject": "Chunked", "body": "Sent in pieces.", "customer_email": "c@example.com"}


@pytest.fixture(autouse=True)
def _no_file_allowance(app, monkeypatch):
    """POST /tickets accepts files, which widen its body limit: none here, so the limit tested
    is API_MAX_BODY_BYTES itself."""
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_MESSAGE_BYTES", 0)


@pytest.fixture
def served(app) -> Iterator[tuple[str, int]]:
    """The test's app on 127.0.0.1 and a free port, served by Werkzeug in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", server.server_port
    server.shutdown()
    thread.join(timeout=10)


def _post_chunked(address, token: str, chunks: Iterator[bytes]) -> tuple[int, dict]:
    """POST /api/v1/tickets with a chunked body; the answer even if the server stops reading."""
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        connection.putrequest("POST", "/api/v1/tickets")
        connection.putheader("Authorization", f"Bearer {token}")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        try:
            for chunk in chunks:
                connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before reading everything, as it should
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def _pieces(raw: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(raw), size):
        yield raw[start : start + size]


def test_a_chunked_body_over_the_limit_is_a_413(app, served, api_token, monkeypatch):
    monkeypatch.setitem(app.config, "API_MAX_BODY_BYTES", 100_000)
    raw = json.dumps({**NEW_TICKET, "body": "x" * 300_000}).encode()

    status, answer = _post_chunked(served, api_token, _pieces(raw))

    assert status == 413, answer
    assert answer["error"]["code"] == "payload_too_large"
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 0


def test_a_chunked_body_under_the_limit_is_read_whole(app, served, api_token):
    raw = json.dumps({**NEW_TICKET, "body": "y" * 90_000}).encode()

    status, answer = _post_chunked(served, api_token, _pieces(raw))

    assert status == 201, answer
    assert len(db.session.get(Ticket, answer["id"]).subject) == len("Chunked")


@pytest.mark.parametrize(("spare", "status"), [(0, 201), (-1, 413)], ids=["at", "one-over"])
def test_the_limit_is_exact_for_chunked_bodies(app, served, api_token, monkeypatch, spare, status):
    # Werkzeug cuts a chunked body at max_content_length without raising: one byte decides.
    raw = json.dumps({**NEW_TICKET, "body": "z" * 50_000}).encode()
    monkeypatch.setitem(app.config, "API_MAX_BODY_BYTES", len(raw) + spare)

    assert _post_chunked(served, api_token, _pieces(raw))[0] == status
