"""Periodic jobs run once per interval however many schedulers enqueue them, never overlapping."""

from __future__ import annotations

import pytest
from rq import Queue, SimpleWorker

from supportdesk.jobs.periodic import RUNNING_LOCK_SECONDS, run_periodic

SWEEP = "supportdesk.jobs.email.sweep_emails"


@pytest.fixture
def queue(app, redis_client):
    return Queue("emails", connection=app.extensions["redis"])


def _run_all(app, queue) -> list:
    jobs = list(queue.get_jobs())
    SimpleWorker([queue], connection=app.extensions["redis"]).work(burst=True)
    for job in jobs:
        job.refresh()
    return [job.return_value() for job in jobs]


def test_two_schedulers_in_one_interval_run_the_sweep_once(app, queue):
    queue.enqueue(run_periodic, SWEEP, 60)  # scheduler on machine A
    queue.enqueue(run_periodic, SWEEP, 60)  # scheduler on machine B, same minute
    assert _run_all(app, queue) == [0, None]


def test_the_next_interval_runs_again(app, queue, redis_client):
    queue.enqueue(run_periodic, SWEEP, 60)
    _run_all(app, queue)
    redis_client.delete(f"supportdesk:periodic:slot:{SWEEP}")  # the interval has passed
    queue.enqueue(run_periodic, SWEEP, 60)
    assert _run_all(app, queue) == [0]


def test_a_run_still_going_is_not_overlapped(app, queue):
    redis = app.extensions["redis"]
    running = redis.lock(f"supportdesk:periodic:running:{SWEEP}", timeout=RUNNING_LOCK_SECONDS)
    assert running.acquire(blocking=False)
    try:
        queue.enqueue(run_periodic, SWEEP, 60)
        assert _run_all(app, queue) == [None]
    finally:
        running.release()


def test_without_redis_the_job_simply_runs(app):
    live = app.extensions["redis"]
    app.extensions["redis"] = None
    try:
        assert run_periodic(SWEEP, 60) == 0
    finally:
        app.extensions["redis"] = live
