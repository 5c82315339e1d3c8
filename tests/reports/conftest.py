"""Fixtures for report tests: the mail fixtures (summary emails over a real SMTP server)."""

from tests.mail.fixtures import mail_config, run_worker, smtp  # noqa: F401  (fixtures)
