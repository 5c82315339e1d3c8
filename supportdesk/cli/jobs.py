"""`worker` and `cron`: the background processes, each running inside an app context."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import click
from flask import current_app
from flask.cli import with_appcontext
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, SimpleWorker, worker_registration
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from supportdesk import jobs
from supportdesk.jobs import QUEUES
from supportdesk.jobs.periodic import run_periodic
from supportdesk.jobs.schedule import PERIODIC
from supportdesk.redis_fallback import fail_fast_redis

T = TypeVar("T")

# How long a scheduler process told to stop may take before it is killed.
SCHEDULER_STOP_SECONDS = 5

# Set by a SIGTERM (or Ctrl-C) that arrives between two rounds of `keep_working`.
_STOP_SIGNALLED = threading.Event()


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

    Its work loop quits quietly on any error, Redis gone included ("found an unhandled
    exception, quitting..."), and `work()` then returns as if asked to stop. `lost_redis` keeps
    the Redis error that ended the last step of the loop (None when it ended otherwise), so
    `flask worker` can tell that quitting from a stop or burst and start again.
    """

    lost_redis: RedisError | None = None

    def _install_signal_handlers(self) -> None:
        super()._install_signal_handlers()
        if _STOP_SIGNALLED.is_set():
            # SIGTERM came while this round started, and its SystemExit was lost: raised in an
            # at-fork callback (logging's, as RQ forks the scheduler), it is printed and dropped.
            self._stop_requested = True

    def _minding_redis(self, step: Callable[..., T], *args, **kwargs) -> T:
        try:
            result = step(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self.lost_redis = exc
            raise
        except BaseException:
            self.lost_redis = None
            raise
        self.lost_redis = None
        return result

    def heartbeat(self, timeout: int | None = None, pipeline=None) -> None:
        def beat() -> None:
            super(RegisteredWorker, self).heartbeat(timeout, pipeline)
            worker_registration.register(self, pipeline)

        self._minding_redis(beat)

    # The other steps of RQ's work loop that talk to Redis.
    def check_for_suspension(self, burst: bool) -> None:
        self._minding_redis(super().check_for_suspension, burst)

    def run_maintenance_tasks(self) -> None:
        self._minding_redis(super().run_maintenance_tasks)

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        return self._minding_redis(super().dequeue_job_and_maintain_ttl, timeout, max_idle_time)

    def execute_job(self, job, queue) -> None:
        self._minding_redis(super().execute_job, job, queue)

    def teardown(self) -> None:
        """RQ's, and when Redis is still gone (its last words fail), stop listening for
        commands anyway: the next round subscribes afresh, this thread would retry forever."""
        try:
            super().teardown()
        except RedisError:
            if self.pubsub_thread is not None:
                self.pubsub_thread.stop()
                self.pubsub_thread.join(timeout=1)
                self.pubsub.close()
            raise


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
            _sigterm_exits()
            wait_for_redis(redis, give_up_after)


def _sigterm_exits() -> None:
    """Until the next round installs its own handlers, SIGTERM (or Ctrl-C) simply ends the
    process with status 0 (should that exit get lost, the next round's worker stops at once).
    Not the lost round's handlers: RQ's would raise StopRequested into the next round's start,
    and the process would exit with status 1."""

    def leave(signum, frame):
        _STOP_SIGNALLED.set()
        # A scheduler process forked by the round that was starting would be joined at exit
        # (multiprocessing waits for its children) and never told to stop: tell it now.
        _stop_children()
        raise SystemExit(0)

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, leave)


def _stop_children() -> None:
    """Stop the processes this one forked (RQ's scheduler): told first, killed if stuck."""
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:  # one stuck before its own handlers (a lock held at the fork)
        child.join(timeout=SCHEDULER_STOP_SECONDS)
        if child.is_alive():
            child.kill()


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
        rq_worker = RegisteredWorker(queues, connection=redis)
        rq_worker.work(burst=burst, max_jobs=max_jobs, with_scheduler=True)
        if rq_worker.lost_redis is not None:
            raise rq_worker.lost_redis

    keep_working(redis, redis_wait_seconds, work)
    _stopped_for_good()
    _leave_abandoned_requests()


def _leave_abandoned_requests() -> None:
    """After a cold stop, exit without waiting for the requests still on the I/O threads.

    A job stopped cold leaves its requests (to a webhook receiver, an SMTP server) running on
    this process's I/O threads, and their deliveries were queued again when it stopped
    (outbox.released_on_stop). Python would wait for those threads at exit, up to the
    transport's timeout (15 s for a webhook, 30 for SMTP); a process told to stop now leaves.
    """
    left = jobs.io_in_flight()
    if not left:
        return
    click.echo(f"Stopped with {left} request(s) in flight; their deliveries are queued again.")
    _stop_children()  # RQ's scheduler, should it still run
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class _OnceStoppedScheduler(CronScheduler):
    """RQ's cron scheduler, which stops once however often it is told.

    RQ's raises StopRequested on every SIGTERM: a second one (a supervisor insisting) arriving
    while it unregisters would end the process with status 1 and leave it registered.
    """

    _stopping = False

    def _request_stop(self, signum, frame):
        if self._stopping:
            return
        self._stopping = True
        super()._request_stop(signum, frame)


@click.command("cron")
@_WAIT_OPTION
@with_appcontext
def cron(redis_wait_seconds: float | None) -> None:
    """Enqueue the periodic jobs (sweeps, retries) on their schedule (see jobs/periodic.py)."""
    redis = _redis(redis_wait_seconds)

    def schedule() -> None:
        scheduler = _OnceStoppedScheduler(connection=redis)
        for func_path, queue, interval in PERIODIC:
            # Through run_periodic: a second scheduler on another machine never doubles a run.
            scheduler.register(
                run_periodic, queue, args=(func_path, interval), interval=interval, name=func_path
            )
        click.echo(f"Scheduling {len(PERIODIC)} periodic job(s).")
        try:
            scheduler.start()
        except StopRequested:  # told to stop after registering, before its loop began
            scheduler.register_death()
            click.echo(f"CronScheduler {scheduler.name}: shutdown complete")

    keep_working(redis, redis_wait_seconds, schedule)
    _stopped_for_good()


def _stopped_for_good() -> None:
    """Once stopped, a supervisor's further SIGTERM (or Ctrl-C) is ignored while the process exits.

    The interpreter resets Python-level signal handlers to the default while it finalizes: a
    SIGTERM arriving then would end a cleanly stopped process as killed (status -15)."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)
