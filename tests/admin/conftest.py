"""Fixtures for the admin page tests: inbound mail data, SMTP server and worker for outbound."""

from tests.fixtures.mail import mail_world  # noqa: F401  (fixture)
from tests.mail.fixtures import mail_config, run_worker, smtp  # noqa: F401  (fixtures)
