"""Readiness: is this process fit to serve? Each check is cheap, bounded and names what is wrong.

A check answers `Check(ok, detail)`; `/readyz` runs them all and fails when any fails. The
checks read platform state only (the schema version, Redis, RQ's worker registry, the outbox's
oldest due row), never business data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from redis.exceptions import RedisError
from rq import Worker

from supportdesk import outbox
from supportdesk.db import utcnow
from supportdesk.extensions import db


@dataclass(frozen=True)
class Check:
    """The outcome of one readiness check: ok, and a sentence saying what was seen."""

    ok: bool
    detail: str


@cache
def head_revision(migrations_dir: str) -> str:
    """The newest migration revision shipped with this code (read once per process)."""
    script = ScriptDirectory(migrations_dir)
    return script.get_current_head() or ""


def check_database(app: Flask) -> Check:
    """The database answers and its schema is at this code's newest migration."""
    directory = str(Path(app.extensions["migrate"].directory))
    expected = head_revision(directory)
    try:
        current = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return Check(False, f"database unreachable or not migrated: {type(exc).__name__}")
    finally:
        db.session.close()
    if current != expected:
        return Check(False, f"schema at {current}, this code needs {expected}: run db upgrade")
    return Check(True, f"schema at {current}")


def check_redis(app: Flask) -> Check:
    """Redis answers PING (only when configured; the embedded default has none)."""
    redis = app.extensions.get("redis")
    if redis is None:
        return Check(True, "not configured: jobs run in-process")
    try:
        redis.ping()
    except RedisError as exc:
        return Check(False, f"Redis unreachable: {type(exc).__name__}")
    return Check(True, "answers")


def check_workers(app: Flask) -> Check:
    """At least one RQ worker sent a heartbeat recently (only with Redis; else jobs are in-process)."""
    redis = app.extensions.get("redis")
    if redis is None:
        return Check(True, "not needed: jobs run in-process")
    max_age = dt.timedelta(seconds=int(app.config["READY_WORKER_MAX_AGE_SECONDS"]))
    try:
        workers = Worker.all(connection=redis)
    except RedisError as exc:
        return Check(False, f"worker registry unreadable: {type(exc).__name__}")
    now = utcnow()
    alive = [w for w in workers if w.last_heartbeat and now - _aware(w.last_heartbeat) <= max_age]
    if not alive:
        return Check(False, f"no worker heartbeat in the last {int(max_age.total_seconds())} s")
    return Check(True, f"{len(alive)} worker(s) alive")


def check_outbox(app: Flask) -> Check:
    """No email or webhook delivery has been due for longer than the allowed lag."""
    from supportdesk.mail.outbound.models import EmailMessage
    from supportdesk.webhooks.models import WebhookDelivery

    max_lag = int(app.config["READY_OUTBOX_MAX_LAG_SECONDS"])
    lags = {}
    try:
        for kind, model in (("email", EmailMessage), ("webhook", WebhookDelivery)):
            lags[kind] = outbox.oldest_due_age(model)
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return Check(False, f"outbox unreadable: {type(exc).__name__}")
    finally:
        db.session.close()
    late = {kind: age for kind, age in lags.items() if age > max_lag}
    if late:
        worst = ", ".join(f"{kind} due {age} s ago" for kind, age in sorted(late.items()))
        return Check(False, f"outbox behind (limit {max_lag} s): {worst}")
    return Check(True, ", ".join(f"{kind} lag {age} s" for kind, age in sorted(lags.items())))


CHECKS: dict[str, Callable[[Flask], Check]] = {
    "database": check_database,
    "redis": check_redis,
    "workers": check_workers,
    "outbox": check_outbox,
}


def run_checks(app: Flask | None = None) -> dict[str, Check]:
    """Every readiness check, by name."""
    app = app or current_app._get_current_object()
    return {name: check(app) for name, check in CHECKS.items()}


def _aware(value: dt.datetime) -> dt.datetime:
    # RQ stores heartbeats as naive UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
