"""Outbox claims and leases of email and webhook jobs (tests/jobs/) through PgBouncer."""

from tests.jobs.test_email import *  # noqa: F403
from tests.jobs.test_webhooks import *  # noqa: F403
