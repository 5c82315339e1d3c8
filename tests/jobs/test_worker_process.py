"""A real worker process (`flask worker`, with RQ's scheduler) against the test Redis and a
committed database: retries run on time, and a worker killed mid-delivery leaves an attempt that
the sweep logs as interrupted before the delivery is sent again."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from rq import Queue, SimpleWorker
from werkzeug import Response

from supportdesk import create_app
from supportdesk.extensions import db
from supportdesk.jobs.webhooks import sweep_webhooks
from supportdesk.outbox import OutboxState
from supportdesk.webhooks.models import WebhookAttempt, WebhookDelivery
from supportdesk.webhooks.service import INTERRUPTED
from tests import factories
from tests.fixtures.webhooks import KeepAliveReceiver, make_endpoint

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def live_app(migrated_database_url: str, redis_url: str, redis_client) -> Iterator[Flask]:
    """An app whose commits are real (a worker process must see them), on the test Redis."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": migrated_database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "t",
            "WEBHOOKS_ALLOW_PRIVATE": True,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    app.extensions["redis"].close()


@pytest.fixture
def start_worker(live_app: Flask, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start `flask worker webhooks` (settings as SUPPORTDESK_ variables); killed at the end,
    with the scheduler process RQ forks (one process group)."""
    started: list[subprocess.Popen] = []

    def start(**settings: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "SUPPORTDESK_DATABASE_URL": live_app.config["DATABASE_URL"],
            "SUPPORTDESK_REDIS_URL": live_app.config["REDIS_URL"],
            "SUPPORTDESK_SECRET_KEY": "t",
            "SUPPORTDESK_WEBHOOKS_ALLOW_PRIVATE": "true",
            **{f"SUPPORTDESK_{name}": value for name, value in settings.items()},
        }
        with (tmp_path / f"worker-{len(started)}.log").open("w") as log:
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "flask", "--app", "supportdesk", "worker", "webhooks"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        kill(process)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker and everything it forked, as the OOM killer or a power cut would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _attempts() -> list[WebhookAttempt]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(WebhookAttempt).order_by(WebhookAttempt.id)))


def _wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    """Poll until `condition()` holds; fail after `seconds` (generous: the machine is shared)."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        time.sleep(0.1)
    pytest.fail("the worker did not get there in time")


def _one_delivery(url: str) -> int:
    org = factories.OrganizationFactory()
    make_endpoint(org, url, ["ticket.created"])
    factories.make_ticket(org)
    db.session.commit()
    return db.session.scalar(sa.select(WebhookDelivery.id))


def test_a_retry_scheduled_for_3_seconds_runs_after_3_seconds_not_at_the_sweep(
    live_app, start_worker, httpserver
):
    answers = iter([Response("busy", status=503), Response("thanks")])
    httpserver.expect_request("/hooks").respond_with_handler(lambda request: next(answers))
    _one_delivery(httpserver.url_for("/hooks"))
    start_worker(WEBHOOKS_RETRY_SCHEDULE="[3]")  # nothing runs the 60-second sweep here
    _wait_for(lambda: len(_attempts()) == 2)
    first, second = _attempts()
    assert (first.status_code, second.status_code) == (503, 200)
    waited = (second.attempted_at - first.attempted_at).total_seconds()
    assert 3 * 0.9 <= waited < 30  # the schedule's 3 s (±10 % jitter), well before a sweep


def test_a_worker_killed_mid_delivery_leaves_an_interrupted_attempt_then_it_is_sent(
    live_app, start_worker
):
    with KeepAliveReceiver() as receiver:
        gate = receiver.hold("/hooks")
        delivery_id = _one_delivery(receiver.url("/hooks"))
        worker = start_worker(WEBHOOKS_LEASE_SECONDS="1")
        _wait_for(lambda: len(receiver.requests) == 1)  # the receiver holds the answer
        kill(worker)
        gate.set()
        delivery = db.session.get(WebhookDelivery, delivery_id)
        assert delivery.locked_until is not None and _attempts() == []
        _wait_for(lambda: sweep_webhooks() == 1)  # once the dead worker's lease ran out
        [interrupted] = _attempts()
        assert (interrupted.status_code, interrupted.error) == (None, INTERRUPTED)
        redis = live_app.extensions["redis"]
        SimpleWorker([Queue("webhooks", connection=redis)], connection=redis).work(burst=True)
    db.session.rollback()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert (delivery.state, delivery.attempts) == (OutboxState.SENT, 2)
    assert [a.status_code for a in _attempts()] == [None, 200]
    assert len(receiver.requests) == 2
