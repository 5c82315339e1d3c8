"""Mail fixtures for the notification tests."""

from tests.mail.fixtures import mail_config, run_worker, smtp  # noqa: F401
