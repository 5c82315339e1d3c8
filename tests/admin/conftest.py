"""Fixtures for the admin page tests."""

from tests.fixtures.mail import mail_world  # noqa: F401  (fixture)
