"""Mail fixtures for the admin mail page tests."""

from tests.notifications.fixtures import mail_config, run_worker, smtp  # noqa: F401
