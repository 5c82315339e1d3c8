"""Mail fixtures for the email job tests."""

from tests.mail.fixtures import mail_config, run_worker, smtp  # noqa: F401
