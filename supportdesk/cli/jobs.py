"""`worker` and `cron`: the background processes, each running inside an app context."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import with_appcontext
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, SimpleWorker, worker_registration
from rq.cron import CronScheduler

from supportdesk.jobs import QUEUES
from supportdesk.jobs.periodic import run_periodic
from supportdesk.jobs.schedule import PERIODIC
from supportdesk.redis_fallback import fail_fast_redis


def _redis(give_up_after: float | None) -> Redis:
    """Wait for Redis, then a patient client of its own: the app's gives up at once, which suits
    web requests, while a worker's blocking dequeue and a brief Redis restart need retries."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "SUPPORTDESK_REDIS_URL is not set. Background workers need Redis; without it, "
            "jobs already run inside the web process."
        )
    wait_for_redis(fail_fast_redis(url), give_up_after)
    return Redis.from_url(url)


class RegisteredWorker(SimpleWorker):
    """RQ's SimpleWorker, listed again in RQ's worker registry with every heartbeat.

    RQ lists a worker once, at start. A worker that rides out a Redis restart (it does, while it
    waits for work) then keeps working unlisted, and /readyz, which reads that registry, would
    report no worker on every web instance until the workers restart.
    """

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        super().heartbeat(timeout, pipeline)
        worker_registration.register(self, pipeline)


def wait_for_redis(redis: Redis, give_up_after: float | None, *, sleep=time.sleep) -> None:
    """Return once Redis answers; until then say so and try again (1, 2, 4 … 30 s apart).

    A worker or scheduler started while Redis is down (a machine booting, Redis restarting)
    waits instead of exiting with a traceback; `give_up_after` seconds (None: never) bounds it.
    """
    waited, delay = 0.0, 1.0
    where = redis.connection_pool.connection_kwargs
    address = f"{where.get('host', '?')}:{where.get('port', '?')}"
    while True:
        try:
            redis.ping()
            return
        except RedisError as exc:
            if give_up_after is not None and waited >= give_up_after:
                raise click.ClickException(
                    f"Redis at {address} did not answer for {int(waited)} s; giving up."
                ) from exc
            click.echo(
                f"Redis at {address} does not answer ({type(exc).__name__}); "
                f"trying again in {int(delay)} s.",
                err=True,
            )
            sleep(delay)
            waited += delay
            delay = min(delay * 2, 30.0)


def keep_working(redis: Redis, give_up_after: float | None, run: Callable[[], object]) -> None:
    """Call `run()` again whenever Redis drops out under it, once Redis answers again.

    RQ rides out a Redis restart while it waits for work, but one that happens during a job
    (or a scheduler's heartbeat) ends `run()` with a ConnectionError. The job's own outcome is
    in the database already; only the process would be lost, so it starts over instead.
    """
    while True:
        try:
            run()
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            click.echo(
                f"Lost Redis ({type(exc).__name__}); starting again once it answers.", err=True
            )
            with _sigterm_exits():
                wait_for_redis(redis, give_up_after)


@contextmanager
def _sigterm_exits() -> Iterator[None]:
    """While no job runs, SIGTERM (or Ctrl-C) simply ends the process with status 0."""

    def leave(signum, frame):
        raise SystemExit(0)

    saved = {s: signal.signal(s, leave) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


_WAIT_OPTION = click.option(
    "--redis-wait-seconds",
    type=float,
    default=None,
    help="Give up if Redis does not answer for this long (default: wait as long as it takes).",
)


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--max-jobs", type=int, default=None, help="Exit after this many jobs (recycling).")
@_WAIT_OPTION
@with_appcontext
def worker(
    queues: tuple[str, ...], burst: bool, max_jobs: int | None, redis_wait_seconds: float | None
) -> None:
    """Run an RQ worker on QUEUES (default: emails, webhooks, default), with RQ's scheduler.

    Jobs run in this process (no fork per job): a forked child would inherit the parent's
    pooled database sockets, and small jobs such as one email run several times faster. The
    scheduler (a small process RQ forks, one per installation holding the lock) moves jobs
    scheduled with `enqueue_at` (retries) to their queue within about a second of their time.
    """
    unknown = set(queues) - set(QUEUES)
    if unknown:
        raise click.ClickException(f"Unknown queue(s): {', '.join(sorted(unknown))}.")
    names = queues or QUEUES
    redis = _redis(redis_wait_seconds)

    def work() -> None:
        queues = [Queue(n, connection=redis) for n in names]
        RegisteredWorker(queues, connection=redis).work(
            burst=burst, max_jobs=max_jobs, with_scheduler=True
        )

    keep_working(redis, redis_wait_seconds, work)


@click.command("cron")
@_WAIT_OPTION
@with_appcontext
def cron(redis_wait_seconds: float | None) -> None:
    """Enqueue the periodic jobs (sweeps, retries) on their schedule (see jobs/periodic.py)."""
    redis = _redis(redis_wait_seconds)

    def schedule() -> None:
        scheduler = CronScheduler(connection=redis)
        for func_path, queue, interval in PERIODIC:
            # Through run_periodic: a second scheduler on another machine never doubles a run.
            scheduler.register(
                run_periodic, queue, args=(func_path, interval), interval=interval, name=func_path
            )
        click.echo(f"Scheduling {len(PERIODIC)} periodic job(s).")
        scheduler.start()

    keep_working(redis, redis_wait_seconds, schedule)
