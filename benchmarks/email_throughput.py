"""Send throughput of one worker: N emails queued, one SimpleWorker burst, a local aiosmtpd server.

    SUPPORTDESK_DATABASE_URL=postgresql://postgres@127.0.0.1/sd_bench \
    SUPPORTDESK_REDIS_URL=redis://127.0.0.1:6379/2 \
    .venv/bin/python benchmarks/email_throughput.py --emails 500

The database must be migrated (`flask --app supportdesk db upgrade`); the Redis DB is flushed.
Prints emails/second for the burst (claim, build MIME, SMTP session, attempt row, commit).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rq import Queue, SimpleWorker  # noqa: E402

from supportdesk import create_app, jobs  # noqa: E402
from supportdesk.accounts.models import Organization  # noqa: E402
from supportdesk.db import utcnow  # noqa: E402
from supportdesk.extensions import db  # noqa: E402
from supportdesk.mail.identity import signing  # noqa: E402
from supportdesk.mail.outbound.compose import render  # noqa: E402
from supportdesk.mail.outbound.models import EmailMessage  # noqa: E402
from supportdesk.mail.outbound.service import SEND_JOB  # noqa: E402
from tests.mail.helpers import SmtpServer  # noqa: E402
from tests.mail.outbound.test_templates import fixed_context  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=500)
    args = parser.parse_args()

    smtp = SmtpServer()
    smtp.start()
    app = create_app({"SMTP_URL": smtp.url})
    redis = app.extensions["redis"]
    if redis is None:
        sys.exit("Set SUPPORTDESK_REDIS_URL: the benchmark measures an RQ worker.")
    redis.flushdb()
    with app.app_context():
        org = Organization(name="Benchmark", slug=f"bench-{int(time.time())}")
        db.session.add(org)
        db.session.flush()
        rendered = render("agent_replied", fixed_context())
        now = utcnow()
        for n in range(args.emails):
            email = EmailMessage(
                organization_id=org.id,
                kind="agent_replied",
                automatic=False,
                to_address=f"customer{n}@example.com",
                to_name=f"Customer {n}",
                subject=rendered.subject,
                message_id_header=signing.new_message_id(0),
                html_body=rendered.html,
                text_body=rendered.text,
                created_at=now,
                next_attempt_at=now,
            )
            db.session.add(email)
            db.session.flush()
            jobs.defer(db.session, SEND_JOB, email.id, queue="emails")
        db.session.commit()

        started = time.perf_counter()
        SimpleWorker([Queue("emails", connection=redis)], connection=redis).work(
            burst=True, logging_level="WARNING"
        )
        elapsed = time.perf_counter() - started
    smtp.stop()
    received = len(smtp.mailbox.messages)
    print(
        f"{received} of {args.emails} emails received in {elapsed:.2f} s: "
        f"{received / elapsed:.1f} emails/second (one worker, local aiosmtpd)"
    )


if __name__ == "__main__":
    main()
