"""Mail fixtures for the notification tests."""

from tests.notifications.fixtures import mail_config, run_worker, smtp  # noqa: F401
