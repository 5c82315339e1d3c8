"""/healthz and /readyz: each dependency broken in turn makes readiness fail and say why."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue, SimpleWorker

from supportdesk.db import utcnow
from supportdesk.extensions import db
from tests.mail.helpers import make_email


@pytest.fixture
def worker_alive(app, redis_client):
    """An RQ worker registered on the app's Redis with a fresh heartbeat."""
    redis = app.extensions["redis"]
    worker = SimpleWorker([Queue("default", connection=redis)], connection=redis)
    worker.register_birth()
    worker.heartbeat()
    yield worker
    worker.register_death()


def test_healthz_answers_without_touching_the_database(client, query_counter):
    with query_counter() as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert queries.count == 0


def test_readyz_is_ready_when_every_dependency_is(client, worker_alive):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"
    assert set(response.json["checks"]) == {"database", "redis", "workers", "outbox"}
    assert all(check["ok"] for check in response.json["checks"].values())


def test_readyz_fails_without_a_worker_heartbeat(client, redis_client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["workers"] == {
        "ok": False,
        "detail": "no worker heartbeat in the last 120 s",
    }


def test_readyz_fails_when_the_schema_is_behind_the_code(client, worker_alive):
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    detail = response.json["checks"]["database"]["detail"]
    assert detail.startswith("schema at 0001, this code needs ")
    assert detail.endswith("run db upgrade")


def test_readyz_fails_when_redis_does_not_answer(app, client, worker_alive):
    live = app.extensions["redis"]
    app.extensions["redis"] = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.5)
    try:
        response = client.get("/readyz")
    finally:
        app.extensions["redis"] = live
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == {
        "ok": False,
        "detail": "Redis unreachable: ConnectionError",
    }
    assert response.json["checks"]["workers"]["ok"] is False


def test_readyz_fails_when_the_outbox_falls_behind(org, client, worker_alive):
    make_email(org, next_attempt_at=utcnow() - dt.timedelta(minutes=15))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    detail = response.json["checks"]["outbox"]["detail"]
    assert detail.startswith("outbox behind (limit 600 s): email due 9")


def test_an_email_due_in_the_future_is_no_lag(org, client, worker_alive):
    make_email(org, next_attempt_at=utcnow() + dt.timedelta(minutes=15))
    db.session.commit()
    response = client.get("/readyz")
    assert response.json["checks"]["outbox"] == {
        "ok": True,
        "detail": "email lag 0 s, webhook lag 0 s",
    }


def test_readyz_needs_no_session_cookie(client, worker_alive):
    response = client.get("/readyz")
    assert "Set-Cookie" not in response.headers
