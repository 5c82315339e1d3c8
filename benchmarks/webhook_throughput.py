"""Webhook throughput of one worker against a receiver in another process.

    SUPPORTDESK_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/sd_bench \
    SUPPORTDESK_REDIS_URL=redis://127.0.0.1:6379/2 \
    .venv/bin/python benchmarks/webhook_throughput.py --tickets 100 --endpoints 4 --slow 8

The database must be migrated (`flask --app supportdesk db upgrade`); the Redis DB is flushed.
Opens `--tickets` tickets (one commit each, as the console does) in an organization with
`--endpoints` endpoints wanting ticket.created, after queueing `--slow` test events to one more
endpoint whose receiver answers after 2 s. Then one RQ worker (SimpleWorker, burst) delivers
everything, and the script prints the deliveries/second to the fast endpoints, measured from the
worker's start to the last fast delivery's `sent_at`.
"""

from __future__ import annotations

import argparse
import secrets
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from rq import Queue, SimpleWorker  # noqa: E402

from benchmarks import receivers  # noqa: E402
from supportdesk import create_app  # noqa: E402
from supportdesk.accounts.models import Organization, Role, User  # noqa: E402
from supportdesk.customers.models import Customer  # noqa: E402
from supportdesk.extensions import db  # noqa: E402
from supportdesk.outbox import OutboxState  # noqa: E402
from supportdesk.tickets import service as tickets  # noqa: E402
from supportdesk.webhooks import service as webhooks  # noqa: E402
from supportdesk.webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: E402
from supportdesk.webhooks.signing import new_secret  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=250)
    parser.add_argument("--endpoints", type=int, default=4)
    parser.add_argument("--slow", type=int, default=0, help="test events to a 2-second receiver")
    args = parser.parse_args()

    port = _free_port()
    receiver = receivers.start("http", port, "--slow-prefix", "/slow", "--delay", "2")
    try:
        run(args, port)
    finally:
        received = receivers.stop(receiver).strip()
    print(f"The receiver counted {received} POSTs.")


def run(args: argparse.Namespace, port: int) -> None:
    """Queue the deliveries, run one burst worker, print the figure."""
    app = create_app({"WEBHOOKS_ALLOW_PRIVATE": True})
    redis = app.extensions["redis"]
    if redis is None:
        sys.exit("Set SUPPORTDESK_REDIS_URL: the benchmark measures an RQ worker.")
    redis.flushdb()
    with app.app_context():
        slug = f"bench-{secrets.token_hex(4)}"
        org = Organization(name=slug, slug=slug)
        db.session.add(org)
        db.session.flush()
        admin = User(
            organization_id=org.id,
            email=f"admin@{slug}.example",
            name="Admin",
            role=Role.ADMIN,
            password_hash="!",  # noqa: S106 (no password: this admin never signs in)
        )
        customer = Customer(organization_id=org.id, email=f"{slug}@example.com")
        fast = [
            WebhookEndpoint(
                organization_id=org.id,
                url=f"http://127.0.0.1:{port}/hooks/{n}",
                event_types=["ticket.created"],
                secret=new_secret(),
            )
            for n in range(args.endpoints)
        ]
        slow = WebhookEndpoint(
            organization_id=org.id,
            url=f"http://127.0.0.1:{port}/slow",
            event_types=["customer.created"],
            secret=new_secret(),
        )
        db.session.add_all([admin, customer, slow, *fast])
        db.session.commit()
        fast_ids, slow_id = [e.id for e in fast], slow.id
        for _ in range(args.slow):
            webhooks.send_test_event(admin, slow_id)
            db.session.commit()
        for n in range(args.tickets):
            tickets.open_ticket(
                org.id, actor=None, customer_email=customer.email, subject=f"Bench {n}", body="."
            )
            db.session.commit()
        db.session.remove()

        started_at = sa.func.now()
        started, cpu = time.perf_counter(), time.process_time()
        started_db = db.session.scalar(sa.select(started_at))
        db.session.remove()
        SimpleWorker([Queue("webhooks", connection=redis)], connection=redis).work(
            burst=True, logging_level="WARNING"
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        sent, last = db.session.execute(
            sa.select(sa.func.count(), sa.func.max(WebhookDelivery.sent_at)).where(
                WebhookDelivery.endpoint_id.in_(fast_ids),
                WebhookDelivery.state == OutboxState.SENT,
            )
        ).one()
        slow_sent = db.session.scalar(
            sa.select(sa.func.count()).where(
                WebhookDelivery.endpoint_id == slow_id, WebhookDelivery.state == OutboxState.SENT
            )
        )
    fast_seconds = (last - started_db).total_seconds() if last else elapsed
    print(
        f"{sent} of {args.tickets * args.endpoints} deliveries to {args.endpoints} fast endpoints "
        f"sent in {fast_seconds:.2f} s: {sent / fast_seconds:.1f} deliveries/second "
        f"(one worker, receiver in another process; {slow_sent} of {args.slow} to the 2 s "
        f"receiver; worker done after {elapsed:.2f} s, "
        f"{cpu * 1000 / max(1, sent + slow_sent):.2f} ms of worker CPU per delivery)"
    )


if __name__ == "__main__":
    main()
