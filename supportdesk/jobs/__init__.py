"""Background jobs: deferred until the commit, then run by RQ workers or in-process.

`defer("supportdesk.jobs.email.send_email", email_id, queue="emails")` during a transaction
queues the job; it is enqueued only once the COMMIT succeeded, so a job never sees a row that
does not exist. With `SUPPORTDESK_REDIS_URL` set the job goes to RQ; without it (the embedded
default) it runs in this process right after the commit. Jobs take ids and primitives only.
If Redis is down at commit time nothing is lost: the row stays queued and the periodic sweep
(`flask --app supportdesk cron`) enqueues it again; the app's Redis client gives up at once
(redis_fallback.fail_fast_redis), so a request does not wait on a Redis that is down.

Two refinements for the outbox drains (jobs/webhooks.py, jobs/email.py):
- `wake(session, path, queue=…)` enqueues an argument-free drain job at most once while one is
  already waiting in the queue (a Redis key marks it; the job clears it with `woken` as it
  starts), so a thousand commits make one job, not a thousand;
- `defer(…, at=when)` schedules the job for a moment (RQ's scheduler, which `flask worker`
  runs), so a retry due in 5 s runs in about 5 s rather than at the next sweep.
- `defer(…, here_if_redis_fails=True)` for a job that has no row for a sweep to find (the
  password reset request, the portal's sign-in link request): when Redis does not take it, it runs in this process after the
  commit, as in the embedded mode, rather than being lost.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
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
# While this key exists a wake-up job is waiting in its queue; it expires in case that job is
# lost, and the periodic sweeps enqueue drains regardless.
_WAKE_KEY = "supportdesk:wake:{queue}:{func_path}"
WAKE_KEY_SECONDS = 60


def defer(
    session: Session,
    func_path: str,
    *args: Any,
    queue: str = "default",
    at: dt.datetime | None = None,
    wake: bool = False,
    here_if_redis_fails: bool = False,
) -> None:
    """Run `func_path(*args)` after `session` commits (dropped if it rolls back).

    `at`: not before this moment (rounded up to the second, so a batch of retries due together
    makes one job). `wake`: an argument-free drain, enqueued only if none is waiting already.
    `here_if_redis_fails`: no sweep would find this job again, so when Redis does not take it,
    it runs in this process after the commit instead.
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if at is not None:
        at = dt.datetime.fromtimestamp(math.ceil(at.timestamp()), dt.UTC)
    entry = (func_path, args, queue, at, wake, here_if_redis_fails)
    deferred = session.info.setdefault(_DEFERRED, [])
    if entry not in deferred:
        deferred.append(entry)


def wake(session: Session, func_path: str, *, queue: str) -> None:
    """Wake the drain `func_path` after `session` commits (see the module docstring)."""
    defer(session, func_path, queue=queue, wake=True)


def woken(func_path: str, *, queue: str) -> None:
    """Called by a drain as it starts: later commits must wake another one."""
    redis = current_app.extensions.get("redis")
    if redis is not None:
        try:
            redis.delete(_WAKE_KEY.format(queue=queue, func_path=func_path))
        except RedisError:
            log.warning("Redis unavailable; %s may wait for the sweep", func_path)


def discard_deferred(session: Session) -> None:
    """Forget the jobs of a transaction that was rolled back."""
    session.info.pop(_DEFERRED, None)


def dispatch_deferred(session: Session) -> None:
    """Enqueue (or run in-process) the jobs deferred by the transaction that just committed."""
    jobs = session.info.pop(_DEFERRED, [])
    redis_failed = False
    left_to_sweep = 0
    for func_path, args, queue, at, wake_only, here_if_redis_fails in jobs:
        # Once Redis failed, the rest would wait as long for the same answer: not asked again.
        if not redis_failed and enqueue(func_path, *args, queue=queue, at=at, wake=wake_only):
            continue
        if not redis_failed:
            redis_failed = True  # enqueue logged this one
        elif not here_if_redis_fails:
            left_to_sweep += 1
        if here_if_redis_fails:
            _run_here(func_path, args)
    if left_to_sweep:
        log.warning("Redis unavailable; %d more job(s) left to the sweep", left_to_sweep)


def enqueue(
    func_path: str,
    *args: Any,
    queue: str = "default",
    at: dt.datetime | None = None,
    wake: bool = False,
) -> bool:
    """Send one job to RQ (at a moment, or as a de-duplicated wake-up), or run it now when no
    Redis is configured. Never raises; False when Redis did not take it."""
    redis = current_app.extensions.get("redis")
    if redis is not None:
        meta = {"request_id": current_request_id()}
        try:
            if at is not None:
                Queue(queue, connection=redis).enqueue_at(at, func_path, *args, meta=meta)
                return True
            key = _WAKE_KEY.format(queue=queue, func_path=func_path)
            if wake and not redis.set(key, "1", nx=True, ex=WAKE_KEY_SECONDS):
                return True  # a drain is already waiting; it will see this commit's rows
            Queue(queue, connection=redis).enqueue(func_path, *args, meta=meta)
        except RedisError:
            # The outbox row is still queued; the periodic sweep will enqueue it again.
            log.warning("Redis unavailable; %s will be retried by the sweep", func_path)
            return False
        return True
    if at is not None:
        return True  # no scheduler without Redis: the periodic sweep runs it when due
    _run_here(func_path, args)
    return True


def _run_here(func_path: str, args: tuple) -> None:
    try:
        resolve(func_path)(*args)
    except Exception:
        log.exception("In-process job %s failed; the periodic sweep will retry it", func_path)


class _IOThreads(ThreadPoolExecutor):
    """A pool that counts its calls not finished yet (`in_flight`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._count_lock = threading.Lock()
        self.in_flight = 0

    def submit(self, fn, /, *args, **kwargs):
        future = super().submit(fn, *args, **kwargs)
        with self._count_lock:
            self.in_flight += 1
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future) -> None:
        with self._count_lock:
            self.in_flight -= 1


_pools: dict[str, _IOThreads] = {}
_pools_lock = threading.Lock()


def threads(name: str, size: int) -> ThreadPoolExecutor:
    """This process's pool of `size` threads for one kind of blocking I/O (webhook HTTP, SMTP),
    made on first use and kept, so connections kept open by its threads outlive a job."""
    with _pools_lock:
        pool = _pools.get(name)
        if pool is None or pool._max_workers != size:
            if pool is not None:
                pool.shutdown(wait=False)
            pool = _pools[name] = _IOThreads(size, thread_name_prefix=name)
        return pool


def io_in_flight() -> int:
    """How many calls this process's I/O threads have not finished (a request still waiting on
    a webhook receiver or an SMTP server)."""
    with _pools_lock:
        return sum(pool.in_flight for pool in _pools.values())


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
