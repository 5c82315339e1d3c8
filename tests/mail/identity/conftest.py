"""Fixtures for the mail identity tests: a mail world, settings, a real SMTP server, a worker."""

from tests.fixtures.mail import mail_world  # noqa: F401  (fixture)
from tests.mail.fixtures import mail_config, run_worker, smtp  # noqa: F401  (fixtures)
