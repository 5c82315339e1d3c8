"""`worker` and `cron`: the background processes, each running inside an app context."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler

from supportdesk.jobs import QUEUES
from supportdesk.jobs.periodic import run_periodic
from supportdesk.jobs.schedule import PERIODIC


def _redis():
    redis = current_app.extensions.get("redis")
    if redis is None:
        raise click.ClickException(
            "SUPPORTDESK_REDIS_URL is not set. Background workers need Redis; without it, "
            "jobs already run inside the web process."
        )
    return redis


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--max-jobs", type=int, default=None, help="Exit after this many jobs (recycling).")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool, max_jobs: int | None) -> None:
    """Run an RQ worker on QUEUES (default: emails, webhooks, default).

    Jobs run in this process (no fork per job): a forked child would inherit the parent's
    pooled database sockets, and small jobs such as one email run several times faster.
    """
    redis = _redis()
    unknown = set(queues) - set(QUEUES)
    if unknown:
        raise click.ClickException(f"Unknown queue(s): {', '.join(sorted(unknown))}.")
    names = queues or QUEUES
    SimpleWorker([Queue(n, connection=redis) for n in names], connection=redis).work(
        burst=burst, max_jobs=max_jobs
    )


@click.command("cron")
@with_appcontext
def cron() -> None:
    """Enqueue the periodic jobs (sweeps, retries) on their schedule; run one per installation."""
    scheduler = CronScheduler(connection=_redis())
    for func_path, queue, interval in PERIODIC:
        # Through run_periodic: a second scheduler on another machine never doubles a run.
        scheduler.register(
            run_periodic, queue, args=(func_path, interval), interval=interval, name=func_path
        )
    click.echo(f"Scheduling {len(PERIODIC)} periodic job(s).")
    scheduler.start()
