"""The stream process as production runs it: gunicorn with deploy/stream.conf.py (gevent).

It serves an agent's event stream from its session cookie, delivers what the web processes
publish through Redis, never another organization's events, and stops at once on SIGTERM.
"""

from __future__ import annotations

import json
import signal
import threading
import time

import httpx
import sqlalchemy as sa

from supportdesk.accounts.models import User
from supportdesk.extensions import db
from supportdesk.sessions.service import start_session
from tests import factories
from tests.ops.test_graceful_stop import (  # noqa: F401  (the fixture)
    PATIENCE,
    Deployment,
    _free_port,
    _stopped,
    _until,
    deployment,
)


def _cookie(deployment: Deployment) -> tuple[str, str]:  # noqa: F811
    app = deployment.app
    with app.app_context(), app.test_request_context():
        agent = db.session.scalar(sa.select(User).where(User.organization_id == deployment.org_id))
        record = start_session(agent, remember=False, ip_address="127.0.0.1", user_agent="t")
        db.session.commit()
        key = record.key
        db.session.remove()
    serializer = app.session_interface.get_signing_serializer(app)
    return app.config["SESSION_COOKIE_NAME"], serializer.dumps({"_user_id": key, "_fresh": True})


def test_the_stream_process_delivers_its_organizations_events_only(deployment: Deployment):  # noqa: F811
    with deployment.app.app_context():
        other = factories.OrganizationFactory()
        db.session.commit()
        other_id = other.id
        db.session.remove()
    port = _free_port()
    process = deployment.spawn(
        "stream", "-m", "gunicorn", "-c", "deploy/stream.conf.py", "wsgi:app",
        STREAM_BIND=f"127.0.0.1:{port}",
    )  # fmt: skip
    name, value = _cookie(deployment)
    broker = deployment.app.extensions["live"]
    received: list[dict] = []
    opened = threading.Event()

    def listen() -> None:
        url = f"http://127.0.0.1:{port}/live/stream"
        with httpx.stream("GET", url, cookies={name: value}, timeout=PATIENCE) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            opened.set()
            event_name = None
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event_name = line[7:]
                # A `reset` (the replay log does not reach back to this stream's start: the
                # page reloads what it shows) carries no event of any organization.
                elif line.startswith("data: ") and event_name != "reset":
                    received.append(json.loads(line[6:]))
                    if received[-1].get("mine"):
                        return

    try:
        _until(lambda: _answers(port), "the stream process to listen", process)
        reader = threading.Thread(target=listen, daemon=True)
        reader.start()
        _until(opened.is_set, "the stream to open", process)
        # Its listener subscribes as the first stream opens: publish until one arrives.
        deadline = time.monotonic() + PATIENCE
        while reader.is_alive() and time.monotonic() < deadline:
            broker.publish(other_id, {"type": "ticket", "ticket": 1, "mine": False})
            broker.publish(deployment.org_id, {"type": "ticket", "ticket": 2, "mine": True})
            reader.join(timeout=0.5)
        assert received and received[-1]["mine"] is True
        assert all(event["mine"] for event in received)
    finally:
        process.send_signal(signal.SIGTERM)
        assert _stopped(process) == 0, deployment.log("stream")


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code < 500
    except httpx.HTTPError:
        return False
