"""A bulk status change on 10,000 tickets in the background, and the queue while it runs.

    psql postgresql://postgres@127.0.0.1:5432/postgres -c 'CREATE DATABASE sd_bulk'
    export SUPPORTDESK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sd_bulk
    export SUPPORTDESK_REDIS_URL=redis://127.0.0.1:6379/2 SUPPORTDESK_PASSWORD_HASH_FAST=true
    .venv/bin/flask --app supportdesk db upgrade
    .venv/bin/flask --app supportdesk seed-demo --tickets 10000 --seed 1
    .venv/bin/python benchmarks/bulk_status.py --tickets 10000

Each run first puts the demo organization's tickets back to open (one UPDATE: setup, not
measured) and gives it a webhook endpoint for every event type, so each change also queues its
webhooks and SLA work (and with `--status resolved` the customer's email) at COMMIT, as the
single action does. Then it
starts a bulk job "status → pending" (`--status`) on the first `--tickets` of them through the service (as
the console's "select all matching" does), and one RQ worker process (`flask worker default`)
runs it. While it runs, this process requests the queue page every second ("All open", signed in as
an agent, through the app) and saving one ticket near the end of the selection through the
ticket service: both must keep answering, since the job only ever locks the batch it is on.
Prints the job's time and tickets/s, and the queue page's p50/p95/max before and during the job.
The Redis DB is flushed.
"""

# ruff: noqa: S603, S607  (starts this checkout's own flask worker)

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm.exc import StaleDataError  # noqa: E402

from supportdesk import create_app  # noqa: E402
from supportdesk.accounts.models import Organization, Role, User  # noqa: E402
from supportdesk.bulk_actions import service as bulk  # noqa: E402
from supportdesk.bulk_actions.models import BulkJob  # noqa: E402
from supportdesk.extensions import db  # noqa: E402
from supportdesk.tickets import service as tickets  # noqa: E402
from supportdesk.tickets.models import Priority, Ticket  # noqa: E402
from supportdesk.webhooks.models import EVENT_TYPES, WebhookEndpoint  # noqa: E402
from supportdesk.webhooks.signing import new_secret  # noqa: E402

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 (the demo's printed password)


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"{len(ordered)} requests, p50 {statistics.median(ordered):.1f} ms, "
        f"p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"
    )


def _reset(org_id: int, count: int) -> list[int]:
    """Every ticket of the organization open again; the first `count` ids."""
    db.session.execute(
        sa.update(Ticket)
        .where(Ticket.organization_id == org_id)
        .values(status="open", resolved_at=None, closed_at=None)
    )
    if not db.session.scalar(
        sa.select(sa.func.count()).where(WebhookEndpoint.organization_id == org_id)
    ):
        db.session.add(
            WebhookEndpoint(
                organization_id=org_id,
                url="https://hooks.example.com/bulk-bench",
                event_types=list(EVENT_TYPES),
                secret=new_secret(),
            )
        )
    db.session.commit()
    ids = list(
        db.session.scalars(
            sa.select(Ticket.id)
            .where(Ticket.organization_id == org_id)
            .order_by(Ticket.id)
            .limit(count)
        )
    )
    if len(ids) < count:
        sys.exit(f"The organization has {len(ids)} tickets; seed at least {count}.")
    return ids


def _queue_times(client, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get("/?queue=open")
        assert response.status_code == 200, response.status_code
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument(
        "--status",
        default="pending",
        help="target status (resolved also queues the customer's 'resolved' email per ticket)",
    )
    args = parser.parse_args()

    app = create_app()
    app.extensions["redis"].flushdb()
    with app.app_context():
        org = db.session.scalar(sa.select(Organization).order_by(Organization.id))
        admin = db.session.scalar(
            sa.select(User)
            .where(User.organization_id == org.id, User.role == Role.ADMIN)
            .order_by(User.id)
        )
        ids = _reset(org.id, args.tickets)

        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        answer = client.post(
            "/login", data={"csrf_token": token, "email": admin.email, "password": DEMO_PASSWORD}
        )
        assert answer.status_code == 302, "sign-in failed"
        _queue_times(client, 5)
        before = _queue_times(client, 30)

        job = bulk.start_job(admin, org.id, ids, "status", {"status": args.status})
        db.session.commit()  # enqueued now
        job_id = job.id
        started = time.perf_counter()
        worker = subprocess.Popen(
            [str(ROOT / ".venv/bin/flask"), "--app", "supportdesk", "worker", "default", "--burst"],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        during: list[float] = []
        saves: list[float] = []
        stale = 0
        progress = []
        while True:
            db.session.expire_all()
            job = db.session.get(BulkJob, job_id)
            progress.append(job.processed)
            if job.status.finished:
                break
            time.sleep(1)
            during += _queue_times(client, 1)
            # A save on a ticket the job has not reached yet: never waits for the job.
            last = db.session.get(Ticket, ids[-1])
            t0 = time.perf_counter()
            target = Priority.HIGH if last.priority is not Priority.HIGH else Priority.LOW
            tickets.change_priority(admin, last, target)
            try:
                db.session.commit()
            except StaleDataError:  # the job changed it between our read and our save
                db.session.rollback()
                stale += 1
            saves.append((time.perf_counter() - t0) * 1000)
        elapsed = (job.finished_at - job.started_at).total_seconds()
        wall = time.perf_counter() - started
        worker.wait(timeout=60)

    print(
        f"bulk status → {args.status} on {job.total:,} tickets (PostgreSQL, one RQ worker process)"
    )
    print(f"  job: {job.status.value}, {job.done:,} done, {job.failed:,} refused")
    print(
        f"  job time (started_at → finished_at): {elapsed:.1f} s = {job.total / elapsed:.0f} tickets/s"
    )
    print(f"  wall time from enqueue to seen finished: {wall:.1f} s")
    print(f"  queue page before the job:  {_summary(before)}")
    if during:
        print(f"  queue page during the job:  {_summary(during)}")
        print(f"  saves of a ticket in the selection during the job: {_summary(saves)}")
        print(f"    ({stale} refused as stale: the job had just changed that ticket)")


if __name__ == "__main__":
    main()
