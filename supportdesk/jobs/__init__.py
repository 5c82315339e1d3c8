"""Background jobs: deferred until the commit, then run by RQ workers or in-process.

`defer("supportdesk.jobs.email.send_email", email_id, queue="emails")` during a transaction
queues the job; it is enqueued only once the COMMIT succeeded, so a job never sees a row that
does not exist. With `SUPPORTDESK_REDIS_URL` set the job goes to RQ; without it (the embedded
default) it runs in this process right after the commit. Jobs take ids and primitives only.
If Redis is down at commit time nothing is lost: the row stays queued and the periodic sweep
(`flask --app supportdesk cron`) enqueues it again.
"""

from __future__ import annotations

import importlib
import logging
import time
from typing import Any

import structlog
from flask import current_app
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy.orm import Session

from supportdesk.logs import current_request_id
from supportdesk.metrics import JOB_SECONDS

log = logging.getLogger(__name__)

QUEUES = ("emails", "webhooks", "default")
_DEFERRED = "supportdesk.deferred_jobs"


def defer(session: Session, func_path: str, *args: Any, queue: str = "default") -> None:
    """Run `func_path(*args)` after `session` commits (dropped if it rolls back)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    session.info.setdefault(_DEFERRED, []).append((func_path, args, queue))


def discard_deferred(session: Session) -> None:
    """Forget the jobs of a transaction that was rolled back."""
    session.info.pop(_DEFERRED, None)


def dispatch_deferred(session: Session) -> None:
    """Enqueue (or run in-process) the jobs deferred by the transaction that just committed."""
    jobs = session.info.pop(_DEFERRED, [])
    for func_path, args, queue in jobs:
        enqueue(func_path, *args, queue=queue)


def enqueue(func_path: str, *args: Any, queue: str = "default") -> None:
    """Send one job to RQ, or run it now when no Redis is configured. Never raises."""
    redis = current_app.extensions.get("redis")
    if redis is not None:
        try:
            Queue(queue, connection=redis).enqueue(
                func_path, *args, meta={"request_id": current_request_id()}
            )
        except RedisError:
            # The outbox row is still queued; the periodic sweep will enqueue it again.
            log.warning("Redis unavailable; %s will be retried by the sweep", func_path)
        return
    try:
        resolve(func_path)(*args)
    except Exception:
        log.exception("In-process job %s failed; the periodic sweep will retry it", func_path)


def resolve(func_path: str):
    """Import `package.module.function` (our own jobs only)."""
    if not func_path.startswith("supportdesk."):
        raise ValueError(f"refusing to run {func_path!r}: not a supportdesk job")
    module, _, name = func_path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def job(func):
    """Mark a job function: under an RQ worker, each run ends with a fresh database session.

    In-process runs share the caller's session (the web request that just committed), so the
    session is left alone there.
    """
    import functools

    from rq import get_current_job

    from supportdesk.extensions import db

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current = get_current_job()
        if current is None:
            return func(*args, **kwargs)
        # Log with the id of the request that enqueued the job (the job's own id otherwise).
        request_id = (current.meta or {}).get("request_id") or current.id
        started, outcome = time.perf_counter(), "error"
        try:
            with structlog.contextvars.bound_contextvars(request_id=request_id, job=func.__name__):
                result = func(*args, **kwargs)
            outcome = "ok"
            return result
        finally:
            JOB_SECONDS.labels(func.__name__, outcome).observe(time.perf_counter() - started)
            db.session.remove()

    return wrapper
