"""Fixtures for the sign-in, reset and invitation tests: a real SMTP server and a mail worker."""

from tests.mail.fixtures import mail_config, run_worker, smtp  # noqa: F401  (fixtures)
