"""Send throughput of one worker: N emails queued, one SimpleWorker burst, an SMTP server in
another process.

    SUPPORTDESK_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/sd_bench \
    SUPPORTDESK_REDIS_URL=redis://127.0.0.1:6379/2 \
    .venv/bin/python benchmarks/email_throughput.py --emails 1000

The database must be migrated (`flask --app supportdesk db upgrade`); the Redis DB is flushed.
Each email is queued by the product's own `queue_email` and committed on its own, as replies
are; then one RQ worker sends them all to an aiosmtpd server running in its own process
(benchmarks/receivers.py). Prints emails/second for the burst and the worker's CPU per email.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rq import Queue, SimpleWorker  # noqa: E402

from benchmarks import receivers  # noqa: E402
from supportdesk import create_app  # noqa: E402
from supportdesk.accounts.models import Organization  # noqa: E402
from supportdesk.extensions import db  # noqa: E402
from supportdesk.mail.outbound.models import EmailMessage, Notification  # noqa: E402
from supportdesk.mail.outbound.service import queue_email  # noqa: E402
from supportdesk.outbox import OutboxState  # noqa: E402
from tests.mail.helpers import free_port  # noqa: E402
from tests.mail.outbound.test_templates import fixed_context  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=500)
    args = parser.parse_args()

    port = free_port()
    smtp = receivers.start("smtp", port)
    try:
        elapsed, cpu, sent = run(args, f"smtp://127.0.0.1:{port}")
    finally:
        received = receivers.stop(smtp).strip()
    print(
        f"{sent} of {args.emails} emails sent in {elapsed:.2f} s: {sent / elapsed:.1f} "
        f"emails/second (one worker, aiosmtpd in another process, which counted {received}; "
        f"{cpu * 1000 / max(1, sent):.2f} ms of worker CPU per email)"
    )


def run(args: argparse.Namespace, smtp_url: str) -> tuple[float, float, int]:
    """Queue the emails, run one burst worker; seconds, CPU seconds and emails sent."""
    app = create_app({"SMTP_URL": smtp_url})
    redis = app.extensions["redis"]
    if redis is None:
        sys.exit("Set SUPPORTDESK_REDIS_URL: the benchmark measures an RQ worker.")
    redis.flushdb()
    with app.app_context():
        org = Organization(name="Benchmark", slug=f"bench-{int(time.time())}")
        db.session.add(org)
        db.session.commit()
        org_id, context = org.id, fixed_context()
        for n in range(args.emails):
            queue_email(
                Notification.AGENT_REPLIED,
                organization_id=org_id,
                ticket_id=None,
                to_address=f"customer{n}@example.com",
                to_name=f"Customer {n}",
                context=context,
            )
            db.session.commit()
        db.session.remove()
        started, cpu = time.perf_counter(), time.process_time()
        SimpleWorker([Queue("emails", connection=redis)], connection=redis).work(
            burst=True, logging_level="WARNING"
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        sent = db.session.scalar(
            sa.select(sa.func.count()).where(
                EmailMessage.organization_id == org_id, EmailMessage.state == OutboxState.SENT
            )
        )
    return elapsed, cpu, sent


if __name__ == "__main__":
    main()
