"""SIGTERM stops web, worker and scheduler cleanly: in-flight work finishes or is handed back.

Each test starts the real process (gunicorn with deploy/gunicorn.conf.py, `flask worker`,
`flask cron`) on a scratch database and the test Redis, catches it in the middle of a request
or a job, sends SIGTERM, and checks that nothing was lost and that the process exited 0.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from flask import Flask
from pytest_httpserver import HTTPServer
from redis import Redis
from rq import Worker
from rq.cron import CronScheduler
from werkzeug import Request, Response

from supportdesk import create_app
from supportdesk.accounts.models import Organization, Role
from supportdesk.extensions import db
from supportdesk.outbox import OutboxState
from supportdesk.tickets.models import Ticket
from supportdesk.tokens.models import Scope
from supportdesk.tokens.service import create_token
from supportdesk.webhooks.models import WebhookDelivery
from tests import factories
from tests.fixtures.webhooks import make_endpoint

ROOT = Path(__file__).resolve().parents[2]
# Generous: a loaded 2-core machine may take many seconds to start or stop a Python process.
PATIENCE = 90


@dataclass
class Deployment:
    """A migrated scratch database with an organization, an admin and a token, plus the test Redis."""

    app: Flask
    env: dict[str, str]
    redis: Redis
    org_id: int
    token: str
    logs: Path

    def spawn(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        """Start a process of the installation (output to logs/NAME.log)."""
        with (self.logs / f"{name}.log").open("wb") as log:  # the child keeps its own copy
            return subprocess.Popen(
                [sys.executable, *args],
                cwd=ROOT,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def scalar(self, statement):
        """One value read with a fresh session (what the processes committed)."""
        with self.app.app_context():
            try:
                return db.session.scalar(statement)
            finally:
                db.session.remove()


@pytest.fixture
def deployment(
    migrated_database_url: str, redis_url: str, redis_client: Redis, tmp_path: Path
) -> Iterator[Deployment]:
    """The scratch installation every process of a test shares."""
    settings = {
        "DATABASE_URL": migrated_database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "graceful-stop",
        "WEBHOOKS_ALLOW_PRIVATE": True,
    }
    app = create_app({**settings, "PASSWORD_HASH_FAST": True})
    with app.app_context():
        org = factories.OrganizationFactory()
        admin = factories.UserFactory(organization=org, role=Role.ADMIN)
        _, token = create_token(admin, name="graceful", scope=Scope.READ_WRITE)
        db.session.commit()
        org_id = org.id
        db.session.remove()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    env.update(
        {f"SUPPORTDESK_{k}": str(v).lower() if v is True else v for k, v in settings.items()}
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    yield Deployment(app, env, redis_client, org_id, token, logs)
    with app.app_context():
        db.engine.dispose()


def _until(condition: Callable[[], object], what: str, process: subprocess.Popen | None = None):
    """Poll `condition` until it is truthy; fail after PATIENCE seconds or if `process` died."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process exited ({process.returncode}) while waiting for {what}")
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def _stopped(process: subprocess.Popen) -> int:
    """The exit code of a process that was asked to stop (killed and failed if it hangs)."""
    try:
        return process.wait(timeout=PATIENCE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail("the process did not stop within the bound after SIGTERM")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- web ---------------------------------------------------------------------------------------


def test_gunicorn_finishes_the_request_in_flight_on_sigterm(deployment: Deployment):
    port = _free_port()
    web = deployment.spawn(
        "web",
        "-m",
        "gunicorn",
        "-c",
        "deploy/gunicorn.conf.py",
        "wsgi:app",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _until(answers, "gunicorn to serve /healthz", web)
        # Hold the organization's row lock: ticket creation (which takes it for the next
        # number) waits inside the request until the lock goes.
        with deployment.app.app_context():
            engine = sa.create_engine(db.engine.url)
        holder = engine.connect()
        holder.begin()
        holder.execute(
            sa.text("SELECT id FROM organizations WHERE id = :id FOR UPDATE"),
            {"id": deployment.org_id},
        )
        answer: dict[str, httpx.Response] = {}

        def create() -> None:
            answer["response"] = httpx.post(
                f"{base}/api/v1/tickets",
                json={
                    "subject": "In flight",
                    "body": "Sent before SIGTERM.",
                    "customer_email": "a@example.com",
                },
                headers={"Authorization": f"Bearer {deployment.token}"},
                timeout=PATIENCE,
            )

        client = threading.Thread(target=create)
        client.start()
        waiting = sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )

        def request_waits() -> int:
            with engine.connect() as watcher:  # a new transaction: a fresh activity snapshot
                return watcher.execute(waiting).scalar()

        _until(request_waits, "the request to wait on the lock")
        web.send_signal(signal.SIGTERM)
        _until(lambda: "Handling signal: term" in deployment.log("web"), "gunicorn to take SIGTERM")
        holder.rollback()  # the request goes on, after the stop was asked for
        holder.close()
        client.join(PATIENCE)
        engine.dispose()
    finally:
        if web.poll() is None:
            web.send_signal(signal.SIGTERM)
    assert _stopped(web) == 0
    assert answer["response"].status_code == 201
    assert deployment.scalar(sa.select(sa.func.count()).where(Ticket.subject == "In flight")) == 1


# -- worker ------------------------------------------------------------------------------------


@pytest.fixture
def slow_receiver(httpserver: HTTPServer) -> Iterator[tuple[HTTPServer, threading.Event, list]]:
    """A webhook receiver that holds each request until the test sets the event."""
    release, received = threading.Event(), []

    def handler(request: Request) -> Response:
        received.append(request.headers.get("webhook-id"))
        release.wait(PATIENCE)
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    yield httpserver, release, received
    release.set()


def _delivery_waiting_on(deployment: Deployment, url: str) -> int:
    """Open a ticket with a webhook endpoint listening: one delivery, its job on the queue."""
    with deployment.app.app_context():
        org = db.session.get(Organization, deployment.org_id)
        make_endpoint(org, url, ["ticket.created"])
        factories.make_ticket(org, customer_email="b@example.com", subject="Hooked")
        db.session.commit()
        delivery_id = db.session.scalar(sa.select(WebhookDelivery.id))
        db.session.remove()
    return delivery_id


def _shutdown_requested(redis: Redis) -> bool:
    """True once the (only) worker recorded that it was asked to stop."""
    return any(w.shutdown_requested_date for w in Worker.all(connection=redis))


def _delivery(deployment: Deployment, delivery_id: int) -> WebhookDelivery:
    with deployment.app.app_context():
        try:
            return db.session.get(WebhookDelivery, delivery_id)
        finally:
            db.session.expunge_all()
            db.session.remove()


def test_the_worker_finishes_its_job_on_sigterm(deployment: Deployment, slow_receiver):
    server, release, received = slow_receiver
    delivery_id = _delivery_waiting_on(deployment, server.url_for("/hook"))
    worker = deployment.spawn("worker", "-m", "flask", "--app", "supportdesk", "worker", "webhooks")
    try:
        _until(lambda: received, "the worker to reach the receiver", worker)
        worker.send_signal(signal.SIGTERM)
        _until(lambda: _shutdown_requested(deployment.redis), "the worker to take SIGTERM")
        release.set()
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    assert _stopped(worker) == 0
    delivery = _delivery(deployment, delivery_id)
    assert (delivery.state, delivery.attempts) == (OutboxState.SENT, 1)
    assert len(received) == 1


def test_a_cold_stop_hands_the_delivery_to_the_next_worker(deployment: Deployment, slow_receiver):
    server, release, received = slow_receiver
    delivery_id = _delivery_waiting_on(deployment, server.url_for("/hook"))
    # A receiver slower than the test's patience: the worker must not wait for the request it
    # abandons (its timeout, here longer than PATIENCE) before it exits.
    first = deployment.spawn(
        "first", "-m", "flask", "--app", "supportdesk", "worker", "webhooks",
        SUPPORTDESK_WEBHOOKS_TIMEOUT=str(PATIENCE * 4),
    )  # fmt: skip
    try:
        _until(lambda: received, "the worker to reach the receiver", first)
        first.send_signal(signal.SIGTERM)
        _until(lambda: _shutdown_requested(deployment.redis), "the worker to take SIGTERM")
        time.sleep(1.5)  # RQ ignores a second signal within a second of the first
        first.send_signal(signal.SIGTERM)  # cold: the job is abandoned mid-attempt
        assert _stopped(first) == 0
        assert "Stopped with 1 request(s) in flight" in deployment.log("first")
    finally:
        if first.poll() is None:
            first.kill()
    left = _delivery(deployment, delivery_id)
    assert (left.state, left.locked_until) == (OutboxState.QUEUED, None)
    release.set()
    # The next worker finds the re-enqueued job at once (no wait for the lease or the sweep).
    second = deployment.spawn(
        "second", "-m", "flask", "--app", "supportdesk", "worker", "webhooks", "--burst"
    )
    assert _stopped(second) == 0
    delivery = _delivery(deployment, delivery_id)
    assert delivery.state is OutboxState.SENT
    assert len(received) == 2  # at-least-once: the abandoned attempt had reached the receiver
    assert received[0] == received[1]  # the same webhook-id, so the receiver can drop the copy


# -- scheduler ---------------------------------------------------------------------------------


def test_the_scheduler_stops_on_sigterm_and_unregisters(deployment: Deployment):
    cron = deployment.spawn("cron", "-m", "flask", "--app", "supportdesk", "cron")
    try:
        _until(lambda: CronScheduler.all(deployment.redis), "the scheduler to register", cron)
        cron.send_signal(signal.SIGTERM)
        # A supervisor insisting, until the process is gone: still one clean stop, also when a
        # signal lands while the interpreter exits (it resets Python's handlers to the default).
        deadline = time.monotonic() + PATIENCE
        while cron.poll() is None and time.monotonic() < deadline:
            cron.send_signal(signal.SIGTERM)
            time.sleep(0.002)
    finally:
        if cron.poll() is None:
            cron.kill()
    assert _stopped(cron) == 0
    assert CronScheduler.all(deployment.redis) == []
    assert "shutdown complete" in deployment.log("cron")


def test_the_scheduler_is_stopped_once_however_often_it_is_told(redis_client: Redis):
    from rq.exceptions import StopRequested

    from supportdesk.cli.jobs import _OnceStoppedScheduler

    scheduler = _OnceStoppedScheduler(connection=redis_client)
    with pytest.raises(StopRequested):
        scheduler._request_stop(signal.SIGTERM, None)
    assert scheduler._request_stop(signal.SIGTERM, None) is None  # already stopping
